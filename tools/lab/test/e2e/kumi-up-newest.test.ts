// Matrix row "newest": examples/lab-1.36.yaml, the newest minor kumi supports
// (apps/coordinator/src/spec/kubernetes-versions.ts; kubeadm v1beta4, local mode on), Debian's
// containerd 1.6 (config v2), the seed's firewalls on Debian hosts. One `kumi up`, then verify,
// drill, reset. The kubelet refuses cgroup v1 from 1.35 on (failCgroupV1), and the lab's hosts
// share the machine's cgroup hierarchy: on a cgroup v1 machine the row proves instead that kumi's
// preflight stops the build on every node, naming the fix, before anything is installed.
import { existsSync } from 'node:fs';
import { SUPPORTED_KUBERNETES_MINORS } from '../../../../apps/coordinator/src/spec/kubernetes-versions';
import { debianSeedTopology } from '../../src/topology';
import { kumiUpRefusedScenario, kumiUpScenario } from './up-scenario';

const newest = SUPPORTED_KUBERNETES_MINORS.at(-1);
if (newest !== '1.36') throw new Error(`kumi's newest supported minor is now ${newest}: add examples/lab-${newest}.yaml and point this row at it`);

const row = {
  name: 'newest',
  spec: 'examples/lab-1.36.yaml',
  topology: debianSeedTopology(),
  covers: '1.36 (v1beta4, local mode on), containerd 1.6 (config v2), Debian hosts with firewalld control planes and an nftables worker',
};

if (existsSync('/sys/fs/cgroup/cgroup.controllers')) kumiUpScenario({ ...row, crashChain: false });
else kumiUpRefusedScenario(row, /\[cgroups\] cgroup v1 is no longer supported by the kubelet in Kubernetes 1\.36\.2/, 'this machine runs cgroup v1, which the 1.36 kubelet refuses');
