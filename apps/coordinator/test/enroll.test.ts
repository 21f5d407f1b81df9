import { X509Certificate } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { createKeyAndCsr, verifyPeerCert } from '@kumi/trust';
import { csrWithKey } from '@kumi/trust/test-csr';
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

  it('refuses real RSA-512 and RSA-1024 CSRs with INVALID_ARGUMENT before the token is used; the token then works', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    for (const bits of [512, 1024]) {
      const client = coordinatorClient(cluster.address, cluster.material.caCertPem);
      const error = await callEnroll(client, { token: created.token, csrPem: await csrWithKey('cp1', { rsaBits: bits }), hostName: 'cp1' }).then(
        () => undefined,
        (e: { code: number; details: string }) => e,
      );
      client.close();
      expect(error?.code).toBe(status.INVALID_ARGUMENT);
      expect(error?.details).toContain(`RSA key has ${bits} bits, fewer than the 2048 kumi requires (kumi accepts ECDSA P-256 or P-384, Ed25519, or RSA of at least 2048 bits)`);
      expect((await cluster.state.tokens.list())[0]?.usedAt).toBeNull();
      expect(await cluster.state.hosts.list()).toEqual([]);
    }
    const { response } = await enrollWith(created.token, 'cp1');
    expect(verifyPeerCert(response.certificatePem, cluster.material.caCertPem)).toEqual({ ok: true, commonName: 'cp1' });
  });

  it('burns a token exactly once when twenty enrollments race with it', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => enrollWith(created.token, `race-${i}`)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const codes = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: number }).code] : []));
    expect(codes.filter((code) => code !== status.UNAUTHENTICATED)).toEqual([]);
    const hosts = await cluster.state.hosts.list();
    expect(hosts).toHaveLength(1);
    expect((await cluster.state.tokens.list())[0]?.usedBy).toBe(hosts[0]?.hostName);
  });

  it('sends the certificate again to the same key when the answer was lost, and to nobody else', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const { keyPem, csrPem } = await createKeyAndCsr('cp1');
    const client = coordinatorClient(cluster.address, cluster.material.caCertPem);
    try {
      const first = await callEnroll(client, { token: created.token, csrPem, hostName: 'cp1' });
      const again = await callEnroll(client, { token: created.token, csrPem, hostName: 'cp1' });
      expect(again.certificatePem).toBe(first.certificatePem);
      expect(keyPem).toMatch(/PRIVATE KEY/);
    } finally {
      client.close();
    }
    const error = await refusal(created.token, 'cp1');
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/already used/);
  });

  it('names no file path and no process id in any refusal a client sees', async () => {
    const created = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    await enrollWith(created.token, 'cp1');
    const details = [
      (await refusal(created.token, 'cp2')).details,
      (await refusal('abcdef.0123456789abcdef', 'cp1')).details,
      (await refusal('bad', 'cp1')).details,
      (await refusal((await cluster.state.tokens.create({ ttlMs: 60_000 })).token, 'cp1', 'cp9')).details,
    ];
    for (const text of details) {
      expect(text).not.toContain(cluster.root);
      expect(text).not.toMatch(/\/(tmp|home|root|var|etc)\//);
      expect(text).not.toMatch(new RegExp(`\\b${process.pid}\\b`));
      expect(text).not.toMatch(/\bpid\b/i);
    }
  });
});
