/** Refuses to continue unless running as root, saying why the lab needs it. */
export function requireRoot(what: string): void {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return;
  throw new Error(
    `kumi-lab ${what} must run as root: it creates network namespaces, a bridge, veth links and overlay mounts, ` +
      'which need CAP_SYS_ADMIN and CAP_NET_ADMIN. Run it with sudo.',
  );
}
