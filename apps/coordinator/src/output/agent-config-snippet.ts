import type { ClusterConfig } from '../state/cluster-config';

/** An agent.yaml for this cluster, holding a freshly minted token. */
export function agentConfigSnippet(config: ClusterConfig, token: string, host: string | null): string {
  const address = config.addresses[0] ?? '127.0.0.1';
  const hostPart = address.includes(':') ? `[${address}]` : address;
  return [
    `coordinator: "${hostPart}:${config.listen.port}"`,
    `caPin: "${config.caPin}"`,
    `token: "${token}"`,
    ...(host ? [`hostName: "${host}"`] : []),
    '',
  ].join('\n');
}
