import fs from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EtcdClient } from '../common/etcd-client';
import { statusBody, type KubeObject } from '../common/kube-object';
import { readCsr } from '../common/pki';
import { knownResources, registryKey, resourceByRest, type ResourceInfo } from '../common/resources';
import type { TlsMaterial } from '../common/tls-files';
import { authenticate, authorize, type Access } from './auth';
import { approveAndSignCsr, deletePodsWhere, reconcileDeployment, signClusterInfo, withNodeLiveness, type SigningCa } from './controllers';
import { apiGroupList, apiResourceList, apiVersions } from './discovery';
import { EtcdWatcher } from './etcd-watch';
import { validateFields } from './field-validation';
import { reap } from './lifecycle';
import { withPdbStatus } from './pdb';
import { servePodSubresource } from './pod-subresources';
import { proxyExecUpgrade } from './streaming/exec-proxy';
import { protobufToJson } from './protobuf';
import { openApiV3 } from './openapi';
import { applyPatch } from './patch';
import { selection } from './selectors';
import { ObjectStore, StoreError } from './store';
import { admitNamespace, ensureSystemNamespaces, newNamespace } from './system-namespaces';
import { TABLE_CONTENT_TYPE, toTable, wantsTable } from './table';
import { serveWatch } from './watch';

const DEPLOYMENTS = resourceByRest('apps', 'deployments');

/** Settings of one API server stand-in. */
export interface ApiServerOptions {
  readonly bindAddress: string;
  readonly port: number;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  readonly clientCaFile: string;
  readonly signingCa: SigningCa;
  readonly etcd: EtcdClient;
  /** The etcd client's TLS material, for the watch stream (etcd-watch.ts). */
  readonly etcdTls: TlsMaterial;
  readonly now: () => Date;
  readonly kubernetesVersion: string;
}

/** A request path resolved to a resource (and object, subresource). */
export interface Route {
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

function send(res: ServerResponse, code: number, body: unknown, contentType?: string): void {
  // A watch that failed after its headers went out can only end its stream.
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType ?? (typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json') });
  res.end(text);
}

function parseObject(text: string): KubeObject {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as KubeObject;
  } catch {
    // answered below
  }
  throw new StoreError(400, 'BadRequest', 'the request body is not a JSON object');
}

/** Kinds the lab knows the Go types of (strategic merge patch needs their merge keys). */
function isBuiltIn(info: ResourceInfo): boolean {
  return knownResources().some((r) => r.group === info.group && r.resource === info.resource);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 8 * 1024 * 1024) throw new StoreError(422, 'Invalid', 'request body larger than 8 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The API server stand-in: kube-apiserver's REST subset over the shared etcd. */
export class ApiServer {
  private readonly store: ObjectStore;
  private readonly watcher: EtcdWatcher;
  private server: https.Server | undefined;

  constructor(private readonly options: ApiServerOptions) {
    this.watcher = new EtcdWatcher(options.etcd.endpoints, options.etcdTls);
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
    // `kubectl exec` upgrades (WebSocket v5 / SPDY), proxied to the kubelet.
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void proxyExecUpgrade(this.store, this.options.now(), req, socket, head).catch(() => socket.destroy()));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(o.port, o.bindAddress, () => resolve());
    });
    void ensureSystemNamespaces(this.store);
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
    const now = this.options.now();
    const user = await authenticate(req, this.store, now);
    if (user === 'invalid') {
      send(res, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const route = parseRoute(url.pathname);
    if (!route) {
      // Discovery and OpenAPI are readable by every authenticated user (the system:discovery role).
      const document = user.groups.includes('system:authenticated') && method === 'GET' ? this.discovery(url.pathname, req) : undefined;
      if (document === undefined) send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      else send(res, 200, document);
      return;
    }
    const watching = method === 'GET' && !route.name && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const verbs: Record<string, Access['verb']> = { GET: watching ? 'watch' : route.name ? 'get' : 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    const verb = verbs[method];
    if (!verb) {
      send(res, 405, statusBody(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
      return;
    }
    const access: Access = { verb, info: route.info, namespace: route.namespace, name: route.name };
    if (!authorize(user, access)) {
      const where = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
      const what = route.name ? `${route.info.resource} "${route.name}"` : route.info.resource;
      send(res, 403, statusBody(403, 'Forbidden', `${what} is forbidden: User "${user.name}" cannot ${verb} resource "${route.info.resource}" in API group "${route.info.group}"${where}`));
      return;
    }
    if (watching) {
      const prefix = registryKey(route.info.resource, route.info.namespaced ? route.namespace : undefined);
      await serveWatch(req, res, this.watcher, { prefix, selection: selection(url), url, present: (obj) => this.present(obj, this.options.now()) });
      return;
    }
    const raw = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE' ? await readBody(req) : Buffer.alloc(0);
    const body = (req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf') && raw.length > 0 ? protobufToJson(raw) : raw.toString('utf8');
    // pods/eviction (eviction.ts) and non-upgrade pods/exec.
    const podSubresource = await servePodSubresource(this.store, method, route, body, url, now);
    if (podSubresource) return send(res, podSubresource.code, podSubresource.body);
    // The other subresources but status answer 404, as for a resource the server does not have.
    if (route.subresource !== undefined && route.subresource !== 'status') {
      send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const result = await this.serve(method, route, body, url, now, req.headers['content-type'] ?? '');
    if (result.warnings && result.warnings.length > 0) res.setHeader('warning', result.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    if (method === 'GET' && wantsTable(req.headers.accept ?? '')) {
      const b = result.body as KubeObject;
      const items = route.name ? [b] : ((b.items ?? []) as KubeObject[]);
      const listMeta = route.name ? { resourceVersion: b.metadata?.resourceVersion } : (b.metadata as Record<string, unknown>);
      send(res, 200, toTable(route.info.resource, items, listMeta, url.searchParams.get('includeObject'), new Date()), TABLE_CONTENT_TYPE);
      return;
    }
    send(res, result.code, result.body);
  }

  /** The discovery and OpenAPI documents (see discovery.ts, openapi.ts); undefined for an unknown path. */
  private discovery(pathname: string, req: IncomingMessage): unknown {
    const parts = pathname.split('/').filter((p) => p !== '');
    if (pathname.startsWith('/openapi/v3')) return openApiV3(pathname);
    if (parts.length === 1 && parts[0] === 'api') return apiVersions(`${req.socket.localAddress ?? this.options.bindAddress}:${this.options.port}`);
    if (parts.length === 1 && parts[0] === 'apis') return apiGroupList();
    if (parts.length === 2 && parts[0] === 'api') return apiResourceList('', parts[1] ?? '');
    if (parts.length === 3 && parts[0] === 'apis') return apiResourceList(parts[1] ?? '', parts[2] ?? '');
    return undefined;
  }

  private async present(obj: KubeObject, now: Date): Promise<KubeObject | undefined> {
    const live = await reap(this.store, obj, now);
    if (!live) return undefined;
    // Heartbeats are machine time: the lab clock moves expiries, not the kubelets' pulse.
    if (live.kind === 'Node') return withNodeLiveness(live, new Date());
    // a PDB's status as the disruption controller would have it (pdb.ts).
    if (live.kind === 'PodDisruptionBudget') return withPdbStatus(this.store, live, now);
    if (live.kind === 'ConfigMap' && live.metadata?.namespace === 'kube-public' && live.metadata.name === 'cluster-info') return signClusterInfo(this.store, live, now);
    return live;
  }

  private async serve(method: string, route: Route, text: string, url: URL, now: Date, contentType: string): Promise<{ code: number; body: unknown; warnings?: string[] }> {
    const { info, namespace, name, subresource } = route;
    const store = this.store;
    if (method === 'GET' && name) {
      const obj = await this.present(await store.get(info, namespace, name), now);
      if (!obj) throw new StoreError(404, 'NotFound', `${info.group === '' ? info.resource : `${info.resource}.${info.group}`} "${name}" not found`);
      return { code: 200, body: obj };
    }
    if (method === 'GET') {
      // The list's resourceVersion is the etcd revision of the read: a watch from it misses nothing.
      const listed = await this.watcher.listAt(registryKey(info.resource, info.namespaced ? namespace : undefined));
      const wanted = selection(url);
      const items: KubeObject[] = [];
      for (const kv of listed.kvs) {
        const parsedObj = JSON.parse(kv.value) as KubeObject;
        const shown = await this.present({ ...parsedObj, metadata: { ...parsedObj.metadata, resourceVersion: kv.modRevision } }, now);
        if (shown && wanted.matches(shown)) items.push(shown);
      }
      const apiVersion = info.group === '' ? info.version : `${info.group}/${info.version}`;
      return { code: 200, body: { kind: `${info.kind}List`, apiVersion, metadata: { resourceVersion: listed.revision }, items } };
    }
    if (method === 'DELETE') {
      if (!name) throw new StoreError(405, 'MethodNotAllowed', 'the lab API server does not serve deletecollection; delete objects by name');
      return this.remove(route, name, text);
    }
    const validation = url.searchParams.get('fieldValidation');
    if (method === 'POST') {
      let obj = parseObject(text);
      const warnings = validateFields(info, obj, validation, 'creating');
      if (info.resource === 'certificatesigningrequests') obj = await this.approveCsr(obj);
      if (info.resource === 'pods') obj = withPendingPhase(obj);
      if (info.resource === 'namespaces') obj = newNamespace(obj);
      await admitNamespace(store, info, namespace ?? obj.metadata?.namespace ?? 'default');
      const created = await store.create(info, namespace, obj);
      if (info.resource === 'deployments') await reconcileDeployment(store, created);
      return { code: 201, body: created, warnings };
    }
    if (!name) throw new StoreError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    if (method === 'PATCH') return this.patch(route, name, text, contentType, validation);
    let next = parseObject(text);
    const warnings = validateFields(info, next, validation, 'updating');
    if (subresource === 'status') {
      const current = await store.get(info, namespace, name);
      next = { ...current, status: next.status, metadata: { ...current.metadata, resourceVersion: next.metadata?.resourceVersion } };
    }
    const updated = await store.update(info, namespace, name, next);
    if (info.resource === 'deployments') await reconcileDeployment(store, updated);
    return { code: 200, body: updated, warnings };
  }

  /**
   * PATCH: read, patch, write back conditionally. A resourceVersion the patch itself sets is
   * a precondition (409 Conflict when stale); otherwise a write that lost a race is retried
   * on the fresh object, as patch.go's patcher retries on conflict.
   */
  private async patch(route: Route, name: string, text: string, contentType: string, validation: string | null): Promise<{ code: number; body: unknown; warnings?: string[] }> {
    const { info, namespace } = route;
    for (let attempt = 0; ; attempt++) {
      const current = await this.store.get(info, namespace, name);
      const next = applyPatch(info, isBuiltIn(info), current, contentType, text);
      const warnings = validateFields(info, next, validation, 'patching');
      next.metadata = { ...next.metadata, name, namespace: current.metadata?.namespace, resourceVersion: next.metadata?.resourceVersion ?? current.metadata?.resourceVersion };
      const preconditioned = next.metadata.resourceVersion !== current.metadata?.resourceVersion;
      try {
        const updated = await this.store.update(info, namespace, name, next);
        if (info.resource === 'deployments') await reconcileDeployment(this.store, updated);
        return { code: 200, body: updated, warnings };
      } catch (err) {
        if (preconditioned || attempt >= 4 || !(err instanceof StoreError) || err.code !== 409) throw err;
      }
    }
  }

  /**
   * DELETE with metav1.DeleteOptions in the body: preconditions (uid, resourceVersion) are
   * checked (409 Conflict), propagationPolicy Orphan keeps a Deployment's pods, Background and
   * Foreground (the default for Deployments through the garbage collector) delete them. The
   * answer is the deleted Pod for pods (pod storage sets ReturnDeletedObject) and a Success
   * Status for other kinds, as genericregistry.Store.Delete returns.
   */
  private async remove(route: Route, name: string, text: string): Promise<{ code: number; body: unknown }> {
    const { info, namespace } = route;
    const options = (text.trim() === '' ? {} : parseObject(text)) as { propagationPolicy?: string; preconditions?: { uid?: string; resourceVersion?: string } };
    const policy = options.propagationPolicy ?? 'Background';
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) throw new StoreError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    const current = await this.store.get(info, namespace, name);
    const pre = options.preconditions ?? {};
    if ((pre.uid && pre.uid !== current.metadata?.uid) || (pre.resourceVersion && pre.resourceVersion !== current.metadata?.resourceVersion)) {
      const which = pre.uid && pre.uid !== current.metadata?.uid ? `UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata?.uid}` : `ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion}`;
      throw new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${info.group === '' ? info.resource : `${info.resource}.${info.group}`} "${name}": Precondition failed: ${which}`);
    }
    const deleted = await this.store.delete(info, namespace, name);
    if (info.resource === 'deployments' && policy !== 'Orphan') await deletePodsWhere(this.store, (p) => p.metadata?.ownerReferences?.some((o) => o.uid === deleted.metadata?.uid) === true);
    if (info.resource === 'nodes') await deletePodsWhere(this.store, (p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === name);
    if (info.resource === 'pods') {
      // The ReplicaSet controller's part: a deleted pod of a Deployment is replaced.
      const owner = deleted.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment' && o.controller === true);
      const deployment = owner ? await this.store.find(DEPLOYMENTS, namespace, owner.name ?? '') : undefined;
      if (deployment && deployment.metadata?.uid === owner?.uid) await reconcileDeployment(this.store, deployment);
      return { code: 200, body: deleted };
    }
    return { code: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: info.group, kind: info.resource, uid: deleted.metadata?.uid } } };
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
