// Stand-in for util-linux swapon over the host's swap table: -a, FILE, --show, -s.
import { DEFAULT_SWAP_KIB, fstabSwapEntries, readFstab, readSwapTable, renderProcSwaps, renderSwaponShow, writeSwapTable } from '../swap-table';

function main(args: string[]): number {
  const show = args.some((a) => a === '--show' || a.startsWith('--show='));
  const headings = !args.includes('--noheadings') && !args.includes('-n');
  const bytes = args.includes('--bytes') || args.includes('-b');
  if (args.includes('-s') || args.includes('--summary')) {
    process.stdout.write(renderProcSwaps(readSwapTable()));
    return 0;
  }
  if (show || args.length === 0) {
    process.stdout.write(renderSwaponShow(readSwapTable(), { headings, bytes }));
    return 0;
  }
  const files = args.includes('-a') || args.includes('--all') ? fstabSwapEntries(readFstab()) : args.filter((a) => !a.startsWith('-'));
  const explicit = !(args.includes('-a') || args.includes('--all'));
  const table = readSwapTable();
  let code = 0;
  for (const file of files) {
    if (table.some((a) => a.filename === file)) {
      if (explicit) {
        console.error(`swapon: ${file}: swapon failed: Device or resource busy`);
        code = 255;
      }
      continue;
    }
    table.push({ filename: file, type: file.startsWith('/dev/') ? 'partition' : 'file', sizeKiB: DEFAULT_SWAP_KIB, usedKiB: 0, priority: -2 - table.length });
  }
  writeSwapTable(table);
  return code;
}

process.exitCode = main(process.argv.slice(2));
