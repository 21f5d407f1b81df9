// Stand-in for dpkg-query inside a lab host, over the host's package records: -W [-f FORMAT], -s.
import { installedPackages, readPackageDb } from '../package-db';

function format(template: string, name: string, version: string, held: boolean): string {
  const status = `${held ? 'hold' : 'install'} ok installed`;
  const fields: Record<string, string> = {
    Package: name,
    binary: name,
    Version: version,
    Status: status,
    'db:Status-Abbrev': held ? 'hi ' : 'ii ',
    'db:Status-Want': held ? 'hold' : 'install',
    'db:Status-Status': 'installed',
    Architecture: 'amd64',
  };
  return template
    .replace(/\$\{([^}]+)\}/g, (_, key: string) => fields[key.replace(/;.*$/, '')] ?? '')
    .replace(/\\n/g, '\n')
    .replace(/\\t/g, '\t');
}

function main(argv: string[]): number {
  let template: string | undefined;
  let mode: 'show' | 'status' | undefined;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-W' || a === '--show') mode = 'show';
    else if (a === '-s' || a === '--status') mode = 'status';
    else if (a === '-f') template = argv[++i];
    else if (a.startsWith('--showformat=')) template = a.slice('--showformat='.length);
    else if (a.startsWith('-f') && a.length > 2) template = a.slice(2);
    else if (!a.startsWith('-')) names.push(a);
  }
  if (!mode) {
    console.error('dpkg-query: need an action option (the kumi lab stand-in knows -W/--show and -s/--status)');
    return 2;
  }
  const db = readPackageDb();
  const installed = installedPackages(db);
  const targets = names.length > 0 ? names : Object.keys(installed).sort();
  let code = 0;
  for (const name of targets) {
    const pkg = installed[name];
    if (!pkg) {
      console.error(`dpkg-query: no packages found matching ${name}`);
      code = 1;
      continue;
    }
    const held = db.held.includes(name);
    if (mode === 'status') {
      process.stdout.write(`Package: ${name}\nStatus: ${held ? 'hold' : 'install'} ok installed\nVersion: ${pkg.version}\n\n`);
    } else {
      process.stdout.write(format(template ?? '${binary}\t${Version}\n', name, pkg.version, held));
    }
  }
  return code;
}

process.exitCode = main(process.argv.slice(2));
