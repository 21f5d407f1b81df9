import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kumi } from './helpers/capture';
import { freePort } from './helpers/up-fixture';

const seed = await readFile(fileURLToPath(new URL('../../../examples/seed-ha.yaml', import.meta.url)), 'utf8');
const record = (path: string, host: string, status: string, workflow = 'up') => JSON.stringify({ time: '2026-12-06T09:00:00Z', run: 'r1', workflow, path, host, status });

/**
 * `kumi remove` and `kumi plan --for remove` as a user runs them, on a state folder whose
 * journal says master1-3, worker1 and worker2 joined and worker3 was removed: every refusal
 * exits 2 with the reason and the fix, before any agent is needed and without writing.
 */
describe('kumi remove refuses, with the reason and the fix', () => {
  let root: string;
  let dir: string;
  let journal: string;
  const spec = async (edit: (text: string) => string) => {
    const file = join(root, `spec-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, edit(seed));
    return file;
  };
  const withoutWorker1 = (text: string) => text.replace(/ {4}- \{ name: worker1.*\n/, '');
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'kumi-remove-'));
    dir = join(root, 'state');
    expect((await kumi('--state-dir', dir, 'init', '--name', 'seed-ha', '--address', '127.0.0.1')).code).toBe(0);
    journal = [
      record('init/kubeadm.init', 'master1', 'done'),
      record('join-control-planes/kubeadm.join', 'master2', 'done'),
      record('join-control-planes/kubeadm.join', 'master3', 'done'),
      record('join-workers/kubeadm.join', 'worker1', 'done'),
      record('join-workers/kubeadm.join', 'worker3', 'done'),
      record('*', 'worker3', 'reset', 'remove'),
    ].join('\n');
    await writeFile(join(dir, 'journal.ndjson'), `${journal}\n`);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it.each([
    ['an unknown host', 'worker9', withoutWorker1, /worker9 is not in cluster seed-ha: kumi's journal has no join of it.*Fix: check the name/],
    ['a host the spec still lists', 'worker1', (text: string) => text, /worker1 is still in the spec, so the next `kumi up` would join it again\. Fix: delete worker1 from spec\.hosts first/],
    [
      'the last control plane',
      'master1,master2,master3',
      (text: string) => text.replace(/ {4}- \{ name: master[123].*\n/g, '').replace('    - { name: worker1,', '    - { name: master4, address: 192.0.2.24, roles: [control-plane] }\n    - { name: worker1,').replace(/drill:[\s\S]*$/, 'drill:\n    enabled: false\n'),
      /removing master1, master2, master3 would remove the last control plane of seed-ha \(and etcd with it\)\. Fix: add another control plane/,
    ],
  ])('%s: exit 2, nothing written', async (_what, hosts, edit, message) => {
    const file = await spec(edit);
    const removed = await kumi('--state-dir', dir, 'remove', ...hosts.split(','), file, '--yes');
    expect(removed.stderr).toMatch(message);
    expect(removed.code).toBe(2);
    const planned = await kumi('--state-dir', dir, 'plan', '--for', 'remove', '--host', hosts, file);
    expect(planned.code).toBe(2);
    expect(planned.stderr).toMatch(message);
    expect(await readFile(join(dir, 'journal.ndjson'), 'utf8')).toBe(`${journal}\n`);
  });

  it('prints the removal plan, and names a host removed before as done (exit 0)', async () => {
    const file = await spec(withoutWorker1);
    const planned = await kumi('--state-dir', dir, 'plan', '--for', 'remove', '--host', 'worker1', file);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/Plan of kumi remove for cluster seed-ha: 4 stages, 3 host steps/);
    expect(planned.stdout).toMatch(/master1 +kube\.drain +drain-worker1\/kube\.drain@master1/);
    const again = await kumi('--state-dir', dir, 'remove', 'worker3', file, '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/worker3 already removed from cluster "seed-ha"; nothing to do/);
  });

  it('--unreachable: the plan runs nothing on the gone host and does not drain it', async () => {
    const file = await spec(withoutWorker1);
    const planned = await kumi('--state-dir', dir, 'plan', '--for', 'remove', '--host', 'worker1', '--unreachable', file);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/master1 +kube\.node-delete +delete-node-worker1\/kube\.node-delete@master1/);
    expect(planned.stdout).not.toMatch(/kube\.drain|kubeadm\.reset/);
    const wrong = await kumi('--state-dir', dir, 'plan', '--for', 'up', '--unreachable', file);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--unreachable is for --for remove/);
  });

  it('without --unreachable, gives up on a host whose agent does not attach with exit 4 naming the flag; nothing written', async () => {
    const file = await spec(withoutWorker1);
    const removed = await kumi('--state-dir', dir, 'remove', 'worker1', file, '--yes', '--attach-timeout', '1s', '--listen', `127.0.0.1:${await freePort()}`);
    expect(removed.code, removed.stderr).toBe(4);
    expect(removed.stderr).toMatch(/the agent of worker1 did not attach within 1s.*Nothing was changed.*`kumi remove worker1 \S+ --unreachable`/);
    expect(await readFile(join(dir, 'journal.ndjson'), 'utf8')).toBe(`${journal}\n`);
  });

  it('needs the hosts before the spec', async () => {
    const alone = await kumi('--state-dir', dir, 'remove', 'cluster.yaml');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/kumi remove needs the hosts, then the spec/);
  });
});
