import { planOf } from '../../plan';
import { renderUploadCertsConfig } from '../../render/kubeadm-config';
import { Secret } from '../../secret';
import type { HostReader, Step } from '../../step';
import { KUBERNETES_CA_PATH } from '../common/ca-cert-hash';
import { CERTIFICATE_KEY } from '../common/kubeadm-params';
import { certificateKeyOf } from '../common/kubeadm-secrets';
import { ADMIN_CONF, requireControlPlane } from '../common/kubeadm-state';
import { decryptKubeadmCert, durationMs } from './kubeadm-certs';
import type { KubeadmUploadCertsParams } from './params';
import { kubeadmUploadCertsParams } from './params';

/** What kubeadm.upload-certs reads from the cluster. */
export interface KubeadmUploadCertsFacts {
  /** Whether the kubeadm-certs Secret opens with the given key and holds this cluster's CA. */
  uploadedWithKey: boolean;
  /** When the uploaded certificates are deleted (their owner token's expiration), if known. */
  expiresAt: string | undefined;
  /** Check time, ISO 8601. */
  checkedAt: string;
  hostName: string;
}

/** Outputs of kubeadm.upload-certs. */
export interface KubeadmUploadCertsOutputs {
  /** When the uploaded certificates expire, ISO 8601 (empty when unknown). */
  expiresAt: string;
}

const KUBECTL = ['kubectl', '--kubeconfig', ADMIN_CONF, '-n', 'kube-system'];

/** (Re-)uploads the control-plane certificates encrypted with the coordinator's certificate key. */
export const kubeadmUploadCerts: Step<KubeadmUploadCertsParams, KubeadmUploadCertsFacts, KubeadmUploadCertsOutputs> = {
  id: 'kubeadm.upload-certs',
  title: 'Upload the control-plane certificates for joining control planes',
  params: kubeadmUploadCertsParams,
  secrets: [CERTIFICATE_KEY],

  async check(host, _params, secrets) {
    const key = certificateKeyOf(secrets);
    await requireControlPlane(host, 'kubeadm.upload-certs');
    return { ...(await readUploaded(host, key)), checkedAt: new Date().toISOString(), hostName: host.facts.hostName };
  },

  plan(facts, params, secrets) {
    const remainingMs = facts.expiresAt === undefined ? 0 : Date.parse(facts.expiresAt) - Date.parse(facts.checkedAt);
    if (facts.uploadedWithKey && remainingMs > durationMs(params.renewBefore)) {
      return planOf([], `certificates already uploaded with this key, kept until ${facts.expiresAt}`);
    }
    const config = renderUploadCertsConfig(params.kubernetesVersion, certificateKeyOf(secrets).reveal());
    return planOf(
      [
        {
          kind: 'run',
          argv: ['kubeadm', 'init', 'phase', 'upload-certs', '--upload-certs', '--skip-certificate-key-print', '--config', '{{file:upload-certs.yaml}}'],
          secretFiles: { 'upload-certs.yaml': new Secret(config) },
          why: facts.uploadedWithKey ? `the uploaded certificates expire at ${facts.expiresAt ?? 'an unknown time'}` : 'no certificates uploaded with this key yet',
        },
      ],
      'unreachable',
    );
  },

  async outputs(host, _params, _facts) {
    return { expiresAt: (await expirationOfUpload(host)) ?? '' };
  },
};

async function readUploaded(host: HostReader, key: Secret): Promise<Pick<KubeadmUploadCertsFacts, 'uploadedWithKey' | 'expiresAt'>> {
  const secret = await host.probe([...KUBECTL, 'get', 'secret', 'kubeadm-certs', '-o', 'json']);
  const ca = await host.readFile(KUBERNETES_CA_PATH);
  if (secret.exitCode !== 0 || ca === undefined) return { uploadedWithKey: false, expiresAt: undefined };
  const parsed = JSON.parse(secret.stdout) as { data?: Record<string, string> };
  const sealed = parsed.data?.['ca.crt'];
  const opened = sealed === undefined ? undefined : decryptKubeadmCert(Buffer.from(sealed, 'base64'), key.reveal());
  return { uploadedWithKey: opened?.toString('utf8').trim() === ca.trim(), expiresAt: await expirationOfUpload(host, secret.stdout) };
}

/** The kubeadm-certs Secret lives as long as the bootstrap token that owns it. */
async function expirationOfUpload(host: HostReader, secretJson?: string): Promise<string | undefined> {
  let json = secretJson;
  if (json === undefined) {
    const secret = await host.probe([...KUBECTL, 'get', 'secret', 'kubeadm-certs', '-o', 'json']);
    if (secret.exitCode !== 0) return undefined;
    json = secret.stdout;
  }
  const owner = (JSON.parse(json) as { metadata?: { ownerReferences?: { name?: string }[] } }).metadata?.ownerReferences?.[0]?.name;
  if (owner === undefined) return undefined;
  const token = await host.probe([...KUBECTL, 'get', 'secret', owner, '-o', 'json']);
  if (token.exitCode !== 0) return undefined;
  // Only the expiration is read; the token secret in the same object is dropped here.
  const expiration = (JSON.parse(token.stdout) as { data?: Record<string, string> }).data?.['expiration'];
  return expiration === undefined ? undefined : Buffer.from(expiration, 'base64').toString('utf8');
}
