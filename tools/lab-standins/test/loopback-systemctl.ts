// `systemctl start|stop|restart kubelet` on a loopback host (KUMI_STANDIN_ROOT and friends in
// the environment): what the kubelet unit does in a lab host, done with the same functions
// kubeadm's kubelet-start phase uses outside the lab. The only unit a loopback host has.
import { hostEnv } from '../src/common/host-env';
import { serviceRunner } from '../src/common/service-runner';
import { defaultAdvertiseAddress } from '../src/kubeadm/config';
import { startKubelet, stopKubelet } from '../src/kubeadm/kubelet-phase';

async function main(argv: readonly string[]): Promise<number> {
  const [verb, unit] = argv;
  if (unit !== 'kubelet' && unit !== 'kubelet.service') {
    process.stderr.write(`Unit ${unit ?? ''} not found on this loopback host (it has kubelet only).\n`);
    return 5;
  }
  const host = hostEnv();
  if (verb === 'stop') await stopKubelet(host, serviceRunner(host));
  else if (verb === 'start' || verb === 'restart') await startKubelet(host, serviceRunner(host), host.hostname, defaultAdvertiseAddress(), () => undefined);
  else {
    process.stderr.write(`the loopback systemctl knows start, stop and restart, not "${verb ?? ''}"\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  },
);
