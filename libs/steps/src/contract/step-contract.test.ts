import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { catalogue } from '../catalogue';
import { noop } from '../plan';
import type { AnyStep } from '../step';
import { loadContractFiles } from './contract-files';
import { contractProblems } from './step-contract';

// Every catalogue step keeps its contract rows next to it (steps/<dir>/<dir>.contract.ts).
const files = await loadContractFiles();

describe('the step contract', () => {
  it('every catalogue step has exactly one contract file, and every contract file names a catalogue step', () => {
    expect(files.filter((f) => f.cases === undefined).map((f) => f.file)).toEqual([]);
    const covered = files.flatMap((f) => (f.cases ? [f.cases.step.id] : []));
    expect([...catalogue.keys()].filter((id) => !covered.includes(id))).toEqual([]);
    expect(covered.filter((id, i) => covered.indexOf(id) !== i)).toEqual([]);
    for (const { cases } of files) if (cases) expect(cases.step).toBe(catalogue.get(cases.step.id));
  });

  it.each(files.map((f) => [f.file, f.cases] as const))('%s: first run has work, noop has a reason and no work, drift repairs a part of the first run', (_file, cases) => {
    if (!cases) throw new Error('no contract exported');
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

  it('reports a read-only step that plans work or does not report the drift, and a "never noops" without a reason', () => {
    const reading = toy((facts) => noop(`checked; ${facts.todo.length} warnings`));
    expect(contractProblems({ step: reading, ...rows, readOnly: true })).toEqual([]);
    expect(contractProblems({ step: reading, ...rows, drift: { facts: { todo: [] }, params: {} }, readOnly: true })).toEqual(['toy.step drift: the reason does not report the drift (same as the noop row\'s)']);
    expect(contractProblems({ step: toy((facts) => ({ actions: actions(facts.todo) })), ...rows, noop: { facts: { todo: [] }, params: {} }, readOnly: true })).toContain('toy.step firstRun: a read-only step plans run touch a  # a; run touch b  # b');
    expect(contractProblems({ step: toy((facts) => ({ actions: actions(facts.todo) })), ...rows, noop: { never: ' ' } })).toEqual(['toy.step noop: says it never noops without saying why']);
  });
});
