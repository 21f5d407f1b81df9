import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { catalogue } from '../catalogue';
import { noop } from '../plan';
import type { AnyStep } from '../step';
import { STEP_CASES } from './cases';
import { contractProblems } from './step-contract';

/**
 * Catalogue steps whose contract rows are still to be written (their own test files hold
 * their facts tables). The list may only shrink: a step with rows must leave it.
 */
const PENDING = [
  'preflight',
  'firewall',
  'runtime.containerd',
  'runtime.docker',
  'kubernetes.packages',
  'lb.haproxy',
  'lb.keepalived',
  'kubeadm.init',
  'kubeadm.upload-certs',
  'kubeadm.token-create',
  'kubeadm.token-delete',
  'kubeadm.join',
  'kubeadm.admin-kubeconfig',
  'kubeadm.reset',
  'cni.flannel',
  'verify',
  'drill',
  // Read-only, like verify: it never has work, so it has no first-run row.
  'etcd.member-list',
];

describe('the step contract', () => {
  it('covers every catalogue step, or names it as pending', () => {
    const ids = [...catalogue.keys()];
    expect(ids.filter((id) => !STEP_CASES[id] && !PENDING.includes(id))).toEqual([]);
    expect(PENDING.filter((id) => STEP_CASES[id] || !ids.includes(id))).toEqual([]);
    for (const [id, cases] of Object.entries(STEP_CASES)) expect(cases.step).toBe(catalogue.get(id));
  });

  it.each(Object.keys(STEP_CASES))('%s keeps it: first run has work, noop has a reason and no work, drift repairs a part of the first run', (id) => {
    const cases = STEP_CASES[id];
    if (!cases) throw new Error(`no cases for ${id}`);
    expect(contractProblems(cases)).toEqual([]);
  });

  // The runner itself must be able to fail.
  const toy = (plan: (facts: { todo: string[] }) => ReturnType<AnyStep['plan']>): AnyStep => ({
    id: 'toy.step',
    title: 'A toy step',
    params: z.object({}).strict(),
    check: async () => ({ todo: [] }),
    plan,
  });
  const rows = { firstRun: { facts: { todo: ['a', 'b'] }, params: {} }, noop: { facts: { todo: [] }, params: {} }, drift: { facts: { todo: ['b'] }, params: {} } };
  const actions = (todo: string[]) => todo.map((name) => ({ kind: 'run' as const, argv: ['touch', name], why: name }));

  it('reports an empty plan without a noop reason, and a noop row that still has work', () => {
    expect(contractProblems({ step: toy((facts) => ({ actions: actions(facts.todo) })), ...rows })).toEqual(['toy.step noop: an empty plan without a noop reason']);
    expect(contractProblems({ step: toy((facts) => ({ actions: actions(facts.todo.length ? facts.todo : ['x']) })), ...rows })).toEqual(['toy.step noop: still plans run touch x  # x']);
  });

  it('reports a drift row that does what a first run would not, and a fresh host with nothing to do', () => {
    const step = toy((facts) => (facts.todo.length ? { actions: actions(facts.todo.map((name) => `${name}!`)) } : noop('all there')));
    expect(contractProblems({ step, ...rows, drift: { facts: { todo: ['c'] }, params: {} } })).toEqual(['toy.step drift: does what a first run would not: run touch c!  # c!']);
    expect(contractProblems({ step, ...rows, firstRun: { facts: { todo: [] }, params: {} } })).toContainEqual('toy.step firstRun: a fresh host needs no work');
  });
});
