// Stand-in for dnf inside a lab host: install/remove/makecache over the host's package records.
import { type DnfSpec, resolveDnfSpec } from '../dnf-spec';
import { dnfExcludes } from '../package-db';
import { hostVersions, installedVersion, offeredVersion, recordInstall, recordRemove, withDependencies, type ResolvedPackage } from '../package-install';

function main(argv: string[]): number {
  const disabled = new Set(argv.filter((a) => a.startsWith('--disableexcludes=')).flatMap((a) => a.slice('--disableexcludes='.length).split(',')));
  const words = argv.filter((a) => !a.startsWith('-'));
  const [verb, ...names] = words;
  switch (verb) {
    case 'makecache':
    case 'check-update':
      console.log('Metadata cache created.');
      return 0;
    case 'install': {
      const excludes = dnfExcludes();
      const visible = (name: string): string | undefined => {
        const repo = excludes.get(name);
        const excluded = repo !== undefined && !disabled.has(repo) && !disabled.has('all');
        return excluded ? undefined : offeredVersion(name, 'rpm');
      };
      const specs = words.slice(1).map((arg) => ({ arg, spec: resolveDnfSpec(arg, visible) }));
      const missing = specs.filter((s) => s.spec === undefined).map((s) => s.arg);
      if (missing.length > 0) {
        for (const n of missing) console.log(`No match for argument: ${n}`);
        console.error(`Error: Unable to find a match: ${missing.join(' ')}`);
        return 1;
      }
      const requested = specs.map((s) => (s.spec as DnfSpec).name);
      const wanted: ResolvedPackage[] = withDependencies(requested, hostVersions('rpm')).map((name) => ({ name, version: offeredVersion(name, 'rpm') as string, installed: installedVersion(name) }));
      // An installed package the repositories offer at another version is upgraded to it (dnf's
      // install takes the newest matching NEVRA: dnf/cli/commands/install.py, base.install).
      const upgraded = wanted.filter((w) => w.installed !== undefined && w.installed !== w.version && requested.includes(w.name));
      for (const p of wanted.filter((w) => w.installed !== undefined && requested.includes(w.name) && !upgraded.includes(w))) {
        console.log(`Package ${p.name}-${p.installed}.x86_64 is already installed.`);
      }
      const fresh = wanted.filter((w) => w.installed === undefined);
      console.log('Dependencies resolved.');
      if (fresh.length + upgraded.length === 0) {
        console.log('Nothing to do.\nComplete!');
        return 0;
      }
      if (!argv.includes('-y') && !argv.includes('--assumeyes')) {
        console.log('Is this ok [y/N]: Operation aborted.');
        return 1;
      }
      recordInstall([...fresh, ...upgraded], 'dnf');
      if (upgraded.length > 0) {
        console.log('\nUpgraded:');
        for (const p of upgraded) console.log(`  ${p.name}-${p.version}.x86_64`);
      }
      if (fresh.length > 0) {
        console.log('\nInstalled:');
        for (const p of fresh) console.log(`  ${p.name}-${p.version}.x86_64`);
      }
      console.log('\nComplete!');
      return 0;
    }
    case 'remove':
    case 'erase': {
      const present = names.filter((n) => installedVersion(n) !== undefined);
      if (present.length === 0) {
        console.log('No match for argument: ' + names.join(' ') + '\nNo packages marked for removal.\nDependencies resolved.\nNothing to do.\nComplete!');
        return 0;
      }
      recordRemove(present);
      console.log('\nRemoved:');
      for (const n of present) console.log(`  ${n}`);
      console.log('\nComplete!');
      return 0;
    }
    default:
      console.error(verb ? `No such command: ${verb}. Please use /usr/bin/dnf --help` : 'dnf (kumi lab stand-in): give a command: install, remove, makecache');
      return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
