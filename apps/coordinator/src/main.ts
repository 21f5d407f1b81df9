#!/usr/bin/env node
// The `kumi` CLI. Run from source with `npx tsx apps/coordinator/src/main.ts ...`.
import { runCli } from './cli/run-cli';

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kumi: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
