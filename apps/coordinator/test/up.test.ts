import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '../src/journal/journal';
import { SecretRegistry } from '../src/journal/secret-registry';
import { loadSpec } from '../src/spec';
import { type ClusterStatus, clusterStatus } from '../src/up/cluster-status';
import { runUp } from '../src/up/run-up';
import { captureStream, filesUnder, receivedSecrets, SEED_SPEC, type UpFixture, upFixture, upOptions as options } from './helpers/up-fixture';

let fixture: UpFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const real = (f: UpFixture) => f.sim.requests.filter((request) => !request.dryRun);

describe('kumi up against simulated agents over mutual TLS', () => {
  it('builds the seed cluster: stages in order, brokered secrets only where needed, tokens revoked, nothing leaked', async () => {
    fixture = await upFixture();
    const f = fixture;
    const output = captureStream();
    // `kumi status` while the run is in its last stages: live agents through the control socket.
    const { spec } = await loadSpec(SEED_SPEC);
    let during: Promise<ClusterStatus> | undefined;
    f.sim.onRequest = (request) => {
      if (request.host === 'worker1' && request.step === 'kubeadm.join') during = clusterStatus(f.dir, spec);
    };
    const report = await runUp(options(f, { out: output.out }));

    expect(report.ok).toBe(true);
    const live = await during;
    expect(live?.coordinatorRunning).toBe(true);
    expect(live?.lockHolder).toContain(`"kumi up ${SEED_SPEC}" (pid ${process.pid}`);
    const master3 = live?.hosts.find((host) => host.host === 'master3');
    expect(master3).toMatchObject({ attached: true, last: { path: 'join-control-planes/kubeadm.admin-kubeconfig@master3', status: 'done' } });
    expect(master3?.done).toBe(master3?.total);
    expect(live?.hosts.find((host) => host.host === 'master1')?.next).toBe('verify/verify@master1');
    expect([...f.sim.joins]).toEqual([['master2', 1], ['master3', 1], ['worker1', 1]]);
    // Secrets went to the init host, the token/upload host (master1) and each joining host only.
    const withSecrets = real(f).filter((request) => Object.keys(request.secrets).length > 0);
    expect(new Set(withSecrets.map((r) => `${r.host}:${r.step}`))).toEqual(
      new Set(['master1:kubeadm.init', 'master1:kubeadm.upload-certs', 'master1:kubeadm.token-create', 'master2:kubeadm.join', 'master3:kubeadm.join', 'worker1:kubeadm.join']),
    );
    const joinOf = (host: string) => real(f).find((r) => r.host === host && r.step === 'kubeadm.join');
    expect(Object.keys(joinOf('worker1')?.secrets ?? {})).toEqual(['bootstrapToken']);
    expect(Object.keys(joinOf('master2')?.secrets ?? {}).sort()).toEqual(['bootstrapToken', 'certificateKey']);
    // Each join had its own token, and every token (init's too) is gone afterwards.
    const tokens = ['master2', 'master3', 'worker1'].map((host) => joinOf(host)?.secrets.bootstrapToken);
    expect(new Set(tokens).size).toBe(3);
    expect(f.sim.tokens.size).toBe(0);
    // The lane's gate runs first, then the token is created just before its join, and deleted just after.
    const steps = real(f).map((r) => `${r.host}:${r.step}`);
    const join = steps.indexOf('worker1:kubeadm.join');
    expect(steps.slice(join - 2, join)).toEqual(['worker1:net.wait-tcp', 'master1:kubeadm.token-create']);
    const master2Create = steps.indexOf('master1:kubeadm.upload-certs');
    expect(steps.slice(0, master2Create)).toContain('master2:net.wait-tcp');
    expect(steps.slice(join + 1)).toContain('master1:kubeadm.token-delete');

    const text = output.text();
    expect(text).toMatch(/== join-control-planes start/);
    expect(text.indexOf('== init start')).toBeLessThan(text.indexOf('== join-workers start'));
    expect(text).toContain('kumi up: cluster "seed-ha" done');

    // Leak scan: nothing kumi wrote (progress, logs, journal, state) holds a minted secret.
    const secrets = receivedSecrets(f.sim);
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    const written = [{ path: 'stdout', content: text }, ...filesUnder(f.dir).filter((file) => !file.path.endsWith('.key'))];
    for (const file of written) for (const secret of secrets) expect(file.content.includes(secret), `${file.path} holds a minted secret`).toBe(false);

    // The journal has a result for every entry of the plan.
    const journal = new Journal(f.dir, new SecretRegistry());
    expect(journal.isDone('join-workers/kubeadm.join', 'worker1')).toBe(true);
    expect(journal.isDone('init/kubeadm.init', 'master1')).toBe(true);
  });

  it('re-uploads the certificates under a fresh key when the last upload nears its 2 h limit', async () => {
    fixture = await upFixture();
    const f = fixture;
    let clock = Date.parse('2026-11-27T10:00:00Z');
    // Each control-plane join takes 100 minutes on the broker's clock.
    f.sim.onRequest = (request) => {
      if (request.step === 'kubeadm.join' && request.params.role === 'control-plane' && !request.dryRun) clock += 100 * 60_000;
    };
    const report = await runUp(options(f, { now: () => clock, out: captureStream().out }));
    expect(report.ok).toBe(true);
    const steps = real(f).map((r) => `${r.host}:${r.step}`);
    const uploads = real(f).filter((r) => r.step === 'kubeadm.upload-certs');
    const initKey = real(f).find((r) => r.step === 'kubeadm.init')?.secrets.certificateKey;
    // master2's lane kept init's key (the step found it fresh: NOOP); master3's got a new one (100 min > 2 h − 30 min margin).
    expect(uploads.map((r) => r.secrets.certificateKey === initKey)).toEqual([true, false]);
    const second = steps.lastIndexOf('master1:kubeadm.upload-certs');
    expect(second).toBeGreaterThan(steps.indexOf('master2:kubeadm.join'));
    expect(second).toBeLessThan(steps.indexOf('master3:kubeadm.join'));
    const master3Key = real(f).find((r) => r.host === 'master3' && r.step === 'kubeadm.join')?.secrets.certificateKey;
    expect(master3Key).toBe(uploads[1]?.secrets.certificateKey);
  });

  it('re-uploads when the cluster\'s clock says the upload expires, even though kumi\'s own clock does not', async () => {
    fixture = await upFixture();
    const f = fixture;
    // The lab moves the cluster's clock 100 minutes during each control-plane join.
    f.sim.onRequest = (request) => {
      if (request.step === 'kubeadm.join' && request.params.role === 'control-plane' && !request.dryRun) f.sim.clusterNow += 100 * 60_000;
    };
    const report = await runUp(options(f, { out: captureStream().out }));
    expect(report.ok).toBe(true);
    // Each control-plane lane ran its upload on master1 with the key kumi's clock calls fresh; the
    // step asked the cluster: fresh for master2 (NOOP), expired for master3 (uploaded again).
    const uploads = real(f).filter((r) => r.step === 'kubeadm.upload-certs');
    expect(uploads.map((r) => r.host)).toEqual(['master1', 'master1']);
    expect(f.sim.uploadedAt).toBeGreaterThan(Date.parse('2026-11-27T10:00:00Z'));
    expect(real(f).find((r) => r.host === 'master3' && r.step === 'kubeadm.join')?.secrets.certificateKey).toBe(uploads[1]?.secrets.certificateKey);
    const events = new Journal(f.dir, new SecretRegistry()).current().filter((record) => record.path === 'join-control-planes/kubeadm.upload-certs' && record.status !== 'started');
    expect(events.map((record) => `${record.host}:${record.status}`)).toEqual(['master2:noop', 'master3:done']);
  });

  it('ends a failed join with a per-host summary and the retry command; the retry joins it once', async () => {
    fixture = await upFixture();
    const f = fixture;
    f.sim.failOnce.add('worker1/kubeadm.join');
    const output = captureStream();
    await expect(runUp(options(f, { out: output.out }))).rejects.toMatchObject({ exitCode: 1 });
    const text = output.text();
    expect(text).toContain('!! worker1: join-workers/kubeadm.join@worker1 failed: COMMAND_FAILED');
    expect(text).toContain('fatal: simulated failure');
    expect(text).toContain(`retry: kumi up ${SEED_SPEC} --state-dir ${f.dir} --only join-workers/kubeadm.join@worker1`);
    // The token made for the failed join was deleted anyway.
    expect(f.sim.tokens.size).toBe(0);

    f.stopAgents();
    const before = f.sim.requests.length;
    const retry = await runUp(options(f, { only: ['join-workers/kubeadm.join@worker1'], out: captureStream().out }));
    expect(retry.ok).toBe(true);
    expect(f.sim.joins.get('worker1')).toBe(1);
    expect(f.sim.requests.slice(before).filter((r) => !r.dryRun).map((r) => `${r.host}:${r.step}`)).toEqual([
      'master1:verify',
      // --only the join ran its lane: its gate, a fresh token, the join, the token deleted.
      'worker1:net.wait-tcp',
      'master1:kubeadm.token-create',
      'worker1:kubeadm.join',
      'master1:kubeadm.token-delete',
      'master1:verify',
    ]);
  });
});
