// Matrix row "1.30": examples/lab-1.30.yaml (kubeadm config v1beta3), Debian's containerd 1.6
// (config v2), the seed's firewalls on Debian hosts (firewalld control planes, nftables worker),
// and the crash chain: the build SIGKILLed at every stage boundary and mid-join, secrets renewed
// after the lab clock passes their lifetimes. The costliest row: 11 `kumi up` runs, 678 s wall and
// 457 s CPU measured on a shared 2-core machine.
import { debianSeedTopology } from '../../src/topology';
import { kumiUpScenario } from './up-scenario';

kumiUpScenario({
  name: 'k130',
  spec: 'examples/lab-1.30.yaml',
  topology: debianSeedTopology(),
  covers: '1.30 (v1beta3), containerd 1.6 (config v2), Debian hosts with firewalld control planes and an nftables worker, crash chain',
  crashChain: true,
});
