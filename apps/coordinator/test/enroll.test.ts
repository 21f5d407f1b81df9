import { X509Certificate } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createKeyAndCsr, verifyPeerCert } from '@kumi/trust';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callEnroll, coordinatorClient } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

let cluster: TestCluster;

beforeEach(async () => {
  cluster = await startTestCluster();
});
afterEach(async () => {
  await cluster.close();
});

async function enrollWith(token: string, hostName: string, csrHost = hostName) {
  const { keyPem, csrPem } = await createKeyAndCsr(csrHost);
  const client = coordinatorClient(cluster.address, cluster.material.caCertPem);
  try {
    return { keyPem, response: await callEnroll(client, { token, csrPem, hostName }) };
  } finally {
    client.close();
  }
}

async function refusal(token: string, hostName: string, csrHost = hostName) {
  const error = await enrollWith(token, hostName, csrHost).then(
    () => undefined,
    (e: { code: number; details: string }) => e,
  );
  expect(error, 'enrollment should have been refused').toBeDefined();
  return error as { code: number; details: string };
}

describe('Enroll', () => {
  it('signs the CSR with CN = host name, returns the CA and burns the token', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const { response } = await enrollWith(created.token, 'cp1');

    expect(response.caPem).toBe(cluster.material.caCertPem);
    expect(verifyPeerCert(response.certificatePem, cluster.material.caCertPem)).toEqual({ ok: true, commonName: 'cp1' });
    const [record] = await cluster.state.tokens.list();
    expect(record?.usedBy).toBe('cp1');
    expect(record?.usedAt).not.toBeNull();
    const host = await cluster.state.hosts.find('cp1');
    expect(host?.tokenId).toBe(created.record.id);
    expect(host?.certSha256).toBe(new X509Certificate(response.certificatePem).fingerprint256.replaceAll(':', '').toLowerCase());
  });

  it('refuses a reused token and signs nothing the second time', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000 });
    await enrollWith(created.token, 'cp1');
    const hostsBefore = await cluster.state.hosts.list();

    const error = await refusal(created.token, 'cp2');
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/already used \(by host "cp1" at .*\).*kumi token create/);
    expect(await cluster.state.hosts.list()).toEqual(hostsBefore);
    expect(await cluster.state.hosts.find('cp2')).toBeUndefined();
  });

  it('refuses an expired token', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 1_000, now: new Date(Date.now() - 5_000) });
    const error = await refusal(created.token, 'cp1');
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/expired at .*kumi token create --host cp1/);
    expect((await cluster.state.tokens.list())[0]?.usedAt).toBeNull();
    expect(await cluster.state.hosts.list()).toEqual([]);
  });

  it('re-enrolls an enrolled host only with a token bound to it', async () => {
    await enrollWith((await cluster.state.tokens.create({ ttlMs: 60_000 })).token, 'cp1');
    const hostsBefore = await cluster.state.hosts.list();
    const unbound = await cluster.state.tokens.create({ ttlMs: 60_000 });

    const error = await refusal(unbound.token, 'cp1');
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('host "cp1" is already enrolled; to enroll it again (e.g. reinstalled), use a token bound to it: `kumi token create --host cp1`');
    expect(await cluster.state.hosts.list()).toEqual(hostsBefore);
    expect((await cluster.state.tokens.list()).find((record) => record.id === unbound.record.id)?.usedAt).toBeNull();

    const bound = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const { response } = await enrollWith(bound.token, 'cp1');
    expect((await cluster.state.hosts.find('cp1'))?.tokenId).toBe(bound.record.id);
    expect(verifyPeerCert(response.certificatePem, cluster.material.caCertPem)).toEqual({ ok: true, commonName: 'cp1' });
  });

  it('refuses a token bound to another host and leaves it usable for that host', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const error = await refusal(created.token, 'worker1');
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toContain('bound to host "cp1", not "worker1"');
    expect(await cluster.state.hosts.list()).toEqual([]);

    const { response } = await enrollWith(created.token, 'cp1');
    expect(verifyPeerCert(response.certificatePem, cluster.material.caCertPem).ok).toBe(true);
  });

  it('refuses an unknown token and a wrong secret for a known id', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000 });
    const unknown = await refusal('abcdef.0123456789abcdef', 'cp1');
    expect(unknown.code).toBe(status.UNAUTHENTICATED);
    expect(unknown.details).toContain('unknown bootstrap token "abcdef.…"');

    const wrongSecret = `${created.record.id}.0123456789abcdef`;
    const mismatch = await refusal(wrongSecret, 'cp1');
    expect(mismatch.code).toBe(status.UNAUTHENTICATED);
    expect(mismatch.details).toContain('unknown bootstrap token');
    expect(mismatch.details).not.toContain('0123456789abcdef');
    expect((await cluster.state.tokens.list())[0]?.usedAt).toBeNull();
    expect(await cluster.state.hosts.list()).toEqual([]);
  });

  it('refuses a malformed token without echoing it', async () => {
    const error = await refusal('not-a-token-SECRETISH', 'cp1');
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('malformed bootstrap token');
    expect(error.details).not.toContain('SECRETISH');
    expect(await cluster.state.hosts.list()).toEqual([]);
  });

  it('refuses a CSR whose CN is not the host name and keeps the token unused', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000 });
    const error = await refusal(created.token, 'cp1', 'cp2');
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain('certificate request refused');
    expect((await cluster.state.tokens.list())[0]?.usedAt).toBeNull();
  });

  it('lets only one of two racing enrollments with the same token win', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000 });
    const results = await Promise.allSettled([enrollWith(created.token, 'cp1'), enrollWith(created.token, 'cp2')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await cluster.state.hosts.list()).toHaveLength(1);
  });
});
