import { type ParsedArgs, boolFlag, flag } from '../common/flags';
import { hostPath } from '../common/host-env';
import { createCertificateKey } from './certs-crypto';
import { adminApi, type KubeadmContext } from './cli-context';
import { loadKubeadmConfig } from './config';
import { KubeadmError } from './kubeadm-error';
import { uploadCerts } from './upload-certs';

/** `kubeadm init phase upload-certs --upload-certs [--certificate-key K | --config F] [--skip-certificate-key-print]`. */
export async function runUploadCertsPhase(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const log = (line: string): void => ctx.out(`${line}\n`);
  if (!boolFlag(args, 'upload-certs')) {
    log('[upload-certs] Skipping phase. Please see --upload-certs');
    return;
  }
  const file = flag(args, 'config');
  const fromFlag = flag(args, 'certificate-key');
  if (file && fromFlag) throw new KubeadmError(`can not mix '--config' with arguments [certificate-key]`);
  const config = file ? loadKubeadmConfig(file, ctx.host.hostname) : undefined;
  const key = fromFlag ?? config?.init?.certificateKey ?? createCertificateKey();
  if (!/^[0-9a-f]{64}$/.test(key)) throw new KubeadmError('error decoding certificate key: the key must be 64 hexadecimal characters; make one with "kubeadm certs certificate-key"', 'upload-certs');
  const pki = hostPath(ctx.host, config?.cluster.certificatesDir ?? '/etc/kubernetes/pki');
  try {
    await uploadCerts(adminApi(ctx, flag(args, 'kubeconfig')), pki, key, ctx.now(), log);
  } catch (err) {
    throw err instanceof KubeadmError ? err : new KubeadmError(`error uploading certs: ${(err as Error).message}`, 'upload-certs');
  }
  // The key opens every CA private key: it is printed only when not asked to withhold it.
  if (boolFlag(args, 'skip-certificate-key-print')) return;
  log('[upload-certs] Using certificate key:');
  log(key);
}
