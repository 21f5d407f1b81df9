import { crictlMain } from '../crictl';

void crictlMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
