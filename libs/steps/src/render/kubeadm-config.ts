import { stringify } from 'yaml';

/** kubeadm's config API version for a Kubernetes version: v1beta4 from 1.31, v1beta3 before. */
export function kubeadmApiVersionFor(kubernetesVersion: string): string {
  const minor = Number(kubernetesVersion.split('.')[1]);
  return minor >= 31 ? 'kubeadm.k8s.io/v1beta4' : 'kubeadm.k8s.io/v1beta3';
}

/** A bootstrap token entry of InitConfiguration. */
export interface BootstrapTokenEntry {
  token: string;
  ttl: string;
  description: string;
}

/** What `kubeadm init --config` needs. */
export interface InitConfigInput {
  kubernetesVersion: string;
  controlPlaneEndpoint: string;
  advertiseAddress: string;
  bindPort: number;
  nodeName: string;
  criSocket: string;
  podSubnet: string;
  serviceSubnet: string;
  clusterName: string;
  certSans: readonly string[];
  bootstrapToken: BootstrapTokenEntry | undefined;
  certificateKey: string | undefined;
}

const TOKEN_GROUPS = ['system:bootstrappers:kubeadm:default-node-token'];
const TOKEN_USAGES = ['signing', 'authentication'];

/**
 * InitConfiguration + ClusterConfiguration as one YAML file. It holds the bootstrap
 * token and the certificate key: callers wrap it in a Secret and hand it over as a 0600 file.
 */
export function renderInitConfig(input: InitConfigInput): string {
  const apiVersion = kubeadmApiVersionFor(input.kubernetesVersion);
  const init: Record<string, unknown> = { apiVersion, kind: 'InitConfiguration' };
  if (input.bootstrapToken !== undefined) {
    init['bootstrapTokens'] = [{ ...input.bootstrapToken, usages: TOKEN_USAGES, groups: TOKEN_GROUPS }];
  }
  if (input.certificateKey !== undefined) init['certificateKey'] = input.certificateKey;
  init['localAPIEndpoint'] = { advertiseAddress: input.advertiseAddress, bindPort: input.bindPort };
  init['nodeRegistration'] = { name: input.nodeName, criSocket: input.criSocket };
  const cluster: Record<string, unknown> = {
    apiVersion,
    kind: 'ClusterConfiguration',
    clusterName: input.clusterName,
    kubernetesVersion: `v${input.kubernetesVersion}`,
    controlPlaneEndpoint: input.controlPlaneEndpoint,
    networking: { podSubnet: input.podSubnet, serviceSubnet: input.serviceSubnet },
  };
  if (input.certSans.length > 0) cluster['apiServer'] = { certSANs: [...input.certSans] };
  return `${stringify(init)}---\n${stringify(cluster)}`;
}

/**
 * A ClusterConfiguration naming only the version. kubeadm commands that take --config but
 * read no cluster settings (token create, init phase upload-certs) otherwise default
 * kubernetesVersion to "stable-1" and look that label up on dl.k8s.io: a delay and a warning
 * offline (kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/v1beta4/defaults.go
 * DefaultKubernetesVersion, v1.33).
 */
function versionOnlyClusterConfig(kubernetesVersion: string): string {
  return stringify({ apiVersion: kubeadmApiVersionFor(kubernetesVersion), kind: 'ClusterConfiguration', kubernetesVersion: `v${kubernetesVersion}` });
}

/**
 * An InitConfiguration holding only a bootstrap token plus the version-only
 * ClusterConfiguration, for `kubeadm token create --config`.
 */
export function renderTokenConfig(kubernetesVersion: string, token: BootstrapTokenEntry): string {
  return `${stringify({
    apiVersion: kubeadmApiVersionFor(kubernetesVersion),
    kind: 'InitConfiguration',
    bootstrapTokens: [{ ...token, usages: TOKEN_USAGES, groups: TOKEN_GROUPS }],
  })}---\n${versionOnlyClusterConfig(kubernetesVersion)}`;
}

/** What `kubeadm join --config` needs. */
export interface JoinConfigInput {
  kubernetesVersion: string;
  apiServerEndpoint: string;
  token: string;
  caCertHashes: readonly string[];
  nodeName: string;
  criSocket: string;
  /** Present for a control plane. */
  controlPlane: { advertiseAddress: string; bindPort: number; certificateKey: string } | undefined;
}

/** JoinConfiguration for a worker or a control plane. Holds secrets: hand it over as a Secret file. */
export function renderJoinConfig(input: JoinConfigInput): string {
  const join: Record<string, unknown> = {
    apiVersion: kubeadmApiVersionFor(input.kubernetesVersion),
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: { apiServerEndpoint: input.apiServerEndpoint, token: input.token, caCertHashes: [...input.caCertHashes] },
    },
    nodeRegistration: { name: input.nodeName, criSocket: input.criSocket },
  };
  if (input.controlPlane !== undefined) {
    join['controlPlane'] = {
      localAPIEndpoint: { advertiseAddress: input.controlPlane.advertiseAddress, bindPort: input.controlPlane.bindPort },
      certificateKey: input.controlPlane.certificateKey,
    };
  }
  return stringify(join);
}

/**
 * The config for `kubeadm init phase upload-certs --config`: the certificate key (which
 * cannot be passed as a flag next to --config) and the version, so kubeadm looks nothing up.
 */
export function renderUploadCertsConfig(kubernetesVersion: string, certificateKey: string): string {
  return `${stringify({ apiVersion: kubeadmApiVersionFor(kubernetesVersion), kind: 'InitConfiguration', certificateKey })}---\n${versionOnlyClusterConfig(kubernetesVersion)}`;
}
