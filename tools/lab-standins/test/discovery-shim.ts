// A reverse proxy in front of the API server stand-in for real-kubectl tests: it answers the
// discovery documents (/api, /apis, APIResourceLists) when the stand-in does not serve them yet
// (discovery is issue 14 part A) and forwards everything else, connection upgrades included,
// with the admin client certificate. kubectl talks to it over TLS without verification.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { KubeconfigCredentials } from '../src/common/kubeconfig';
import { createCa } from '../src/common/pki';

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const resource = (name: string, kind: string, namespaced: boolean, shortNames?: string[]): Record<string, unknown> => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: VERBS, ...(shortNames ? { shortNames } : {}) });

/** The discovery documents of the resources these tests use, in the shape k8s.io/apiserver serves them. */
const DISCOVERY: Readonly<Record<string, unknown>> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: ['apps', 'policy'].map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      resource('namespaces', 'Namespace', false, ['ns']),
      resource('nodes', 'Node', false, ['no']),
      resource('pods', 'Pod', true, ['po']),
      // kubectl drain evicts only when pods/eviction is listed (kubectl/pkg/drain/drain.go CheckEvictionSupport).
      { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
      resource('services', 'Service', true, ['svc']),
    ],
  },
  '/apis/apps/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: [resource('daemonsets', 'DaemonSet', true, ['ds']), resource('deployments', 'Deployment', true, ['deploy'])] },
  '/apis/policy/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'policy/v1', resources: [resource('poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'])] },
};

/** The proxy; `kubeconfig()` is what kubectl is given. */
export class DiscoveryShim {
  private server: https.Server | undefined;
  private readonly target: URL;

  constructor(
    private readonly upstream: KubeconfigCredentials,
    /** True: answer discovery here; false: forward it too (the stand-in serves it). */
    private readonly serveDiscovery: boolean,
  ) {
    this.target = new URL(upstream.server);
  }

  private tlsOptions(): tls.ConnectionOptions {
    return { host: this.target.hostname, port: Number(this.target.port), ca: this.upstream.caPem, cert: this.upstream.clientCertPem, key: this.upstream.clientKeyPem };
  }

  /** Listens on 127.0.0.1 (a free port) and returns the kubeconfig to reach the API through it. */
  async start(): Promise<string> {
    const self = await createCa('discovery-shim', 'ECDSA-P256', new Date());
    this.server = https.createServer({ cert: self.certPem, key: self.key.privateKeyPem }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const doc = this.serveDiscovery ? DISCOVERY[path] : undefined;
      if (doc) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(doc));
        return;
      }
      const headers = { ...req.headers };
      delete headers.host;
      delete headers.authorization;
      const forward = https.request({ ...this.tlsOptions(), method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.forwardUpgrade(req, socket, head));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- cluster:',
      `    server: https://127.0.0.1:${port}`,
      '    insecure-skip-tls-verify: true',
      '  name: lab',
      'contexts:',
      '- context:',
      '    cluster: lab',
      '    user: admin',
      '  name: admin@lab',
      'current-context: admin@lab',
      'users:',
      '- name: admin',
      // Any credential keeps kubectl from prompting; the shim drops it and uses the admin certificate.
      '  user:',
      '    token: discovery-shim',
      '',
    ].join('\n');
  }

  private forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const upstream = tls.connect(this.tlsOptions(), () => {
      const lines = Object.entries(req.headers)
        .filter(([key]) => key !== 'host' && key !== 'authorization')
        .flatMap(([key, value]) => (Array.isArray(value) ? value : [value ?? '']).map((v) => `${key}: ${v}`));
      upstream.write([`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`, `Host: ${this.target.host}`, ...lines, '', ''].join('\r\n'));
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
