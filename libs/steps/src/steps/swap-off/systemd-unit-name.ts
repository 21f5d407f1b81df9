const PLAIN = /[A-Za-z0-9:_.]/;

/**
 * The systemd unit name for a path, as `systemd-escape --path --suffix=SUFFIX` gives it:
 * "/dev/mapper/rl-swap" → "dev-mapper-rl\x2dswap.swap".
 */
export function unitNameForPath(path: string, suffix: string): string {
  const trimmed = path.split('/').filter((part) => part.length > 0 && part !== '.').join('/');
  if (trimmed.length === 0) return `-.${suffix}`;
  let escaped = '';
  for (const [index, char] of [...trimmed].entries()) {
    if (char === '/') escaped += '-';
    else if (PLAIN.test(char) && !(index === 0 && char === '.')) escaped += char;
    else for (const byte of Buffer.from(char, 'utf8')) escaped += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${escaped}.${suffix}`;
}

/** The device path systemd uses for an fstab "what" field: UUID=… → /dev/disk/by-uuid/…. */
export function fstabDevicePath(what: string): string {
  const tags: Record<string, string> = {
    UUID: 'by-uuid',
    LABEL: 'by-label',
    PARTUUID: 'by-partuuid',
    PARTLABEL: 'by-partlabel',
  };
  const match = /^([A-Z]+)=(.*)$/.exec(what);
  const folder = match?.[1] === undefined ? undefined : tags[match[1]];
  if (match === null || folder === undefined) return what;
  const value = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
  return `/dev/disk/${folder}/${value.replaceAll('/', '\\x2f')}`;
}
