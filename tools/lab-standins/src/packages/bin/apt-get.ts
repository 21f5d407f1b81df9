// Stand-in for apt-get inside a lab host: records packages per host, never touches the network.
import { debFileFields } from '../deb-file';
import { kubernetesRepoMinor, readPackageDb } from '../package-db';
import { hostVersions, installedVersion, offeredVersion, PackageError, recordInstall, recordRemove, runPostinst, withDependencies, type ResolvedPackage } from '../package-install';

const FLAG_WITH_VALUE = new Set(['-o', '-c', '-t', '--option', '--target-release']);

function parse(argv: string[]): { verb?: string; names: string[]; flags: Set<string> } {
  const flags = new Set<string>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (FLAG_WITH_VALUE.has(a)) i++;
    else if (/^-[a-z]+$/.test(a) && !a.startsWith('--')) for (const c of a.slice(1)) flags.add(`-${c}`);
    else if (a.startsWith('-')) flags.add(a.split('=')[0] as string);
    else words.push(a);
  }
  const [verb, ...names] = words;
  return { verb, names, flags };
}

function main(argv: string[]): number {
  const { verb, names, flags } = parse(argv);
  const quiet = flags.has('-q') || flags.has('--quiet');
  const veryQuiet = argv.includes('-qq');
  const out = (line: string) => {
    if (!veryQuiet) console.log(line);
  };
  const reading = () => {
    if (quiet) return;
    out('Reading package lists...');
    out('Building dependency tree...');
    out('Reading state information...');
  };
  switch (verb) {
    case 'update': {
      const minor = kubernetesRepoMinor('deb');
      out('Hit:1 http://deb.debian.org/debian bookworm InRelease');
      out('Hit:2 http://deb.debian.org/debian-security bookworm-security InRelease');
      if (minor) out(`Hit:3 https://pkgs.k8s.io/core:/stable:/v${minor}/deb  InRelease`);
      if (!quiet) out('Reading package lists...');
      return 0;
    }
    case 'install':
      return install(names, flags, reading, out);
    case 'remove':
    case 'purge':
    case 'autoremove': {
      reading();
      const present = names.filter((n) => installedVersion(n) !== undefined);
      for (const n of names.filter((x) => !present.includes(x))) out(`Package '${n}' is not installed, so not removed`);
      if (present.length > 0) {
        out('The following packages will be REMOVED:');
        out(`  ${present.join(' ')}`);
      }
      out(`0 upgraded, 0 newly installed, ${present.length} to remove and 0 not upgraded.`);
      for (const n of present) out(`Removing ${n} (${installedVersion(n)}) ...`);
      recordRemove(present);
      return 0;
    }
    case 'upgrade':
    case 'dist-upgrade':
    case 'full-upgrade': {
      reading();
      out('Calculating upgrade...');
      const held = readPackageDb().held;
      if (held.length > 0) {
        out('The following packages have been kept back:');
        out(`  ${held.join(' ')}`);
      }
      out(`0 upgraded, 0 newly installed, 0 to remove and ${held.length} not upgraded.`);
      return 0;
    }
    case 'clean':
    case 'autoclean':
      return 0;
    default:
      console.error(verb ? `E: Invalid operation ${verb}` : 'E: No operation given (kumi lab apt-get knows update, install, remove, purge, upgrade, clean)');
      return 100;
  }
}

/** Whether a pinned version ("1.33.2-1.1", or a glob as apt takes it: "1.33.2-*") names the offered one. */
function versionMatches(pinned: string, offered: string): boolean {
  if (!/[*?]/.test(pinned)) return pinned === offered;
  const pattern = pinned.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`).test(offered);
}

function install(names: string[], flags: Set<string>, reading: () => void, out: (line: string) => void): number {
  reading();
  if (names.length === 0) {
    out('0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.');
    return 0;
  }
  // A path is a .deb file to install (cri-dockerd's release package): its control file names it.
  const local = new Map<string, string>();
  const requested = names.map((n) => {
    if (n.includes('/')) {
      const file = debFileFields(n);
      local.set(file.name, file.version);
      return { name: file.name, version: undefined };
    }
    const [name, version] = n.split('=') as [string, string | undefined];
    return { name, version };
  });
  const offer = (name: string) => local.get(name) ?? offeredVersion(name, 'deb');
  for (const { name } of requested) {
    if (offer(name) === undefined) {
      console.error(`E: Unable to locate package ${name}`);
      return 100;
    }
  }
  const wanted: ResolvedPackage[] = [];
  for (const name of withDependencies(requested.map((r) => r.name), hostVersions('deb'))) {
    const offered = offer(name);
    if (offered === undefined) {
      console.error(`E: Unable to locate package ${name}`);
      return 100;
    }
    const pinned = requested.find((r) => r.name === name)?.version;
    if (pinned !== undefined && !versionMatches(pinned, offered)) {
      console.error(`E: Version '${pinned}' for '${name}' was not found`);
      return 100;
    }
    wanted.push({ name, version: offered, installed: installedVersion(name) });
  }
  const held = readPackageDb().held;
  const changingHeld = wanted.filter((p) => held.includes(p.name) && p.installed !== undefined && p.installed !== p.version);
  if (changingHeld.length > 0 && !flags.has('--allow-change-held-packages')) {
    out('The following held packages will be changed:');
    out(`  ${changingHeld.map((p) => p.name).join(' ')}`);
    console.error('E: Held packages were changed and -y was used without --allow-change-held-packages.');
    return 100;
  }
  const fresh = wanted.filter((p) => p.installed === undefined);
  const changed = wanted.filter((p) => p.installed !== undefined && p.installed !== p.version);
  for (const p of wanted.filter((w) => w.installed === w.version && requested.some((r) => r.name === w.name))) out(`${p.name} is already the newest version (${p.version}).`);
  const extra = fresh.filter((p) => !requested.some((r) => r.name === p.name));
  if (extra.length > 0) {
    out('The following additional packages will be installed:');
    out(`  ${extra.map((p) => p.name).join(' ')}`);
  }
  if (fresh.length > 0) {
    out('The following NEW packages will be installed:');
    out(`  ${fresh.map((p) => p.name).join(' ')}`);
  }
  out(`${changed.length} upgraded, ${fresh.length} newly installed, 0 to remove and 0 not upgraded.`);
  if (fresh.length + changed.length === 0) return 0;
  if (extra.length > 0 && !flags.has('-y') && !flags.has('--yes') && !flags.has('--assume-yes')) {
    out('Do you want to continue? [Y/n] Abort.');
    return 1;
  }
  for (const p of fresh) out(`Selecting previously unselected package ${p.name}.`);
  for (const p of [...fresh, ...changed]) out(`Setting up ${p.name} (${p.version}) ...`);
  recordInstall([...fresh, ...changed], 'apt');
  runPostinst(fresh, 'apt');
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  console.error(err instanceof PackageError ? err.message : `E: ${(err as Error).message}`);
  process.exitCode = err instanceof PackageError ? err.exitCode : 100;
}
