// Matrix row "seed": examples/seed-ha.yaml (Kubernetes 1.33, kubeadm v1beta4 with
// ControlPlaneKubeletLocalMode on by default, Debian's containerd 1.6 = config v2) on the seed's
// own hosts: Rocky Linux 9 control planes with firewalld running, a Debian 12 worker with a
// hardened nftables rule set. One `kumi up` (its live page followed in headless Chromium), then
// verify, pods across nodes, drill, reset.
import { seedTopology } from '../../src/topology';
import { kumiUpScenario } from './up-scenario';

kumiUpScenario({
  name: 'seed',
  spec: 'examples/seed-ha.yaml',
  topology: seedTopology(),
  covers: '1.33 (v1beta4, local mode on), containerd 1.6 (config v2), Rocky 9 + firewalld control planes, hardened nftables Debian worker',
  crashChain: false,
  livePage: true,
});
