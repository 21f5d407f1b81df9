import type { OsFamily } from '@kumi/steps';

/** The os-release fields kumi uses. */
export interface OsRelease {
  id: string;
  version: string;
  family: OsFamily;
  prettyName: string;
  codename: string;
}

/** Parses os-release(5) text: KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    fields.set(match[1]!, unquote(match[2]!));
  }
  const id = fields.get('ID') ?? '';
  return {
    id,
    version: fields.get('VERSION_ID') ?? '',
    family: osFamily(id, fields.get('ID_LIKE') ?? ''),
    prettyName: fields.get('PRETTY_NAME') ?? '',
    codename: fields.get('VERSION_CODENAME') ?? '',
  };
}

/** "debian" for Debian and its derivatives, "rhel" for the Red Hat family, else "unknown". */
export function osFamily(id: string, idLike: string): OsFamily {
  const names = [id, ...idLike.split(/\s+/)].map((name) => name.toLowerCase());
  if (names.some((name) => name === 'debian' || name === 'ubuntu')) return 'debian';
  if (names.some((name) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'ol'].includes(name))) return 'rhel';
  return 'unknown';
}

function unquote(value: string): string {
  const match = /^(["'])(.*)\1$/.exec(value);
  if (!match) return value;
  return match[2]!.replace(/\\(["'$`\\])/g, '$1');
}
