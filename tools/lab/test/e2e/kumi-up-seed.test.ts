// Matrix row "seed": examples/seed-ha.yaml (Kubernetes 1.33, kubeadm v1beta4 with
// ControlPlaneKubeletLocalMode on by default, Debian's containerd 1.6 = config v2) on the seed's
// hosts: Rocky Linux 9 control planes with firewalld, a hardened Debian worker; the full crash
// chain. Costs the most of the rows: about 10 `kumi up` runs.
import { seedTopology } from '../../src/topology';
import { kumiUpScenario } from './up-scenario';

kumiUpScenario({
  name: 'seed',
  spec: 'examples/seed-ha.yaml',
  topology: seedTopology(),
  covers: '1.33 (v1beta4, local mode on), containerd 1.6 (config v2), Rocky 9 + firewalld control planes, nftables worker, crash chain',
  crashChain: true,
});
