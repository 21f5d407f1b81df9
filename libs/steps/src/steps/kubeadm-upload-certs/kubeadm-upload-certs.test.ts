import { createCipheriv, randomBytes } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../plan';
import { Secret } from '../../secret';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { decryptKubeadmCert, durationMs } from './kubeadm-certs';
import { kubeadmUploadCerts } from './kubeadm-upload-certs';
import { kubeadmUploadCertsParams } from './params';

const key = randomBytes(32).toString('hex');
const secrets = { certificateKey: new Secret(key) };
const params = kubeadmUploadCertsParams.parse({ kubernetesVersion: '1.33.2' });
const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function seal(plain: string, hexKey: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(hexKey, 'hex'), nonce);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
}

function hostWith(sealedWith: string, expires: Date) {
  const kubectl = 'kubectl --kubeconfig /etc/kubernetes/admin.conf -n kube-system get secret';
  return fakeHost(
    debianFacts,
    { '/etc/kubernetes/admin.conf': 'x', '/etc/kubernetes/pki/ca.crt': ca },
    {
      'kubeadm version -o short': 'v1.33.2',
      [`${kubectl} kubeadm-certs -o json`]: JSON.stringify({
        metadata: { ownerReferences: [{ name: 'bootstrap-token-q1w2e3' }] },
        data: { 'ca.crt': seal(ca, sealedWith) },
      }),
      [`${kubectl} bootstrap-token-q1w2e3 -o json`]: JSON.stringify({ data: { expiration: Buffer.from(expires.toISOString()).toString('base64') } }),
    },
  );
}

describe('kubeadm-certs decryption', () => {
  it('opens what was sealed with the key and nothing else', () => {
    const sealed = Buffer.from(seal('hello', key), 'base64');
    expect(decryptKubeadmCert(sealed, key)?.toString()).toBe('hello');
    expect(decryptKubeadmCert(sealed, randomBytes(32).toString('hex'))).toBeUndefined();
    expect(durationMs('1h30m')).toBe(5_400_000);
  });
});

describe('kubeadm.upload-certs', () => {
  it('noop when uploaded with this key and far from expiry', async () => {
    const facts = await kubeadmUploadCerts.check(hostWith(key, new Date(Date.now() + 90 * 60_000)), params, secrets);
    expect(facts.uploadedWithKey).toBe(true);
    expect(kubeadmUploadCerts.plan(facts, params, secrets).noop).toMatch(/^certificates already uploaded with this key, kept until /);
  });

  it('re-uploads near expiry, and when another key sealed them, with the key only inside the 0600 config', async () => {
    for (const host of [hostWith(key, new Date(Date.now() + 10 * 60_000)), hostWith(randomBytes(32).toString('hex'), new Date(Date.now() + 90 * 60_000))]) {
      const plan = kubeadmUploadCerts.plan(await kubeadmUploadCerts.check(host, params, secrets), params, secrets);
      expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual([
        'run kubeadm init phase upload-certs --upload-certs --skip-certificate-key-print --config {{file:upload-certs.yaml}}',
      ]);
      const run = plan.actions[0];
      if (run?.kind !== 'run') throw new Error('expected run');
      expect(run.argv.join(' ')).not.toContain(key);
      const [init, cluster] = parseAllDocuments((run.secretFiles?.['upload-certs.yaml'] as Secret).reveal()).map((doc) => doc.toJSON());
      expect(init).toEqual({ apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'InitConfiguration', certificateKey: key });
      expect(cluster).toMatchObject({ kind: 'ClusterConfiguration', kubernetesVersion: 'v1.33.2' });
    }
  });
});
