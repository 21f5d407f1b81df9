// The `kumi` CLI (npm bin: apps/coordinator/bin/kumi.mjs; single files: nx run coordinator:package).
import { exitWhenDone } from './cli/exit-when-done';
import { endQuietlyOnClosedPipe } from './cli/quiet-pipe';
import { runCli, UNEXPECTED_ERROR_HINT } from './cli/run-cli';

endQuietlyOnClosedPipe();
runCli(process.argv).then(exitWhenDone, (error: unknown) => {
  process.stderr.write(`kumi: ${String(error)}\n${UNEXPECTED_ERROR_HINT}\n`);
  exitWhenDone(1);
});
