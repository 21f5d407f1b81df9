import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal';
import { ClusterLock } from '../src/journal/lock';
import { SecretRegistry } from '../src/journal/secret-registry';
import type { ProgressEvent } from '../src/progress/progress-event';
import { kumi } from './helpers/capture';
import { writeHostileSpecs } from './hostile-spec-edits';
import { filesUnder, freePort, receivedSecrets, SEED_HOSTS, SEED_SPEC, type UpFixture, upFixture } from './helpers/up-fixture';

let fixture: UpFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Runs `kumi ARGS` with agents dialling the port it will listen on. */
async function kumiWithAgents(f: UpFixture, ...args: string[]) {
  const port = await freePort();
  f.startAgents(`127.0.0.1:${port}`);
  try {
    return await kumi(...args, '--state-dir', f.dir, '--listen', `127.0.0.1:${port}`, '--attach-timeout', '20s');
  } finally {
    f.stopAgents();
  }
}

describe('kumi up (command line)', () => {
  it('--json prints NDJSON events with host, stage, step, kind and a gapless seq, and leaks no secret', async () => {
    fixture = await upFixture();
    const { code, stdout, stderr } = await kumiWithAgents(fixture, 'up', SEED_SPEC, '--json', '--yes');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const events = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as ProgressEvent);
    expect(events.length).toBeGreaterThan(100);
    events.forEach((event, index) => {
      expect(event.seq).toBe(index + 1);
      for (const field of ['host', 'stage', 'step', 'kind', 'time', 'text'] as const) expect(typeof event[field]).toBe('string');
    });
    expect(events.at(0)?.kind).toBe('RUN_START');
    expect(events.at(-1)?.kind).toBe('RUN_DONE');
    expect(events.some((e) => e.kind === 'DONE' && e.host === 'worker1' && e.step === 'kubeadm.join' && e.path === 'join-workers/kubeadm.join@worker1')).toBe(true);
    const secrets = receivedSecrets(fixture.sim);
    const written = [stdout, stderr, ...filesUnder(fixture.dir).filter((f) => !f.path.endsWith('.key')).map((f) => f.content)];
    for (const text of written) for (const secret of secrets) expect(text.includes(secret)).toBe(false);
  });

  it('refuses a second coordinator on the same cluster with who holds the lock (exit 3), sending nothing', async () => {
    fixture = await upFixture();
    const lock = new ClusterLock(fixture.dir);
    lock.acquire('kumi up other.yaml');
    try {
      const { code, stderr } = await kumiWithAgents(fixture, 'up', SEED_SPEC, '--yes');
      expect(code).toBe(3);
      expect(stderr).toMatch(new RegExp(`another kumi \\(pid ${process.pid} .*"kumi up other.yaml".*remove .*kumi\\.lock`));
    } finally {
      lock.release();
    }
    expect(fixture.sim.requests).toEqual([]);
  });

  it('refuses every hostile spec with exit 2 naming the offending path; no agent gets a step, nothing is written', async () => {
    fixture = await upFixture();
    const specs = writeHostileSpecs(join(fixture.root, 'hostile'));
    expect(specs.length).toBeGreaterThanOrEqual(15);
    const port = await freePort();
    fixture.startAgents(`127.0.0.1:${port}`);
    for (const path of specs) {
      const name = basename(path);
      const { code, stderr } = await kumi('up', path, '--yes', '--state-dir', fixture.dir, '--listen', `127.0.0.1:${port}`);
      expect(code, name).toBe(2);
      expect(stderr, name).toMatch(/invalid cluster spec .*nothing was run/);
      // Each problem line: file[:line:col]: path: message (fix: ...).
      expect(stderr, name).toMatch(new RegExp(`^  .*${name.replace('.', '\\.')}(:\\d+:\\d+)?: (spec\\.|apiVersion|kind|metadata|\\(document\\))`, 'm'));
    }
    // Every `kumi up` above has returned, so no coordinator is left that could still send a step.
    expect(fixture.sim.requests).toEqual([]);
    expect(existsSync(join(fixture.dir, 'journal.ndjson'))).toBe(false);
    expect(existsSync(join(fixture.dir, 'kumi.lock'))).toBe(false);
  });

  it('gives up waiting for agents with exit 4, naming the host that never enrolled', async () => {
    fixture = await upFixture(SEED_HOSTS.filter((host) => host !== 'worker1'));
    const port = await freePort();
    fixture.startAgents(`127.0.0.1:${port}`);
    const { code, stdout, stderr } = await kumi('up', SEED_SPEC, '--yes', '--state-dir', fixture.dir, '--listen', `127.0.0.1:${port}`, '--attach-timeout', '1s');
    expect(code).toBe(4);
    expect(stdout).toContain('5 of 6 agents attached; never enrolled: worker1');
    expect(stderr).toContain('kumi: agents missing');
    expect(fixture.sim.requests).toEqual([]);
  });

  it('refuses an --only that matches nothing (exit 2) before starting anything', async () => {
    fixture = await upFixture();
    const { code, stderr } = await kumiWithAgents(fixture, 'up', SEED_SPEC, '--yes', '--only', 'join-workers/*@nosuchhost');
    expect(code).toBe(2);
    expect(stderr).toContain('matches nothing in this plan');
    expect(fixture.sim.requests).toEqual([]);
  });

  it('verify runs just the verify stage; status reports per host from the journal', async () => {
    fixture = await upFixture();
    const { code } = await kumiWithAgents(fixture, 'verify', SEED_SPEC);
    expect(code).toBe(0);
    expect(new Set(fixture.sim.requests.map((r) => `${r.host}:${r.step}`))).toEqual(new Set(['master1:verify']));

    const status = await kumi('status', SEED_SPEC, '--state-dir', fixture.dir, '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout) as { coordinatorRunning: boolean; hosts: Array<{ host: string; last?: { path: string; status: string }; next?: string }> };
    expect(parsed.coordinatorRunning).toBe(false);
    expect(parsed.hosts.find((h) => h.host === 'master1')?.last).toMatchObject({ path: 'verify/verify@master1', status: 'done' });
    expect(parsed.hosts.find((h) => h.host === 'worker1')?.next).toBe('preflight/preflight@worker1');
    const table = await kumi('status', '--state-dir', fixture.dir);
    expect(table.stdout).toMatch(/master1\s+-\s+\?\s+verify\/verify@master1\s+done/);

    // drill: just the drill stage, gated on etcd health seen from another control plane.
    const before = fixture.sim.requests.length;
    expect((await kumiWithAgents(fixture, 'drill', SEED_SPEC, '--yes')).code).toBe(0);
    expect(fixture.sim.requests.slice(before).map((r) => `${r.host}:${r.step}:${JSON.stringify(r.params.checks ?? r.params.mode)}`)).toEqual([
      'master2:verify:["etcd-health"]',
      'master1:drill:"stop"',
    ]);
  });

  it('reset refuses without a terminal unless --yes (exit 2); with --yes it resets one host and up starts over for it', async () => {
    fixture = await upFixture();
    expect((await kumiWithAgents(fixture, 'up', SEED_SPEC, '--yes')).code).toBe(0);
    const refused = await kumi('reset', SEED_SPEC, '--state-dir', fixture.dir, '--host', 'worker1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');

    const unknown = await kumi('reset', SEED_SPEC, '--state-dir', fixture.dir, '--host', 'lb9', '--yes');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('host "lb9" is not in');

    const lb = await kumiWithAgents(fixture, 'reset', SEED_SPEC, '--host', 'lb1', '--yes');
    expect(lb.code).toBe(0);
    expect(fixture.sim.requests.filter((r) => r.step.startsWith('lb.') && r.params.ensure === 'absent').map((r) => `${r.host}:${r.step}`)).toEqual(['lb1:lb.keepalived', 'lb1:lb.haproxy']);
    expect(fixture.sim.requests.filter((r) => r.step === 'kubeadm.reset')).toEqual([]);

    const reset = await kumiWithAgents(fixture, 'reset', SEED_SPEC, '--host', 'worker1', '--yes');
    expect(reset.code).toBe(0);
    expect(fixture.sim.requests.filter((r) => r.step === 'kubeadm.reset').map((r) => r.host)).toEqual(['worker1']);
    const journal = new Journal(fixture.dir, new SecretRegistry());
    expect(journal.isDone('join-workers/kubeadm.join', 'worker1')).toBe(false);
    expect(journal.isDone('prepare/swap.off', 'worker1')).toBe(false);
    expect(journal.isDone('join-control-planes/kubeadm.join', 'master2')).toBe(true);

    // Everything: nodes first (workers, then control planes in reverse), the load balancers last.
    const before = fixture.sim.requests.length;
    expect((await kumiWithAgents(fixture, 'reset', SEED_SPEC, '--yes')).code).toBe(0);
    const order = fixture.sim.requests.slice(before).map((r) => `${r.host}:${r.step}`);
    const lbSteps = order.filter((line) => line.includes(':lb.'));
    expect(order.slice(0, order.length - lbSteps.length).every((line) => line.endsWith(':kubeadm.reset'))).toBe(true);
    expect(order.filter((line) => line.startsWith('master')).map((line) => line.split(':')[0])).toEqual(['master3', 'master2', 'master1']);
    expect([...lbSteps].sort()).toEqual(['lb1:lb.haproxy', 'lb1:lb.keepalived', 'lb2:lb.haproxy', 'lb2:lb.keepalived']);
    expect(lbSteps.indexOf('lb2:lb.keepalived')).toBeLessThan(lbSteps.indexOf('lb2:lb.haproxy'));
  });
});
