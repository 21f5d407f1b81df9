import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal';
import { SecretRegistry } from '../src/journal/secret-registry';
import { runUp } from '../src/up/run-up';
import { captureStream, filesUnder, freePort, receivedSecrets, SEED_SPEC, type UpFixture, upFixture, upOptions } from './helpers/up-fixture';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

let fixture: UpFixture | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  await fixture?.close();
  fixture = undefined;
});

/** `kumi up` of the seed spec as a real process, listening on `port` for the fixture's agents; output collected. */
async function spawnUp(): Promise<{ f: UpFixture; port: number; proc: ChildProcess; out: { stdout: string; stderr: string }; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  fixture = await upFixture();
  const f = fixture;
  const port = await freePort();
  f.startAgents(`127.0.0.1:${port}`);
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'up', SEED_SPEC, '--json', '--yes', '--state-dir', f.dir, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const out = { stdout: '', stderr: '' };
  proc.stdout?.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { f, port, proc, out, exited };
}

describe('kumi up after a crash', () => {
  it('resumes after the coordinator is killed in the middle of a join: done steps skipped, every node joined exactly once', async () => {
    // Run 1, a real process: killed (SIGKILL) once master3's kubeadm join has really
    // happened on the host but before the coordinator heard about it.
    const { f, port, proc, out, exited } = await spawnUp();
    f.sim.onRequest = (request) => {
      if (request.host !== 'master3' || request.step !== 'kubeadm.join' || request.dryRun) return;
      f.sim.answer(request);
      proc.kill('SIGKILL');
      return 'hang';
    };
    const killedBy = await Promise.race([exited.then((end) => end.signal), new Promise((resolve) => setTimeout(() => resolve('timeout'), 40_000))]);
    expect(killedBy, `kumi up did not reach master3's join: ${out.stderr}`).toBe('SIGKILL');
    expect(f.sim.joins.get('master3')).toBe(1);
    const firstRun = f.sim.requests.length;

    // The crash may tear the journal's last line; the lock and socket of the dead process stay behind.
    appendFileSync(join(f.dir, 'journal.ndjson'), '{"time":"2026-11-27T10:00:00.000Z","run":"x","pa');
    const journal = new Journal(f.dir, new SecretRegistry());
    expect(journal.latest().get('join-control-planes/kubeadm.join@master3')?.status).toBe('started');
    expect(journal.isDone('join-control-planes/kubeadm.join', 'master2')).toBe(true);

    // Run 2, in this process, same port: the agents re-attach by themselves.
    f.sim.onRequest = undefined;
    const output = captureStream();
    // The agents are already running and re-attach by themselves: start none.
    const report = await runUp(upOptions(f, { listen: { host: '127.0.0.1', port }, onListening: undefined, out: output.out }));
    expect(report.ok).toBe(true);
    expect([...f.sim.joins].sort()).toEqual([['master2', 1], ['master3', 1], ['worker1', 1]]);

    const second = f.sim.requests.slice(firstRun);
    const realSteps = second.filter((r) => !r.dryRun).map((r) => `${r.host}:${r.step}`);
    // Finished work was only re-checked (dry runs), never redone: no init, no second join of master2.
    expect(realSteps).not.toContain('master1:kubeadm.init');
    expect(realSteps).not.toContain('master2:kubeadm.join');
    expect(realSteps.filter((s) => s.startsWith('worker1:swap.off') || s.startsWith('lb1:lb.haproxy'))).toEqual([]);
    expect(second.some((r) => r.dryRun && r.host === 'lb1' && r.step === 'lb.haproxy')).toBe(true);
    // master3's interrupted join ran again through the step's own check, which found it joined.
    expect(realSteps).toContain('master3:kubeadm.join');
    expect(output.text()).toMatch(/master3\s+kubeadm\.join\s+NOOP\s+master3 already joined/);
    expect(output.text()).toMatch(/master2\s+kubeadm\.join\s+SKIPPED\s+journal: done/);
    // master3's lane ran again from its token-create with a fresh token; the crashed attempt's
    // token was revoked by its journaled id before the new one was made, the new one after the join.
    const tokensOf3 = f.sim.requests.filter((r) => r.host === 'master3' && r.step === 'kubeadm.join' && !r.dryRun).map((r) => r.secrets.bootstrapToken ?? '');
    expect(tokensOf3).toHaveLength(2);
    expect(tokensOf3[1]).not.toBe(tokensOf3[0]);
    const [oldId, newId] = tokensOf3.map((token) => token.split('.')[0]);
    const lane = second.filter((r) => !r.dryRun && r.host === 'master1' && r.step.startsWith('kubeadm.token-')).map((r) => `${r.step} ${r.step === 'kubeadm.token-delete' ? String(r.params.tokenId) : (r.secrets.bootstrapToken ?? '').split('.')[0]}`);
    expect(lane.slice(0, 3)).toEqual([`kubeadm.token-delete ${oldId}`, `kubeadm.token-create ${newId}`, `kubeadm.token-delete ${newId}`]);
    expect(f.sim.tokens.size).toBe(0);
    expect(output.text()).not.toContain('could not revoke');

    const secrets = receivedSecrets(f.sim);
    for (const text of [out.stdout, out.stderr, output.text(), ...filesUnder(f.dir).filter((file) => !file.path.endsWith('.key')).map((file) => file.content)]) {
      for (const secret of secrets) expect(text.includes(secret)).toBe(false);
    }
  }, 60_000);
});

describe('kumi up interrupted', () => {
  it('Ctrl-C in the middle of a join: the join is cancelled, its token still deleted, exit 130', async () => {
    const { f, proc, out, exited } = await spawnUp();
    // master3's join never answers (as a join in progress); the operator presses Ctrl-C.
    let tokenAtJoin = '';
    f.sim.onRequest = (request) => {
      if (request.host !== 'master3' || request.step !== 'kubeadm.join' || request.dryRun) return;
      tokenAtJoin = request.secrets.bootstrapToken ?? '';
      proc.kill('SIGINT');
      return 'hang';
    };
    const code = await Promise.race([exited.then((end) => end.code), new Promise((resolve) => setTimeout(() => resolve('timeout'), 45_000))]);
    expect(code, `kumi up did not end after Ctrl-C: ${out.stderr}`).toBe(130);
    expect(tokenAtJoin).toMatch(/^[a-z0-9]{6}\./);
    expect(out.stderr).toContain("cleanup steps such as a join token's delete still run");
    // The token master3 was joining with is gone from the cluster, deleted by its lane's cleanup entry.
    expect(f.sim.tokens.has(tokenAtJoin)).toBe(false);
    expect(f.sim.tokens.size).toBe(0);
    const deleted = f.sim.requests.filter((r) => !r.dryRun && r.host === 'master1' && r.step === 'kubeadm.token-delete').map((r) => String(r.params.tokenId));
    expect(deleted).toContain(tokenAtJoin.split('.')[0]);
    // Nothing new started after the cancel: no worker joined.
    expect(f.sim.joins.get('worker1')).toBeUndefined();
    for (const secret of receivedSecrets(f.sim)) expect(out.stdout.includes(secret) || out.stderr.includes(secret)).toBe(false);
  }, 60_000);
});
