// Stand-in for rpm inside a lab host, over the host's package records: -q [--qf FORMAT] NAME...
import { installedPackages } from '../package-db';
import { rpmQuery } from '../rpm-query';

function main(argv: string[]): number {
  let format: string | undefined;
  let query = false;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-q' || a === '--query') query = true;
    else if (a === '--qf' || a === '--queryformat') format = argv[++i];
    else if (a.startsWith('--qf=') || a.startsWith('--queryformat=')) format = a.slice(a.indexOf('=') + 1);
    else if (!a.startsWith('-')) names.push(a);
    else {
      // rpm's popt rejects what it does not know (rpm tools/rpm.cc); the stand-in knows only -q.
      console.error(`rpm: ${a}: unknown option (the kumi lab stand-in knows -q and --qf)`);
      return 1;
    }
  }
  if (!query) {
    console.error('rpm: no operation specified (the kumi lab stand-in knows -q)');
    return 1;
  }
  const result = rpmQuery(installedPackages(), names, format);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

process.exitCode = main(process.argv.slice(2));
