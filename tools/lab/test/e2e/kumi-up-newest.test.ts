// Matrix row "newest": examples/lab-1.36.yaml, the newest minor kumi supports
// (apps/coordinator/src/spec/kubernetes-versions.ts; kubeadm v1beta4, local mode on), Debian's
// containerd 1.6 (config v2), the seed's firewalls on Debian hosts. One `kumi up`, then verify,
// drill, reset.
import { SUPPORTED_KUBERNETES_MINORS } from '../../../../apps/coordinator/src/spec/kubernetes-versions';
import { debianSeedTopology } from '../../src/topology';
import { kumiUpScenario } from './up-scenario';

const newest = SUPPORTED_KUBERNETES_MINORS.at(-1);
if (newest !== '1.36') throw new Error(`kumi's newest supported minor is now ${newest}: add examples/lab-${newest}.yaml and point this row at it`);

kumiUpScenario({
  name: 'newest',
  spec: 'examples/lab-1.36.yaml',
  topology: debianSeedTopology(),
  covers: '1.36 (v1beta4, local mode on), containerd 1.6 (config v2), Debian hosts with firewalld control planes and an nftables worker',
  crashChain: false,
});
