import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { readHostInfo } from '../host/host-info';
import { type CatalogEntry, compareUpstream, type Dependency, dependenciesAt, DOCKER_REPO_PACKAGES, EXTRA_KNOWN_PACKAGES, FILE_PACKAGES, PACKAGE_CATALOG } from './catalog';
import { containerdIo2Offer, placeContainerdIo2 } from './containerd-io-2';
import { placeMachinePackage, removeMachinePackage } from './machine-packages';
import { kubectlBinary } from './kubectl-client';
import { catalogVersion, dockerRepoConfigured, installedPackages, machineVersion, readPackageDb, writePackageDb } from './package-db';

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
  const docker = DOCKER_REPO_PACKAGES[name];
  if (docker) return dockerRepoConfigured(kind) ? (containerdIo2Offer(name, kind, path.join(readHostInfo().labDir, 'packages')) ?? docker[kind]) : undefined;
  if (EXTRA_KNOWN_PACKAGES.has(name)) return machineVersion(name) ?? '1.0-1';
  return machineVersion(name);
}

/** Where withDependencies reads versions: what the repositories offer and what is installed. */
export interface VersionSources {
  offered(name: string): string | undefined;
  installed(name: string): string | undefined;
}

/** The host's repositories and package records, as apt (deb) or dnf (rpm) sees them. */
export function hostVersions(kind: 'deb' | 'rpm'): VersionSources {
  return { offered: (name) => offeredVersion(name, kind), installed: installedVersion };
}

/**
 * The requested names with the catalog dependencies of the versions offered for them,
 * dependencies first, without duplicates. A dependency already installed at a version that
 * satisfies it is left out: apt and dnf only pull in what is missing or too old.
 */
export function withDependencies(
  names: string[],
  versions: VersionSources,
  catalog: Readonly<Record<string, Pick<CatalogEntry, 'depends'>>> = PACKAGE_CATALOG,
): string[] {
  const out: string[] = [];
  const visiting = new Set<string>();
  const add = (n: string) => {
    // Marked before recursing, so a dependency cycle in the catalog ends instead of overflowing the stack.
    if (visiting.has(n)) return;
    visiting.add(n);
    const version = versions.offered(n);
    for (const dep of version === undefined ? [] : dependenciesOf(n, version, catalog)) {
      const have = versions.installed(dep.name);
      if (have === undefined || compareUpstream(have, dep.atLeast) < 0) add(dep.name);
    }
    out.push(n);
  };
  names.forEach(add);
  return out;
}

/**
 * What package n at `version` depends on: pkgs.k8s.io's packages by version range (the catalog);
 * Docker's repository packages (docker-ce needs containerd.io and docker-ce-cli) whatever their version.
 */
function dependenciesOf(n: string, version: string, catalog: Readonly<Record<string, Pick<CatalogEntry, 'depends'>>>): Dependency[] {
  if (catalog[n]) return dependenciesAt(catalog[n], version);
  return (DOCKER_REPO_PACKAGES[n]?.depends ?? []).map((name) => ({ name, atLeast: '0' }));
}

/** Puts a catalog package's commands (links into the lab's bin dir; kubectl: see kubectl-client.ts) and payload files into the host. */
function placeFiles(name: string, version: string): void {
  const { labDir } = readHostInfo();
  for (const command of PACKAGE_CATALOG[name]?.commands ?? FILE_PACKAGES[name]?.commands ?? []) {
    const standin = path.join(labDir, 'bin', command);
    const target = command === 'kubectl' ? kubectlBinary(path.join(labDir, 'packages'), version, standin) : standin;
    if (!existsSync(target)) {
      console.error(`W: kumi lab: package ${name} has no stand-in command ${command} (${target} is missing); rebuild the lab`);
      continue;
    }
    const link = `/usr/bin/${command}`;
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
  placeMachinePackage(name, labDir);
  placeContainerdIo2(name, path.join(labDir, 'packages'));
  const payload = path.join(labDir, 'packages', name);
  if (existsSync(payload)) cpSync(payload, '/', { recursive: true });
}

function removeFiles(name: string): void {
  for (const command of PACKAGE_CATALOG[name]?.commands ?? FILE_PACKAGES[name]?.commands ?? []) rmSync(`/usr/bin/${command}`, { force: true });
  const { labDir } = readHostInfo();
  removeMachinePackage(name, labDir);
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
    placeFiles(p.name, p.version);
    // docker-ce's postinst and its rpm %post both add its group (`groupadd --system docker`).
    for (const group of DOCKER_REPO_PACKAGES[p.name]?.groups ?? []) spawnSync('sh', ['-c', `getent group ${group} >/dev/null || groupadd --system ${group}`], { stdio: 'ignore' });
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

/**
 * The systemd units of a Debian-archive package that its postinst enables and starts: the
 * .service/.socket files with an [Install] section in the machine's dpkg file list
 * (/var/lib/dpkg/info/NAME.list). Packages built with debhelper get both from
 * dh_installsystemd (Debian/debhelper autoscripts/postinst-systemd-enable and
 * postinst-systemd-start: `deb-systemd-invoke start`, debhelper 13.11, as in bookworm's
 * containerd.postinst), so the daemon runs on the package's own configuration right after
 * `apt-get install`. pkgs.k8s.io's packages (the catalog) are built from an RPM spec whose
 * %post is `%systemd_post kubelet.service` (kubernetes/release cmd/krel/templates/latest/
 * kubelet/kubelet.spec): a preset, nothing started.
 */
export function debhelperUnits(name: string, infoDir = '/var/lib/dpkg/info'): string[] {
  if (PACKAGE_CATALOG[name]) return [];
  const docker = DOCKER_REPO_PACKAGES[name] ?? FILE_PACKAGES[name];
  if (docker) return docker.units;
  const list = [path.join(infoDir, `${name}.list`), path.join(infoDir, `${name}:amd64.list`)].find((file) => existsSync(file));
  if (list === undefined) return [];
  return readFileSync(list, 'utf8')
    .split('\n')
    .filter((file) => /^\/(usr\/)?lib\/systemd\/system\/[^/]+\.(service|socket)$/.test(file))
    .filter((file) => existsSync(file) && /^\[Install\]/m.test(readFileSync(file, 'utf8')))
    .map((file) => path.basename(file));
}

/**
 * The systemctl calls a package's maintainer scripts make on a fresh install: apt's
 * debhelper postinst enables and starts the package's units; dnf's %systemd_post only
 * applies presets, and the RHEL family's 99-default-disable.preset (`disable *`) leaves
 * them off (so none).
 */
export function postinstCalls(name: string, via: 'apt' | 'dnf', infoDir?: string): string[][] {
  if (via === 'dnf') return [];
  return debhelperUnits(name, infoDir).flatMap((unit) => [['enable', unit], ['start', unit]]);
}

/** Runs the postinst systemctl calls through the host's systemctl; failures are ignored as `|| true` does. */
export function runPostinst(packages: ResolvedPackage[], via: 'apt' | 'dnf'): void {
  for (const p of packages) {
    for (const argv of postinstCalls(p.name, via)) spawnSync('systemctl', argv, { stdio: 'ignore', timeout: 60_000 });
  }
}
