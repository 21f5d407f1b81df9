/** One API server behind the load balancer. */
export interface HaproxyBackend {
  name: string;
  address: string;
  port: number;
}

/** How every HAProxy configuration kumi writes begins (lb.haproxy removes only such a file). */
export const HAPROXY_CONFIG_HEADER = '# Written by kumi (step lb.haproxy)';

/** What the HAProxy configuration is made of. */
export interface HaproxyConfigInput {
  frontendPort: number;
  backends: readonly HaproxyBackend[];
}

/**
 * HAProxy configuration for the API servers, as kubeadm's HA guide describes it: TCP
 * frontend on the VIP port, round robin over every control plane, health checked with
 * `GET /healthz` over TLS (certificates not verified: the check only needs "200").
 */
export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  const servers = input.backends.map(
    (backend) => `    server ${backend.name} ${formatAddress(backend.address)}:${backend.port} check verify none`,
  );
  return [
    `${HAPROXY_CONFIG_HEADER}: load balancer for the Kubernetes API servers.`,
    '# Local edits are replaced on the next run.',
    'global',
    '    log /dev/log local0',
    '    maxconn 4000',
    '',
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    option dontlognull',
    '    retries 1',
    '    timeout connect 5s',
    '    timeout client 35s',
    '    timeout server 35s',
    '    timeout check 5s',
    '',
    'frontend apiserver',
    `    bind *:${input.frontendPort}`,
    '    mode tcp',
    '    option tcplog',
    '    default_backend apiserverbackend',
    '',
    'backend apiserverbackend',
    '    mode tcp',
    '    balance roundrobin',
    '    option httpchk',
    '    http-check connect ssl',
    '    http-check send meth GET uri /healthz',
    '    http-check expect status 200',
    '    default-server inter 3s fall 3 rise 2',
    ...servers,
    '',
  ].join('\n');
}

function formatAddress(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
