import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileLogger } from '../src/logging/logger';
import type { ProgressEvent } from '../src/progress/progress-event';
import { type RunningCoordinator, startCoordinator } from '../src/server/coordinator-server';
import { kumi } from './helpers/capture';
import { SEED_SPEC, type UpFixture, upFixture } from './helpers/up-fixture';

// `kumi run` on many hosts: a real coordinator (as `kumi serve`) on 127.0.0.1, simulated
// agents over mutual TLS, and the command run in this process. About 10 s of CPU in all.

let fixture: UpFixture | undefined;
let coordinator: RunningCoordinator | undefined;
afterEach(async () => {
  await coordinator?.close();
  coordinator = undefined;
  await fixture?.close();
  fixture = undefined;
});

const HOSTS = ['worker1', 'worker2', 'worker3', 'master1'];

/** A served cluster whose agents of `hosts` are attached. */
async function served(hosts: readonly string[] = HOSTS): Promise<UpFixture> {
  fixture = await upFixture(hosts);
  const f = fixture;
  coordinator = await startCoordinator({ state: f.state, material: f.material, listen: { host: '127.0.0.1', port: 0 }, logger: createFileLogger(f.state.paths.logFile, 'debug') });
  const c = coordinator;
  f.startAgents(`127.0.0.1:${c.port}`);
  for (let i = 0; i < 200 && hosts.some((host) => !c.agents.get(host)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(hosts.filter((host) => !c.agents.get(host))).toEqual([]);
  return f;
}

async function run(f: UpFixture, ...args: string[]) {
  const result = await kumi('--state-dir', f.dir, 'run', ...args, '--json');
  const events = result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ProgressEvent);
  const ends = events.filter((e) => ['DONE', 'NOOP', 'PLANNED', 'FAILED'].includes(e.kind)).map((e) => `${e.step}@${e.host}:${e.kind}`);
  return { ...result, events, ends };
}

describe('kumi run on many hosts (a plan on the one scheduler)', () => {
  it('runs each step on every host before the next step (linear strategy), under --max-parallel', async () => {
    const f = await served();
    const result = await run(f, 'swap.off', '--step', 'kernel.modules', '--step', 'sysctl.kubernetes', '--host', 'worker1,worker2', '--host', 'worker3', '--max-parallel', '2');
    expect(result.code, result.stderr).toBe(0);
    const order = f.sim.requests.map((request) => request.step);
    expect(order).toEqual([...Array(3).fill('swap.off'), ...Array(3).fill('kernel.modules'), ...Array(3).fill('sysctl.kubernetes')]);
    expect(new Set(f.sim.requests.map((request) => request.host))).toEqual(new Set(['worker1', 'worker2', 'worker3']));
    expect(result.events.filter((e) => e.kind === 'STAGE_START').map((e) => [e.stage, e.text])).toEqual([
      ['run-1', 'swap.off on 3 host(s) (3 step(s), in parallel, at most 2 host(s) at a time)'],
      ['run-2', 'kernel.modules on 3 host(s) (3 step(s), in parallel, at most 2 host(s) at a time)'],
      ['run-3', 'sysctl.kubernetes on 3 host(s) (3 step(s), in parallel, at most 2 host(s) at a time)'],
    ]);
    // Second time round every host answers NOOP.
    const again = await run(f, 'swap.off', '--host', 'worker1,worker2,worker3');
    expect(again.code).toBe(0);
    expect(again.ends.sort()).toEqual(['swap.off@worker1:NOOP', 'swap.off@worker2:NOOP', 'swap.off@worker3:NOOP']);
  });

  it('leaves a failed host out of the later steps, finishes the others, and exits 1', async () => {
    const f = await served();
    f.sim.failOnce.add('worker2/kernel.modules');
    const result = await run(f, 'swap.off', '--step', 'kernel.modules', '--step', 'sysctl.kubernetes', '--host', 'worker1,worker2,worker3');
    expect(result.code).toBe(1);
    expect(f.sim.requests.filter((request) => request.host === 'worker2').map((request) => request.step)).toEqual(['swap.off', 'kernel.modules']);
    expect(f.sim.requests.filter((request) => request.step === 'sysctl.kubernetes').map((request) => request.host).sort()).toEqual(['worker1', 'worker3']);
    const failure = result.events.find((e) => e.kind === 'FAILURE');
    expect(failure).toMatchObject({ host: 'worker2', step: 'kernel.modules', error: { code: 'COMMAND_FAILED' } });
    expect(failure?.retry).toMatch(/^the same kumi run with --host worker2 /);
    expect(result.stderr).toContain('kernel.modules on worker2: COMMAND_FAILED');
  });

  it('exits with the worst result: 4 when a host is not attached, 1 when a step also failed, 0 on noop and planned', async () => {
    const f = await served(['worker1', 'worker2']);
    const missing = await run(f, 'swap.off', '--host', 'worker1,worker9');
    expect(missing.code).toBe(4);
    expect(missing.ends.sort()).toEqual(['swap.off@worker1:DONE', 'swap.off@worker9:FAILED']);
    expect(missing.stderr).toContain('host "worker9" is not attached');

    f.sim.failOnce.add('worker2/kernel.modules');
    const both = await run(f, 'kernel.modules', '--host', 'worker9,worker2,worker1');
    expect(both.code).toBe(1);

    const dry = await run(f, 'sysctl.kubernetes', '--step', 'swap.off', '--host', 'worker1,worker2', '--dry-run');
    expect(dry.code).toBe(0);
    expect(f.sim.requests.filter((request) => request.dryRun).length).toBe(4);
    // A dry run is its own outcome: PLANNED with the actions where there is work, NOOP where there is none.
    expect(dry.ends.sort()).toEqual(['swap.off@worker1:NOOP', 'swap.off@worker2:PLANNED', 'sysctl.kubernetes@worker1:PLANNED', 'sysctl.kubernetes@worker2:PLANNED']);
    expect(dry.events.find((e) => e.kind === 'PLANNED' && e.host === 'worker2' && e.step === 'swap.off')?.text).toBe('run swap.off --apply');
  });

  it('picks hosts with --all (attached now) and --role with --spec; refuses ambiguous or missing targets with exit 2', async () => {
    const f = await served(['worker1', 'master1', 'master2']);
    const all = await run(f, 'swap.off', '--all');
    expect(all.code).toBe(0);
    expect(all.ends.map((end) => end.split('@')[1]?.split(':')[0]).sort()).toEqual(['master1', 'master2', 'worker1']);
    const role = await run(f, 'kernel.modules', '--role', 'worker', '--spec', SEED_SPEC);
    expect(role.code).toBe(0);
    expect(role.ends).toEqual(['kernel.modules@worker1:DONE']);

    expect((await kumi('--state-dir', f.dir, 'run', 'swap.off')).stderr).toContain('say where to run: --host a,b, --role worker (with --spec FILE) or --all');
    const both = await kumi('--state-dir', f.dir, 'run', 'swap.off', '--all', '--host', 'worker1');
    expect(both.code).toBe(2);
    const noSpec = await kumi('--state-dir', f.dir, 'run', 'swap.off', '--role', 'worker');
    expect([noSpec.code, noSpec.stderr]).toEqual([2, expect.stringContaining('--role needs the cluster spec')]);
    const unknown = await kumi('--state-dir', f.dir, 'run', 'swap.of', '--all');
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown step "swap.of"; the catalogue has: swap.off')]);
    const badParams = await kumi('--state-dir', f.dir, 'run', 'swap.off', '--all', '--param', 'nope=1');
    expect([badParams.code, badParams.stderr]).toEqual([2, expect.stringContaining('step swap.off refuses its parameters')]);
    expect(f.sim.requests.filter((request) => request.step === 'swap.of' || request.params.nope !== undefined)).toEqual([]);
  });

  it('runs a steps file in order, each item with its own parameters', async () => {
    const f = await served(['worker1']);
    const file = join(f.root, 'steps.yaml');
    writeFileSync(file, '- step: sysctl.kubernetes\n- step: swap.off\n  params: {}\n');
    const result = await run(f, '--steps-file', file, '--host', 'worker1');
    expect(result.code, result.stderr).toBe(0);
    expect(f.sim.requests.map((request) => request.step)).toEqual(['sysctl.kubernetes', 'swap.off']);
    writeFileSync(file, '- stp: swap.off\n');
    const bad = await kumi('--state-dir', f.dir, 'run', '--steps-file', file, '--host', 'worker1');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('"step" must name a step id')]);
  });
});
