import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EtcdClient } from '../common/etcd-client';
import { statusBody, type KubeObject } from '../common/kube-object';
import { readCsr } from '../common/pki';
import { resourceByRest, type ResourceInfo } from '../common/resources';
import { authenticate, authorize, type Access } from './auth';
import { approveAndSignCsr, deletePodsWhere, reconcileDeployment, signClusterInfo, withNodeLiveness, type SigningCa } from './controllers';
import { reap } from './lifecycle';
import { withPdbStatus } from './pdb';
import { servePodSubresource } from './pod-subresources';
import { proxyExecUpgrade } from './streaming/exec-proxy';
import { mergePatch } from './merge-patch';
import { ObjectStore, StoreError } from './store';

/** Settings of one API server stand-in. */
export interface ApiServerOptions {
  readonly bindAddress: string;
  readonly port: number;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  readonly clientCaFile: string;
  readonly signingCa: SigningCa;
  readonly etcd: EtcdClient;
  readonly now: () => Date;
  readonly kubernetesVersion: string;
}

interface Route {
  readonly info: ResourceInfo;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Parses /api/v1/... and /apis/<group>/<version>/... into a resource route. */
export function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    rest = parts.slice(3);
  } else return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const info = resourceByRest(group, rest[2] ?? '');
    return { info, namespace: rest[1], name: rest[3], subresource: rest[4] };
  }
  const info = resourceByRest(group, rest[0] ?? '');
  return { info, name: rest[1], subresource: rest[2] };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 8 * 1024 * 1024) throw new StoreError(422, 'Invalid', 'request body larger than 8 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function matchesSelectors(obj: KubeObject, url: URL): boolean {
  const labels = obj.metadata?.labels ?? {};
  for (const term of (url.searchParams.get('labelSelector') ?? '').split(',').filter((t) => t !== '')) {
    const [k, v] = term.split('=');
    if (v === undefined ? !(k !== undefined && k in labels) : labels[k ?? ''] !== v) return false;
  }
  for (const term of (url.searchParams.get('fieldSelector') ?? '').split(',').filter((t) => t !== '')) {
    const [k, v] = term.split('=');
    const value = (k ?? '').split('.').reduce<unknown>((o, key) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined), obj);
    if (String(value ?? '') !== v) return false;
  }
  return true;
}

/** The API server stand-in: kube-apiserver's REST subset over the shared etcd. */
export class ApiServer {
  private readonly store: ObjectStore;
  private server: https.Server | undefined;

  constructor(private readonly options: ApiServerOptions) {
    // creationTimestamp is machine time like every other timestamp TLS and kubelets see; the lab clock only drives expiries.
    this.store = new ObjectStore(options.etcd, () => new Date());
  }

  /** Starts listening; resolves once bound. */
  async listen(): Promise<void> {
    const o = this.options;
    this.server = https.createServer(
      { cert: fs.readFileSync(o.tlsCertFile), key: fs.readFileSync(o.tlsKeyFile), ca: fs.readFileSync(o.clientCaFile), requestCert: true, rejectUnauthorized: false },
      (req, res) => {
        this.handle(req, res).catch((err: unknown) => {
          if (err instanceof StoreError) send(res, err.code, statusBody(err.code, err.reason, err.message));
          else send(res, 500, statusBody(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`));
        });
      },
    );
    // kubectl-stream hook: `kubectl exec` upgrades (WebSocket v5 / SPDY), proxied to the kubelet.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void proxyExecUpgrade(this.store, this.options.now(), req, socket, head).catch(() => socket.destroy()));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(o.port, o.bindAddress, () => resolve());
    });
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** kube-apiserver's etcd check: a linearizable read succeeds only while etcd has quorum. */
  private async etcdHealthy(): Promise<boolean> {
    try {
      await this.options.etcd.get('/registry/health');
      return true;
    } catch {
      return false;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const method = req.method ?? 'GET';
    if (['/healthz', '/readyz', '/livez'].includes(url.pathname)) {
      const ok = await this.etcdHealthy();
      send(res, ok ? 200 : 500, ok ? 'ok' : `[+]ping ok\n[-]etcd failed: reason withheld\n${url.pathname.slice(1)} check failed\n`);
      return;
    }
    if (url.pathname === '/version') {
      const [major, minor] = this.options.kubernetesVersion.replace(/^v/, '').split('.');
      send(res, 200, { major, minor, gitVersion: this.options.kubernetesVersion, platform: 'linux/amd64' });
      return;
    }
    const route = parseRoute(url.pathname);
    if (!route) {
      send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const now = this.options.now();
    const user = await authenticate(req, this.store, now);
    if (user === 'invalid') {
      send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const verbs: Record<string, Access['verb']> = { GET: route.name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    const verb = verbs[method];
    if (!verb) {
      send(res, 405, statusBody(405, 'MethodNotAllowed', `method ${method} not allowed`));
      return;
    }
    const access: Access = { verb, info: route.info, namespace: route.namespace, name: route.name };
    if (!authorize(user, access)) {
      const where = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
      const what = route.name ? `${route.info.resource} "${route.name}"` : route.info.resource;
      send(res, 403, statusBody(403, 'Forbidden', `${what} is forbidden: User "${user.name}" cannot ${verb} resource "${route.info.resource}" in API group "${route.info.group}"${where}`));
      return;
    }
    const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readBody(req) : '';
    let parsed: KubeObject = {};
    try {
      parsed = body === '' ? {} : (JSON.parse(body) as KubeObject);
    } catch {
      send(res, 400, statusBody(400, 'BadRequest', 'the request body is not valid JSON'));
      return;
    }
    // kubectl-stream hook: pods/eviction (eviction.ts) and non-upgrade pods/exec.
    const podSubresource = await servePodSubresource(this.store, method, route, parsed, url, now);
    if (podSubresource) return send(res, podSubresource.code, podSubresource.body);
    const result = await this.serve(method, route, parsed, url, now, req.headers['content-type'] ?? '');
    send(res, result.code, result.body);
  }

  private async present(obj: KubeObject, now: Date): Promise<KubeObject | undefined> {
    const live = await reap(this.store, obj, now);
    if (!live) return undefined;
    // Heartbeats are machine time: the lab clock moves expiries, not the kubelets' pulse.
    if (live.kind === 'Node') return withNodeLiveness(live, new Date());
    // kubectl-stream hook: a PDB's status as the disruption controller would have it (pdb.ts).
    if (live.kind === 'PodDisruptionBudget') return withPdbStatus(this.store, live, now);
    if (live.kind === 'ConfigMap' && live.metadata?.namespace === 'kube-public' && live.metadata.name === 'cluster-info') return signClusterInfo(this.store, live, now);
    return live;
  }

  private async serve(method: string, route: Route, body: KubeObject, url: URL, now: Date, contentType: string): Promise<{ code: number; body: unknown }> {
    const { info, namespace, name, subresource } = route;
    const store = this.store;
    if (method === 'GET' && name) {
      const obj = await this.present(await store.get(info, namespace, name), now);
      if (!obj) throw new StoreError(404, 'NotFound', `${info.group === '' ? info.resource : `${info.resource}.${info.group}`} "${name}" not found`);
      return { code: 200, body: obj };
    }
    if (method === 'GET') {
      const items: KubeObject[] = [];
      for (const obj of await store.list(info, namespace)) {
        const shown = await this.present(obj, now);
        if (shown && matchesSelectors(shown, url)) items.push(shown);
      }
      const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
      return { code: 200, body: { kind: `${info.kind}List`, apiVersion, metadata: {}, items } };
    }
    if (method === 'POST') {
      let obj = body;
      if (info.resource === 'certificatesigningrequests') obj = await this.approveCsr(obj);
      if (info.resource === 'pods') obj = withPendingPhase(obj);
      const created = await store.create(info, namespace, obj);
      if (info.resource === 'deployments') await reconcileDeployment(store, created);
      return { code: 201, body: created };
    }
    if (!name) throw new StoreError(422, 'Invalid', `${method} needs a resource name`);
    if (method === 'DELETE') {
      const deleted = await store.delete(info, namespace, name);
      if (info.resource === 'deployments') await deletePodsWhere(store, (p) => p.metadata?.ownerReferences?.some((o) => o.uid === deleted.metadata?.uid) === true);
      if (info.resource === 'nodes') await deletePodsWhere(store, (p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === name);
      return { code: 200, body: deleted };
    }
    let next: KubeObject;
    if (method === 'PATCH') {
      if (contentType.includes('json-patch+json')) throw new StoreError(422, 'Invalid', 'JSON patch is not supported by the lab API server; use a merge patch');
      const current = await store.get(info, namespace, name);
      next = mergePatch(current, body) as KubeObject;
      next.metadata = { ...next.metadata, resourceVersion: current.metadata?.resourceVersion };
    } else if (subresource === 'status') {
      const current = await store.get(info, namespace, name);
      next = { ...current, status: body.status };
    } else next = body;
    const updated = await store.update(info, namespace, name, next);
    if (info.resource === 'deployments') await reconcileDeployment(store, updated);
    return { code: 200, body: updated };
  }

  private async approveCsr(csr: KubeObject): Promise<KubeObject> {
    const spec = (csr.spec ?? {}) as { request?: string; signerName?: string };
    if (spec.signerName !== 'kubernetes.io/kube-apiserver-client-kubelet' || !spec.request) return csr;
    const subject = await readCsr(Buffer.from(spec.request, 'base64').toString('utf8'));
    if (!subject.commonName.startsWith('system:node:') || subject.organizations.join(',') !== 'system:nodes') {
      throw new StoreError(422, 'Invalid', `CertificateSigningRequest is invalid: a kubelet client certificate must be for "system:node:<name>" in group "system:nodes", got "${subject.commonName}"`);
    }
    // Certificates are checked by TLS stacks against the machine clock, never the lab clock.
    return approveAndSignCsr(csr, this.options.signingCa, new Date());
  }
}

/**
 * A new pod starts Pending, as the pod strategy's PrepareForCreate sets it (kubectl apply -f
 * sends no status). The lab keeps a phase the creator gave (kubeadm's mirror pods say Running).
 */
export function withPendingPhase(pod: KubeObject): KubeObject {
  const status = (pod.status ?? {}) as Record<string, unknown>;
  return typeof status.phase === 'string' && status.phase !== '' ? pod : { ...pod, status: { ...status, phase: 'Pending' } };
}
