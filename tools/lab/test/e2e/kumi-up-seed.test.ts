// Matrix row "seed": examples/seed-ha.yaml (Kubernetes 1.33, kubeadm v1beta4 with
// ControlPlaneKubeletLocalMode on by default) on the seed's own hosts: Rocky Linux 9 control planes
// with firewalld running, which get containerd.io 2.x from Docker's repository as a Rocky host does
// today (the real containerd 2.x binaries that tools/setup.sh caches), and a Debian 12 worker with
// a hardened nftables rule set and Debian's containerd 1.6 (config v2). One `kumi up` (its live
// page followed in headless Chromium), then verify, pods across nodes, drill, reset.
import { afterAll } from 'vitest';
import { seedTopology } from '../../src/topology';
import { kumiUpScenario } from './up-scenario';

// The lab's Docker repository serves containerd.io 2.x (packages/containerd-io-2.ts); the lab
// build refuses to start without the cached 2.x binaries, naming tools/setup.sh.
const containerdIoBefore = process.env.KUMI_LAB_CONTAINERD_IO;
process.env.KUMI_LAB_CONTAINERD_IO = '2';
afterAll(() => {
  if (containerdIoBefore === undefined) delete process.env.KUMI_LAB_CONTAINERD_IO;
  else process.env.KUMI_LAB_CONTAINERD_IO = containerdIoBefore;
});

kumiUpScenario({
  name: 'seed',
  spec: 'examples/seed-ha.yaml',
  topology: seedTopology(),
  covers: "1.33 (v1beta4, local mode on), Docker's containerd.io 2.x (kumi's pre-install config v2, migrated by 2.x) on Rocky 9 + firewalld control planes, Debian's containerd 1.6 (config v2) on a hardened nftables Debian worker",
  crashChain: false,
  livePage: true,
});
