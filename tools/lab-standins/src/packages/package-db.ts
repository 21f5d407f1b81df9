import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FRESH_HOST_ABSENT, PACKAGE_CATALOG } from './catalog';

/** One package the host has. */
export interface InstalledPackage {
  version: string;
  /** apt or dnf (or "base": on the host since its first boot). */
  via: 'apt' | 'dnf' | 'base';
}

/** The host's package state: what apt/dnf installed or removed, and apt-mark holds. */
export interface PackageDb {
  installed: Record<string, InstalledPackage>;
  removed: string[];
  held: string[];
}

/** The host's package database (per host: /var/lib is the host's own overlay). */
export const PACKAGE_DB = '/var/lib/kumi-lab/packages.json';

/** Reads the database; empty when nothing was installed yet. */
export function readPackageDb(): PackageDb {
  try {
    return JSON.parse(readFileSync(PACKAGE_DB, 'utf8')) as PackageDb;
  } catch {
    return { installed: {}, removed: [], held: [] };
  }
}

/** Saves the database atomically. */
export function writePackageDb(db: PackageDb): void {
  mkdirSync(path.dirname(PACKAGE_DB), { recursive: true });
  writeFileSync(`${PACKAGE_DB}.tmp`, `${JSON.stringify(db, null, 2)}\n`);
  renameSync(`${PACKAGE_DB}.tmp`, PACKAGE_DB);
}

/** Packages of the machine's dpkg database (the host's base system), minus those a fresh VM lacks. */
export function basePackages(): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync('/var/lib/dpkg/status')) return out;
  for (const stanza of readFileSync('/var/lib/dpkg/status', 'utf8').split('\n\n')) {
    const name = /^Package: (.+)$/m.exec(stanza)?.[1];
    const version = /^Version: (.+)$/m.exec(stanza)?.[1];
    if (name && version && /^Status: .* installed$/m.test(stanza) && !FRESH_HOST_ABSENT.has(name)) out[name] = version;
  }
  return out;
}

/** What the host has installed now: base packages not removed, plus recorded installs. */
export function installedPackages(db = readPackageDb()): Record<string, InstalledPackage> {
  const out: Record<string, InstalledPackage> = {};
  for (const [name, version] of Object.entries(basePackages())) if (!db.removed.includes(name)) out[name] = { version, via: 'base' };
  return { ...out, ...db.installed };
}

/** Version the machine's dpkg database has for a package (what "the mirror" offers), if any. */
export function machineVersion(name: string): string | undefined {
  if (!existsSync('/var/lib/dpkg/status')) return undefined;
  const text = readFileSync('/var/lib/dpkg/status', 'utf8');
  const stanza = text.split('\n\n').find((s) => new RegExp(`^Package: ${name.replace(/[.+]/g, '\\$&')}$`, 'm').test(s));
  return stanza ? /^Version: (.+)$/m.exec(stanza)?.[1] : undefined;
}

/** Minor version of the pkgs.k8s.io repository configured for apt or dnf ("1.34"), if any. */
export function kubernetesRepoMinor(kind: 'deb' | 'rpm'): string | undefined {
  const dirs = kind === 'deb' ? ['/etc/apt/sources.list.d'] : ['/etc/yum.repos.d'];
  const files = dirs.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => path.join(d, f)) : []));
  if (kind === 'deb' && existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      if (line.trim().startsWith('#')) continue;
      const m = /pkgs\.k8s\.io\/core:\/stable:\/v(\d+\.\d+)\/(deb|rpm)/.exec(line);
      if (m && m[2] === kind) return m[1];
    }
  }
  return undefined;
}

/** Whether an apt source or dnf repo file names Docker's repository (download.docker.com). */
export function dockerRepoConfigured(kind: 'deb' | 'rpm'): boolean {
  const dir = kind === 'deb' ? '/etc/apt/sources.list.d' : '/etc/yum.repos.d';
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').some((line) => !line.trim().startsWith('#') && line.includes('download.docker.com/linux/')));
}

/** Packages excluded by a dnf repo file's exclude= line (e.g. the Kubernetes repo's). */
export function dnfExcludes(): Map<string, string> {
  const out = new Map<string, string>();
  const dir = '/etc/yum.repos.d';
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    let repo = '';
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const section = /^\[(.+)\]/.exec(line.trim());
      if (section) repo = section[1] as string;
      const ex = /^exclude\s*=\s*(.*)$/.exec(line.trim());
      if (ex) for (const p of (ex[1] as string).split(/[\s,]+/).filter(Boolean)) out.set(p, repo);
    }
  }
  return out;
}

/** Version a package manager offers for a catalog package, or undefined without its repository. */
export function catalogVersion(name: string, kind: 'deb' | 'rpm'): string | undefined {
  const entry = PACKAGE_CATALOG[name];
  const minor = kubernetesRepoMinor(kind);
  if (!entry || !minor) return undefined;
  const upstream = name === 'kubernetes-cni' ? '1.7.1' : `${minor}.${entry.patch}`;
  return kind === 'deb' ? `${upstream}-1.1` : `${upstream}-150500.1.1`;
}
