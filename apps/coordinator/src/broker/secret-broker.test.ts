import { findStep } from '@kumi/steps';
import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../journal/secret-registry';
import { CERTIFICATE_KEY_LIFETIME_MS, type JoinRequest, SecretBroker } from './secret-broker';

interface Call {
  host: string;
  step: string;
  params: Record<string, unknown>;
  secrets: Record<string, string>;
}

const workerJoin: JoinRequest = {
  role: 'worker',
  healthyControlPlane: 'master1',
  tokenCreateParams: { kubernetesVersion: '1.33.2', ttl: '15m', description: 'kumi join worker1' },
};
const cpJoin: JoinRequest = {
  role: 'control-plane',
  healthyControlPlane: 'master1',
  tokenCreateParams: { kubernetesVersion: '1.33.2', ttl: '15m', description: 'kumi join master2' },
  uploadCertsParams: { kubernetesVersion: '1.33.2', renewBefore: '30m' },
};

function broker(options: { failJoin?: boolean } = {}) {
  const calls: Call[] = [];
  let clock = 1_000_000;
  const secrets = new SecretRegistry();
  const b = new SecretBroker({
    call: async (host, step, params, stepSecrets) => {
      // Every call must pass the step's own parameter schema (from the catalogue), as the agent checks it.
      const parsed = findStep(step)?.params.safeParse(params);
      if (!parsed) throw new Error(`${step} is not in the catalogue`);
      if (!parsed.success) throw new Error(`${step} refused its params: ${parsed.error.message}`);
      calls.push({ host, step, params, secrets: stepSecrets });
      return {};
    },
    secrets,
    now: () => clock,
  });
  const join = async () => {
    if (options.failJoin) throw new Error('join failed');
    return 'joined';
  };
  return { b, calls, secrets, join, advance: (ms: number) => (clock += ms) };
}

describe('SecretBroker', () => {
  it('mints kubeadm-shaped secrets and remembers them for redaction', () => {
    const { b, secrets } = broker();
    const { bootstrapToken, certificateKey } = b.forInit();
    expect(bootstrapToken).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(certificateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.redact(`${bootstrapToken} ${certificateKey}`)).toBe('*** ***');
  });

  it('creates a fresh token on the healthy control plane before a worker join and deletes it after', async () => {
    const { b, calls, join } = broker();
    b.forInit();
    b.initDone();
    await expect(b.withJoinSecrets(workerJoin, join)).resolves.toBe('joined');
    expect(calls.map((c) => `${c.host}:${c.step}`)).toEqual(['master1:kubeadm.token-create', 'master1:kubeadm.token-delete']);
    const created = calls[0]?.secrets.bootstrapToken ?? '';
    expect(calls[0]?.params).toEqual(workerJoin.tokenCreateParams);
    expect(calls[1]?.params.tokenId).toBe(created.split('.')[0]);
    expect(JSON.stringify(calls[1])).not.toContain(created.split('.')[1]);
  });

  it('reports the token id before it asks the control plane to create it, also when the create fails', async () => {
    const secrets = new SecretRegistry();
    const order: string[] = [];
    const b = new SecretBroker({
      secrets,
      call: async (_host, step, _params, stepSecrets) => {
        order.push(`${step}:${stepSecrets.bootstrapToken?.split('.')[0] ?? ''}`);
        throw new Error('agent disconnected');
      },
    });
    let minted = '';
    await expect(b.openJoin({ ...workerJoin, onTokenMinted: (tokenId) => order.push(`minted:${(minted = tokenId)}`) })).rejects.toThrow('agent disconnected');
    expect(minted).toMatch(/^[a-z0-9]{6}$/);
    expect(order).toEqual([`minted:${minted}`, `kubeadm.token-create:${minted}`]);
  });

  it('deletes the token even when the join fails', async () => {
    const { b, calls, join } = broker({ failJoin: true });
    b.forInit();
    b.initDone();
    await expect(b.withJoinSecrets(workerJoin, join)).rejects.toThrow('join failed');
    expect(calls.at(-1)?.step).toBe('kubeadm.token-delete');
  });

  it('reuses a fresh upload but re-uploads with a new key once it nears the 2 h limit', async () => {
    const { b, calls, join, advance } = broker();
    const { certificateKey: initKey } = b.forInit();
    b.initDone();
    const seen: string[] = [];
    const capture = async (s: { certificateKey?: string }) => {
      seen.push(s.certificateKey ?? '');
      return join();
    };
    await b.withJoinSecrets(cpJoin, capture);
    expect(calls.some((c) => c.step === 'kubeadm.upload-certs')).toBe(false);
    expect(seen[0]).toBe(initKey);

    advance(CERTIFICATE_KEY_LIFETIME_MS - 5 * 60 * 1000);
    await b.withJoinSecrets(cpJoin, capture);
    const upload = calls.find((c) => c.step === 'kubeadm.upload-certs');
    expect(upload?.params).toEqual(cpJoin.uploadCertsParams);
    expect(upload?.secrets.certificateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(upload?.secrets.certificateKey).not.toBe(initKey);
    expect(seen[1]).toBe(upload?.secrets.certificateKey);
  });

  it("uses the step's renewBefore as its renewal margin", async () => {
    const { b, calls, join, advance } = broker();
    b.forInit();
    b.initDone();
    const earlyJoin: JoinRequest = { ...cpJoin, uploadCertsParams: { kubernetesVersion: '1.33.2', renewBefore: '1h' } };
    advance(CERTIFICATE_KEY_LIFETIME_MS - 60 * 60 * 1000 - 60_000);
    await b.withJoinSecrets(earlyJoin, join);
    expect(calls.some((c) => c.step === 'kubeadm.upload-certs')).toBe(false);
    advance(2 * 60_000);
    await b.withJoinSecrets(earlyJoin, join);
    expect(calls.filter((c) => c.step === 'kubeadm.upload-certs')).toHaveLength(1);
  });

  it('re-uploads before the first control-plane join when init was not run by this process (resume, or a NOOP init)', async () => {
    const { b, calls, join } = broker();
    b.forInit();
    // No initDone(): the key of forInit() was never used by kubeadm.
    await b.withJoinSecrets(cpJoin, join);
    expect(calls.map((c) => c.step)).toEqual(['kubeadm.upload-certs', 'kubeadm.token-create', 'kubeadm.token-delete']);
  });
});
