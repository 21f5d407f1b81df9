import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * Lab packages whose files are the machine's own Debian packages' files. A fresh lab host
 * lacks those files (the lab hides them behind overlay whiteouts) until apt-get/dnf installs
 * the package, which then puts exactly the machine's files in place.
 * - Debian's containerd depends on runc (bookworm containerd 1.6.20~ds1-1+deb12u3 Depends).
 * - Docker's containerd.io bundles runc (docker/containerd-packaging debian/containerd.io.install,
 *   rpm/containerd.spec install runc into /usr/bin); its own config.toml comes from its payload.
 * - pkgs.k8s.io's kubernetes-cni (a dependency of the kubelet package from v1.24 on, deb and rpm:
 *   kubernetes/release cmd/krel/templates/latest/metadata.yaml) ships the containernetworking
 *   plugins release in /opt/cni/bin (kubernetes-cni.spec `cp -a %{_arch}/* /opt/cni/bin/`); the
 *   lab's are Debian's containernetworking-plugins binaries, placed there (PLACED_UNDER).
 */
export const MACHINE_PACKAGE_FILES: Readonly<Record<string, readonly string[]>> = {
  containerd: ['containerd', 'runc'],
  'kubernetes-cni': ['containernetworking-plugins'],
  'containerd.io': ['containerd', 'runc'],
  haproxy: ['haproxy'],
  keepalived: ['keepalived'],
};

/**
 * Lab packages that put only some of the machine package's files in place, elsewhere: the
 * machine folder → the folder in the host. kubernetes-cni has the plugins (not Debian's
 * cni-dhcp units) in /opt/cni/bin.
 */
const PLACED_UNDER: Readonly<Record<string, readonly [string, string]>> = {
  'kubernetes-cni': ['/usr/lib/cni/', '/opt/cni/bin/'],
};

/** Where a stored machine file goes in a host for lab package `name`; undefined when that package does not ship it. */
export function placedPath(name: string, file: string): string | undefined {
  const relocation = PLACED_UNDER[name];
  if (relocation === undefined) return file;
  const [from, to] = relocation;
  return file.startsWith(from) ? `${to}${file.slice(from.length)}` : undefined;
}

/** Every Debian package of the machine whose files a fresh lab host lacks. */
export function hiddenMachinePackages(): string[] {
  return [...new Set(Object.values(MACHINE_PACKAGE_FILES).flat())];
}

/** Folder of LAB that holds the copies of the machine's package files, one subfolder per Debian package. */
export const MACHINE_FILES_DIR = 'machine-files';

/** Where a package keeps what kumi relies on: its commands, units, configuration and CNI plugins (docs and man pages stay visible). */
const KEPT_PREFIXES = ['/etc/', '/usr/bin/', '/usr/sbin/', '/usr/lib/systemd/system/', '/usr/lib/cni/'];

/**
 * The machine's files of a Debian package that a fresh host must not have: the non-directory
 * entries of dpkg's file list (`/var/lib/dpkg/info/PKG.list`), canonical (a merged /usr's
 * `/lib/systemd/...` is `/usr/lib/systemd/...`), under /etc, /usr/bin, /usr/sbin and the
 * systemd unit folder.
 */
export function machinePackageFiles(debPackage: string, infoDir = '/var/lib/dpkg/info'): string[] {
  const list = [path.join(infoDir, `${debPackage}.list`), path.join(infoDir, `${debPackage}:amd64.list`)].find((file) => existsSync(file));
  if (list === undefined) return [];
  const out = new Set<string>();
  for (const entry of readFileSync(list, 'utf8').split('\n')) {
    if (!entry.startsWith('/')) continue;
    let canonical: string;
    try {
      canonical = path.join(realpathSync(path.dirname(entry)), path.basename(entry));
      if (lstatSync(canonical).isDirectory()) continue;
    } catch {
      continue;
    }
    if (KEPT_PREFIXES.some((prefix) => canonical.startsWith(prefix))) out.add(canonical);
  }
  return [...out].sort();
}

/** Files (and symlinks) under a store folder, as absolute paths in a host ("/usr/bin/ctr"). */
function storedPaths(storeDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(storeDir, rel))) {
      const child = path.join(rel, name);
      if (lstatSync(path.join(storeDir, child)).isDirectory()) walk(child);
      else out.push(`/${child}`);
    }
  };
  if (existsSync(storeDir)) walk('');
  return out.sort();
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Executables stay in the lab's store (tens of MB for containerd) and appear as links to it. */
function linkedFromStore(file: string, stored: string): boolean {
  return !file.startsWith('/etc/') && (statSync(stored).mode & 0o111) !== 0;
}

/**
 * Inside a host: puts the machine's files of a lab package in place, as its install would.
 * Commands are links into `LAB/machine-files` (the machine's binary, unchanged); configuration
 * and units are copies the host may edit.
 */
export function placeMachinePackage(name: string, labDir: string): void {
  for (const deb of MACHINE_PACKAGE_FILES[name] ?? []) {
    const storeDir = path.join(labDir, MACHINE_FILES_DIR, deb);
    for (const storedFile of storedPaths(storeDir)) {
      const stored = path.join(storeDir, storedFile);
      const file = placedPath(name, storedFile);
      if (file === undefined) continue;
      // dpkg keeps a conffile the admin already has (an upgrade or a reinstall after remove).
      if (file.startsWith('/etc/') && lexists(file)) continue;
      mkdirSync(path.dirname(file), { recursive: true });
      rmSync(file, { force: true });
      if (lstatSync(stored).isSymbolicLink()) symlinkSync(readlinkSync(stored), file);
      else if (linkedFromStore(file, stored)) symlinkSync(stored, file);
      else cpSync(stored, file);
    }
  }
}

/**
 * Inside a host: removes a lab package's machine files. Configuration under /etc stays, as
 * `dpkg --remove` removes everything but the conffiles (dpkg(1)).
 */
export function removeMachinePackage(name: string, labDir: string): void {
  for (const deb of MACHINE_PACKAGE_FILES[name] ?? []) {
    for (const storedFile of storedPaths(path.join(labDir, MACHINE_FILES_DIR, deb))) {
      const file = placedPath(name, storedFile);
      if (file !== undefined && !file.startsWith('/etc/')) rmSync(file, { force: true });
    }
  }
}
