// Matrix row "docker": examples/seed-ha.yaml (Kubernetes 1.33, kubeadm v1beta4, local mode on) with
// runtime docker: Docker Engine from Docker's repository (the lab's docker-ce runs Debian's real
// dockerd 20.10.24, socket-activated, on containerd.io) and cri-dockerd 0.3.16 from its release
// .deb (the lab's stand-in over dockerd's API), kubeadm pointed at unix:///var/run/cri-dockerd.sock.
// Debian hosts without firewalls. One `kumi up`, then verify, drill, reset.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { REPO_ROOT } from '../../src/cluster';
import { criDockerdDeb, dockerSkipReason, dockerSpec, provisionDockerHosts } from '../../src/e2e/docker-extras';
import { bareSeedTopology } from '../../src/topology';
import { labSkipReason } from '../lab-checks';
import { kumiUpScenario } from './up-scenario';

const SPEC = `/var/tmp/kumi-lab-test-e2e-docker-spec-${process.pid}.yaml`;
const missing = labSkipReason() === undefined ? dockerSkipReason() : undefined;
if (missing) throw new Error(`the Docker row needs Docker's files: ${missing}`);
if (labSkipReason() === undefined) writeFileSync(SPEC, dockerSpec(readFileSync(path.join(REPO_ROOT, 'examples/seed-ha.yaml'), 'utf8'), criDockerdDeb().sha256));
afterAll(() => rmSync(SPEC, { force: true }));

kumiUpScenario({
  name: 'docker',
  spec: SPEC,
  topology: bareSeedTopology(),
  covers: '1.33 (v1beta4, local mode on), Docker Engine 20.10 + cri-dockerd 0.3.16, Debian hosts',
  crashChain: false,
  provision: provisionDockerHosts,
});
