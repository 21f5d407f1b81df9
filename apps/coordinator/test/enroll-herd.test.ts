// A herd of simulated agents (real keys, CSRs, TLS and mTLS over loopback, each from its
// own 127.77.x.y address) against a real coordinator on port 0. Cost: ~10 s of CPU,
// mostly TLS handshakes and signing.
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollLikeAgent, HerdAttachment, HerdStats, makeHerdKeys } from '../../../tools/bench/herd-agent';
import { sourceAddress } from '../../../tools/bench/herd-enroll-client';
import { openControlClient } from '../src/client/control-client';
import { controlHostRunner } from '../src/client/control-runner';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

const HERD = 200;
let cluster: TestCluster | undefined;
const attachments: HerdAttachment[] = [];

afterEach(async () => {
  for (const attachment of attachments.splice(0)) attachment.close();
  await cluster?.close();
  cluster = undefined;
});

describe('a herd of agents enrolling at once', () => {
  it('all enroll with no refusal an agent would not retry, attach, and answer one step each', async () => {
    // A small queue, so the herd surely meets "busy" and has to come back.
    cluster = await startTestCluster({ enrollLimits: { workers: 2, queueCapacity: 16, peer: { maxConcurrent: 64, ratePerSecond: 50, burst: 200 }, refusalDelayMs: 1_000 } });
    const { state, material, coordinator } = cluster;
    const names = Array.from({ length: HERD }, (_, i) => `herd-${i}`);
    const keys = await makeHerdKeys(names);
    const hosts = await Promise.all(
      keys.map(async (key, i) => ({ ...key, token: (await state.tokens.create({ ttlMs: 600_000, host: key.hostName })).token, sourceAddress: sourceAddress(77, i) })),
    );

    const stats = new HerdStats();
    const stop = AbortSignal.timeout(45_000);
    const certs = await Promise.all(hosts.map((host) => enrollLikeAgent(host, coordinator.port, material.caCertPem, stats, stop)));
    expect(stats.permanent).toEqual([]);
    expect(certs.filter((cert) => cert === undefined)).toHaveLength(0);
    expect(stats.retried.get(String(status.UNAVAILABLE)) ?? 0, 'the small queue should have turned some away').toBeGreaterThan(0);
    expect(await state.hosts.list()).toHaveLength(HERD);
    expect((await state.tokens.list()).filter((token) => token.usedAt === null)).toEqual([]);

    for (const [i, host] of hosts.entries()) attachments.push(new HerdAttachment(cluster.address, material.caCertPem, host.hostName, { keyPem: host.keyPem, certPem: certs[i] as string }));
    const attachedBy = Date.now() + 20_000;
    while (coordinator.agents.list().length < HERD && Date.now() < attachedBy) await new Promise((done) => setTimeout(done, 50));
    expect(coordinator.agents.list()).toHaveLength(HERD);

    const client = openControlClient(coordinator.controlSocket);
    try {
      const runner = controlHostRunner(client);
      const signal = AbortSignal.timeout(30_000);
      const results = await Promise.all(names.map((host) => runner.runStep({ host, step: 'noop.check', params: {}, secrets: {}, signal })));
      expect(results.map((result) => result.kind).filter((kind) => kind !== 'noop')).toEqual([]);
    } finally {
      client.close();
    }
    expect(attachments.reduce((sum, attachment) => sum + attachment.answered, 0)).toBe(HERD);
  }, 60_000);
});
