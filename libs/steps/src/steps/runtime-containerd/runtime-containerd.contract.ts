import type { StepCases } from '../../contract/step-contract';
import { runtimeContainerdParams } from './params';
import { type RuntimeContainerdFacts, runtimeContainerd } from './runtime-containerd';

const params = { kubernetesVersion: '1.33.2' };
const sandboxImage = 'registry.k8s.io/pause:3.10';
const fresh: RuntimeContainerdFacts = { packages: 'apt', containerdVersion: undefined, config: undefined, defaults: 'version = 2\n', sandboxImage, dockerRepo: undefined, service: { active: false, enabled: false }, daemon: undefined };
/** The file as the first run writes it: what the host holds afterwards. */
const firstWrite = runtimeContainerd.plan(fresh, runtimeContainerdParams.parse(params), {}).actions.find((a) => a.kind === 'write');
const config = firstWrite?.kind === 'write' ? String(firstWrite.content) : '';
const settled: RuntimeContainerdFacts = { ...fresh, containerdVersion: '1.6.20~ds1', config, service: { active: true, enabled: true }, daemon: { criServed: true, running: { runtimeReady: true, cgroupDriver: 'systemd', sandboxImage } } };

/**
 * runtime.containerd (Debian): not installed (apt's postinst starts it on the package's
 * config, so the first run restarts it); kumi's file and a daemon that runs it; the file is
 * right but the daemon was started on an older one (cgroupfs): restart only.
 */
export const contract: StepCases = {
  step: runtimeContainerd,
  firstRun: { params, facts: fresh },
  noop: { params, facts: settled },
  drift: { params, facts: { ...settled, daemon: { criServed: true, running: { runtimeReady: true, cgroupDriver: 'cgroupfs', sandboxImage } } } },
};
