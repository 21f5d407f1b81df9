import { kubeadmMain } from '../main';

void kubeadmMain(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
