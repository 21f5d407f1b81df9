// Stand-in for util-linux swapoff over the host's swap table: -a or FILE...
import { readSwapTable, writeSwapTable } from '../swap-table';

function main(args: string[]): number {
  const table = readSwapTable();
  if (args.includes('-a') || args.includes('--all')) {
    writeSwapTable([]);
    return 0;
  }
  const files = args.filter((a) => !a.startsWith('-'));
  if (files.length === 0) {
    console.error('swapoff: bad usage\nTry \'swapoff --help\' for more information.');
    return 1;
  }
  let code = 0;
  const left = table.filter((a) => !files.includes(a.filename));
  for (const file of files) {
    if (!table.some((a) => a.filename === file)) {
      console.error(`swapoff: ${file}: swapoff failed: Invalid argument`);
      code = 4;
    }
  }
  writeSwapTable(left);
  return code;
}

process.exitCode = main(process.argv.slice(2));
