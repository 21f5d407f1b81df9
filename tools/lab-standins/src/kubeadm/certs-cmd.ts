import { flag, type ParsedArgs } from '../common/flags';
import { hostPath, KubePaths } from '../common/host-env';
import type { KeyAlgorithm } from '../common/pki';
import { resourceByRest } from '../common/resources';
import { createCertificateKey } from './certs-crypto';
import { expirationInfo, expirationJson, expirationText } from './certs-expiration';
import { MANAGED_CERTS } from './certs-list';
import { managedCert, renewCert } from './certs-renew';
import { adminApi, type KubeadmContext } from './cli-context';
import { clusterFromYaml } from './config';
import { KubeadmError } from './kubeadm-error';

const CONFIG_MAPS = resourceByRest('', 'configmaps');

/** What `certs check-expiration` and `certs renew` read from the cluster configuration. */
interface CertsConfig {
  certificatesDir: string;
  encryptionAlgorithm: KeyAlgorithm;
}

/**
 * k/k certs.go getInternalCfg: the ClusterConfiguration from the kubeadm-config ConfigMap
 * (FetchInitConfigurationFromCluster prints where it read it, then an empty line), or
 * kubeadm's defaults when the cluster cannot be read: renewal must work on a broken cluster.
 * `--cert-dir` overrides the certificates dir either way.
 */
async function internalConfig(args: ParsedArgs, ctx: KubeadmContext, prefix: string, print: (text: string) => void): Promise<CertsConfig> {
  const certDirFlag = flag(args, 'cert-dir');
  let config: CertsConfig = { certificatesDir: KubePaths.pkiDir, encryptionAlgorithm: 'RSA-2048' };
  try {
    const api = adminApi(ctx, flag(args, 'kubeconfig'));
    const cm = await api.get(CONFIG_MAPS, 'kube-system', 'kubeadm-config');
    const text = (cm as { data?: Record<string, string> }).data?.ClusterConfiguration ?? '';
    print(`[${prefix}] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n`);
    print(`[${prefix}] Use 'kubeadm init phase upload-config --config your-config-file' to re-upload it.\n`);
    const cluster = clusterFromYaml(text);
    config = { certificatesDir: cluster.certificatesDir, encryptionAlgorithm: cluster.encryptionAlgorithm };
    print('\n');
  } catch {
    print(`[${prefix}] Error reading configuration from the Cluster. Falling back to default configuration\n\n`);
  }
  return certDirFlag ? { ...config, certificatesDir: certDirFlag } : config;
}

function dirsOf(ctx: KubeadmContext, config: CertsConfig) {
  return { pkiDir: hostPath(ctx.host, config.certificatesDir), kubeconfigDir: hostPath(ctx.host, KubePaths.kubernetesDir) };
}

/** The leaf certificate lifetime: ClusterConfiguration.certificateValidityPeriod's default (8760h). */
const LEAF_DAYS = 365;

/**
 * `kubeadm certs ...`: certificate-key, check-expiration [-o text|json|yaml], renew all|NAME
 * (k/k cmd/kubeadm/app/cmd/certs.go).
 */
export async function runCerts(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const [sub, target, ...extra] = args.positionals;
  if (sub === 'certificate-key') {
    ctx.out(`${createCertificateKey()}\n`);
    return;
  }
  if (sub === 'check-expiration') {
    const output = flag(args, 'output') ?? 'text';
    if (!['text', 'json'].includes(output)) {
      throw new KubeadmError(`could not construct output printer: unable to match a printer suitable for the output format "${output}", allowed formats are: json,text`);
    }
    // Structured printers drop the informational lines (kubeadm's output.ResourcePrinterWrapper.Printf is silent).
    const config = await internalConfig(args, ctx, 'check-expiration', output === 'text' ? ctx.out : () => undefined);
    const info = expirationInfo(dirsOf(ctx, config), ctx.now());
    ctx.out(output === 'json' ? expirationJson(info) : expirationText(info));
    return;
  }
  if (sub === 'renew') {
    if (target === undefined) throw new KubeadmError('missing subcommand; "renew" is not meant to be run on its own');
    if (extra.length > 0) throw new KubeadmError(`unknown command "${extra[0]}" for "kubeadm certs renew ${target}"`);
    const certs = target === 'all' ? MANAGED_CERTS : [managedCert(target)];
    const config = await internalConfig(args, ctx, 'renew', ctx.out);
    const dirs = dirsOf(ctx, config);
    for (const cert of certs) await renewCert(dirs, cert, config.encryptionAlgorithm, LEAF_DAYS, ctx.now(), (line) => ctx.out(`${line}\n`));
    if (target === 'all') ctx.out('\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates.\n');
    return;
  }
  throw new KubeadmError(`unknown command "${sub ?? ''}" for "kubeadm certs"\nRun 'kubeadm certs --help' for usage.`);
}
