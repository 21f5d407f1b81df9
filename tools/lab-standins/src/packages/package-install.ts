import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { readHostInfo } from '../host/host-info';
import { type CatalogEntry, EXTRA_KNOWN_PACKAGES, PACKAGE_CATALOG } from './catalog';
import { catalogVersion, installedPackages, machineVersion, readPackageDb, writePackageDb } from './package-db';

/** A package request resolved against what the host's repositories offer. */
export interface ResolvedPackage {
  name: string;
  version: string;
  installed?: string;
}

/** A request the package manager cannot satisfy, with the real tool's message. */
export class PackageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Version offered for a package by the host's repositories, or undefined when none has it. */
export function offeredVersion(name: string, kind: 'deb' | 'rpm'): string | undefined {
  if (PACKAGE_CATALOG[name]) return catalogVersion(name, kind);
  if (EXTRA_KNOWN_PACKAGES.has(name)) return machineVersion(name) ?? '1.0-1';
  return machineVersion(name);
}

/** Catalog dependencies of the requested names, dependencies first, without duplicates. */
export function withDependencies(names: string[], catalog: Readonly<Record<string, Pick<CatalogEntry, 'depends'>>> = PACKAGE_CATALOG): string[] {
  const out: string[] = [];
  const visiting = new Set<string>();
  const add = (n: string) => {
    // Marked before recursing, so a dependency cycle in the catalog ends instead of overflowing the stack.
    if (visiting.has(n)) return;
    visiting.add(n);
    for (const dep of catalog[n]?.depends ?? []) add(dep);
    out.push(n);
  };
  names.forEach(add);
  return out;
}

/** Puts a catalog package's commands (links into the lab's bin dir) and payload files into the host. */
function placeFiles(name: string): void {
  const entry = PACKAGE_CATALOG[name];
  if (!entry) return;
  const { labDir } = readHostInfo();
  for (const command of entry.commands) {
    const target = path.join(labDir, 'bin', command);
    if (!existsSync(target)) {
      console.error(`W: kumi lab: package ${name} has no stand-in command ${command} (${target} is missing); rebuild the lab`);
      continue;
    }
    const link = `/usr/bin/${command}`;
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
  const payload = path.join(labDir, 'packages', name);
  if (existsSync(payload)) cpSync(payload, '/', { recursive: true });
}

function removeFiles(name: string): void {
  const entry = PACKAGE_CATALOG[name];
  if (!entry) return;
  for (const command of entry.commands) rmSync(`/usr/bin/${command}`, { force: true });
  const { labDir } = readHostInfo();
  const payload = path.join(labDir, 'packages', name);
  if (!existsSync(payload)) return;
  const walk = (dir: string, rel: string) => {
    for (const f of readdirSync(dir)) {
      const abs = path.join(dir, f);
      if (statSync(abs).isDirectory()) walk(abs, path.join(rel, f));
      else rmSync(path.join('/', rel, f), { force: true });
    }
  };
  walk(payload, '');
}

/** Records packages as installed (and places their files). */
export function recordInstall(packages: ResolvedPackage[], via: 'apt' | 'dnf'): void {
  const db = readPackageDb();
  for (const p of packages) {
    placeFiles(p.name);
    db.installed[p.name] = { version: p.version, via };
    db.removed = db.removed.filter((r) => r !== p.name);
  }
  mkdirSync('/var/lib/kumi-lab', { recursive: true });
  writePackageDb(db);
}

/** Records packages as removed (and deletes their files and holds). */
export function recordRemove(names: string[]): void {
  const db = readPackageDb();
  for (const name of names) {
    removeFiles(name);
    delete db.installed[name];
    if (!db.removed.includes(name)) db.removed.push(name);
    db.held = db.held.filter((h) => h !== name);
  }
  writePackageDb(db);
}

/** The installed version of a package, if any. */
export function installedVersion(name: string): string | undefined {
  return installedPackages()[name]?.version;
}
