import YAML from 'yaml';
import { ApiClient, ApiTransportError, statusMessage } from '../common/api-client';
import { detachedJwsIsValid, parseBootstrapToken } from '../common/bootstrap-token';
import { parseKubeconfig } from '../common/kubeconfig';
import { publicKeyPin } from '../common/pki';
import type { JoinConfig } from './config';

/** What token discovery yields: a trusted server address and cluster CA. */
export interface DiscoveredCluster {
  readonly server: string;
  readonly caPem: string;
  readonly clusterName: string;
}

const CLUSTER_INFO = '/api/v1/namespaces/kube-public/configmaps/cluster-info';

async function fetchClusterInfo(client: ApiClient, tokenId: string, timeoutMs: number): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'failed to request the cluster-info ConfigMap';
  for (;;) {
    try {
      const res = await client.request('GET', CLUSTER_INFO);
      if (res.status !== 200) {
        lastError = `failed to request the cluster-info ConfigMap: ${statusMessage(res)}`;
      } else {
        const data = ((res.body as { data?: Record<string, string> }).data ?? {}) as Record<string, string>;
        if (data[`jws-kubeconfig-${tokenId}`] !== undefined) return data;
        lastError = `could not find a JWS signature in the cluster-info ConfigMap for token ID "${tokenId}"`;
      }
    } catch (err) {
      lastError = `failed to request the cluster-info ConfigMap: ${err instanceof ApiTransportError ? err.message : String(err)}`;
    }
    // kubeadm's DiscoveryRetryInterval is 5s; the lab polls faster but keeps the deadline.
    if (Date.now() + 1000 > deadline) throw new Error(lastError);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * kubeadm's token discovery: fetch kube-public/cluster-info without trusting the server,
 * check the token's JWS signature over the kubeconfig, pin the CA against caCertHashes,
 * then fetch it again over TLS verified by that CA and compare.
 */
export async function discoverCluster(join: JoinConfig): Promise<DiscoveredCluster> {
  const token = parseBootstrapToken(join.token);
  const server = `https://${join.apiServerEndpoint}`;
  const insecure = new ApiClient({ server }, { insecure: true, timeoutMs: 5000 });
  const data = await fetchClusterInfo(insecure, token.id, join.discoveryTimeoutMs);
  const kubeconfig = data.kubeconfig;
  if (!kubeconfig) throw new Error('there is no kubeconfig key in the cluster-info ConfigMap. This API Server isn\'t set up for token bootstrapping, can\'t connect');
  if (!detachedJwsIsValid(data[`jws-kubeconfig-${token.id}`] ?? '', kubeconfig, token)) {
    throw new Error('failed to verify JWS signature of received cluster info object, can\'t trust this API Server');
  }
  const parsed = parseKubeconfig(kubeconfig, 'the cluster-info ConfigMap');
  const caPem = parsed.caPem ?? '';
  if (!join.unsafeSkipCAVerification || join.caCertHashes.length > 0) {
    for (const hash of join.caCertHashes) {
      if (!/^sha256:[0-9a-f]{64}$/.test(hash)) throw new Error(`invalid discovery token CA certificate hash: invalid hash "${hash}", expected "sha256:<64 hex>"`);
    }
    const actual = publicKeyPin(caPem);
    if (!join.caCertHashes.includes(actual)) throw new Error(`cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${actual}" are pinned`);
  }
  const secure = new ApiClient({ server, caPem }, { timeoutMs: 5000 });
  const again = await fetchClusterInfo(secure, token.id, join.discoveryTimeoutMs);
  if (again.kubeconfig !== kubeconfig) throw new Error('the second kubeconfig from the cluster-info ConfigMap (using validated TLS) was different from the first');
  const clusterName = ((YAML.parse(kubeconfig) as { clusters?: { name?: string }[] }).clusters?.[0]?.name) ?? 'kubernetes';
  return { server, caPem, clusterName };
}
