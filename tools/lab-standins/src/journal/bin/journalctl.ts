// Stand-in for journalctl inside a lab host: `-u UNIT [-n N]` prints the unit's log
// (the lab keeps each service's output in /var/log/kumi-lab/NAME.log instead of a journal).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_LOG_DIR } from '../../host/services';

function main(argv: string[]): number {
  const units: string[] = [];
  let lines: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-u' || a === '--unit') units.push(argv[++i] ?? '');
    else if (a.startsWith('--unit=')) units.push(a.slice('--unit='.length));
    else if (a === '-n' || a === '--lines') lines = Number(argv[++i]);
    else if (a.startsWith('--lines=')) lines = Number(a.slice('--lines='.length));
    else if (a === '-f' || a === '--follow') {
      console.error('journalctl: --follow is not supported in the kumi lab; read /var/log/kumi-lab/UNIT.log');
      return 1;
    }
  }
  if (units.length === 0) {
    console.error('journalctl (kumi lab stand-in): give -u UNIT; logs are in /var/log/kumi-lab/');
    return 1;
  }
  for (const unit of units) {
    const file = path.join(SERVICE_LOG_DIR, `${unit.replace(/\.service$/, '')}.log`);
    if (!existsSync(file)) {
      console.log('-- No entries --');
      continue;
    }
    const all = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
    const shown = lines !== undefined && Number.isFinite(lines) ? all.slice(-lines) : all;
    console.log(shown.join('\n'));
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
