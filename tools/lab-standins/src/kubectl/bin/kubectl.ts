import { kubectlMain } from '../kubectl';

void kubectlMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
