import { describe, expect, it } from 'vitest';
import { seedSpec } from '../../test/seed-spec';
import { buildPlan, initHostOf } from './build';

/** The seed with master4 listed first: a new control plane added at the top of spec.hosts. */
const newFirst = seedSpec((text) => text.replace('    - { name: master1,', '    - { name: master4, address: 192.0.2.24, roles: [control-plane] }\n    - { name: master1,'));
const entries = (plan: ReturnType<typeof buildPlan>, step: string) => plan.stages.flatMap((stage) => stage.entries).filter((entry) => entry.step === step).map((entry) => entry.path);

describe('kumi up on a cluster that exists (grow)', () => {
  it('keeps kubeadm init on a control plane that joined, so a new one listed first joins instead of starting a second cluster', () => {
    const members = { controlPlanes: ['master1', 'master2', 'master3'] };
    expect(initHostOf(newFirst, members)?.name).toBe('master1');
    const plan = buildPlan(newFirst, { members });
    expect(entries(plan, 'kubeadm.init')).toEqual(['init/kubeadm.init@master1']);
    expect(entries(plan, 'kubeadm.join').filter((path) => path.startsWith('join-control-planes'))).toEqual([
      'join-control-planes/kubeadm.join@master4',
      'join-control-planes/kubeadm.join@master2',
      'join-control-planes/kubeadm.join@master3',
    ]);
  });

  it("inits on the spec's first control plane while nothing joined", () => {
    expect(entries(buildPlan(newFirst, { members: { controlPlanes: [] } }), 'kubeadm.init')).toEqual(['init/kubeadm.init@master4']);
    expect(entries(buildPlan(newFirst), 'kubeadm.init')).toEqual(['init/kubeadm.init@master4']);
  });

  it("gives HAProxy every control plane of the spec as a backend, so the backends grow with it", () => {
    const lb = buildPlan(newFirst).stages.flatMap((stage) => stage.entries).find((entry) => entry.step === 'lb.haproxy');
    expect((lb?.params['backends'] as { name: string }[]).map((backend) => backend.name)).toEqual(['master4', 'master1', 'master2', 'master3']);
  });
});
