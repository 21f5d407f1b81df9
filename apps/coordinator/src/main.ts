// The `kumi` CLI (npm bin: apps/coordinator/bin/kumi.mjs; single files: nx run coordinator:package).
import { endQuietlyOnClosedPipe } from './cli/quiet-pipe';
import { runCli, UNEXPECTED_ERROR_HINT } from './cli/run-cli';

endQuietlyOnClosedPipe();
runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kumi: ${String(error)}\n${UNEXPECTED_ERROR_HINT}\n`);
    process.exitCode = 1;
  },
);
