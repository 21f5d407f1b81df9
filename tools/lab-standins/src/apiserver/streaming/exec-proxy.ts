import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { statusBody, type KubeObject } from '../../common/kube-object';
import { resourceByRest } from '../../common/resources';
import { authenticate, authorize } from '../auth';
import type { ObjectStore } from '../store';

const PODS = resourceByRest('', 'pods');
const NODES = resourceByRest('', 'nodes');
const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/;
/** How long dialing a kubelet may take before "error dialing backend". */
const DIAL_TIMEOUT_MS = 10_000;

/** True for a request of the pods/exec subresource. */
export function isExecPath(pathname: string): boolean {
  return EXEC_PATH.test(pathname);
}

/** Writes an API Status as a plain HTTP response on a socket that was not upgraded. */
function sendStatus(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify(statusBody(code, reason, message));
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** The container an exec goes to, or the 400 the pod strategy answers (k/k pkg/registry/core/pod/strategy.go streamLocation). */
function pickContainer(pod: KubeObject, wanted: string | null): { name: string } | { error: string } {
  const name = pod.metadata?.name ?? '';
  const containers = ((pod.spec as { containers?: { name: string }[] } | undefined)?.containers ?? []).map((c) => c.name);
  if (!wanted) {
    if (containers.length === 1 && containers[0]) return { name: containers[0] };
    return { error: `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]` };
  }
  return containers.includes(wanted) ? { name: wanted } : { error: `container ${wanted} is not valid for pod ${name}` };
}

/** Go's net.Dial error text for a failed connect, as "error dialing backend" quotes it. */
function dialError(address: string, err: NodeJS.ErrnoException): string {
  const why = { ECONNREFUSED: 'connect: connection refused', EHOSTUNREACH: 'connect: no route to host', ENETUNREACH: 'connect: network is unreachable', ETIMEDOUT: 'i/o timeout' }[err.code ?? ''] ?? err.message;
  return `error dialing backend: dial tcp ${address}: ${why}`;
}

/**
 * pods/exec: after authentication and authorization, the pod strategy's ExecLocation picks the
 * container and the node's kubelet (/exec/NS/POD/CONTAINER on the node's InternalIP and kubelet
 * port), and the UpgradeAwareHandler (k8s.io/apimachinery/pkg/util/proxy/upgradeaware.go)
 * forwards the upgrade request there and splices the two connections. A real API server from
 * v1.30 translates WebSocket v5 to SPDY for the kubelet (apiserver pkg/util/proxy
 * streamtranslator.go); the lab's kubelet speaks v5 itself, so the bytes pass unchanged. Like
 * kubeadm's API server, the kubelet's serving certificate is not verified.
 */
export async function proxyExecUpgrade(store: ObjectStore, now: Date, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', () => socket.destroy());
  const url = new URL(req.url ?? '/', 'https://apiserver');
  const match = EXEC_PATH.exec(url.pathname);
  if (!match?.[1] || !match[2]) return sendStatus(socket, 404, 'NotFound', 'the server could not find the requested resource');
  const namespace = decodeURIComponent(match[1]);
  const name = decodeURIComponent(match[2]);
  const user = await authenticate(req, store, now);
  if (user === 'invalid') return sendStatus(socket, 401, 'Unauthorized', 'Unauthorized');
  if (!authorize(user, { verb: 'create', info: PODS, namespace, name })) {
    return sendStatus(socket, 403, 'Forbidden', `pods "${name}" is forbidden: User "${user.name}" cannot create resource "pods/exec" in API group "" in the namespace "${namespace}"`);
  }
  const pod = await store.find(PODS, namespace, name);
  if (!pod) return sendStatus(socket, 404, 'NotFound', `pods "${name}" not found`);
  const container = pickContainer(pod, url.searchParams.get('container'));
  if ('error' in container) return sendStatus(socket, 400, 'BadRequest', container.error);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return sendStatus(socket, 400, 'BadRequest', `cannot exec into a container in a completed pod; current phase is ${phase}`);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return sendStatus(socket, 400, 'BadRequest', `pod ${name} does not have a host assigned`);
  const node = await store.find(NODES, undefined, nodeName);
  const status = (node?.status ?? {}) as { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const ip = (status.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
  if (!ip) return sendStatus(socket, 500, 'InternalError', `Internal error occurred: node ${nodeName} has no InternalIP address`);
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port ?? 10250;
  url.searchParams.set('container', container.name);
  const target = `/exec/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/${encodeURIComponent(container.name)}?${url.searchParams.toString()}`;
  const backend = tls.connect({ host: ip, port, rejectUnauthorized: false, timeout: DIAL_TIMEOUT_MS });
  backend.once('timeout', () => backend.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
  backend.on('error', (err: NodeJS.ErrnoException) => {
    // Before the TLS handshake this is a dial failure the client gets as a Status; after it, the splice just ends.
    if (backend.bytesWritten > 0 || socket.destroyed) socket.destroy();
    else sendStatus(socket, 500, '', dialError(`${ip}:${port}`, err));
  });
  backend.once('secureConnect', () => {
    backend.setTimeout(0);
    // The client's credentials stay here; the kubelet sees the API server (upgradeaware.go strips Authorization).
    const headers = Object.entries(req.headers)
      .filter(([key]) => !['host', 'authorization', 'content-length'].includes(key))
      .flatMap(([key, value]) => (Array.isArray(value) ? value : [value ?? '']).map((v) => `${key}: ${v}`));
    backend.write([`${req.method ?? 'GET'} ${target} HTTP/1.1`, `Host: ${ip}:${port}`, ...headers, '', ''].join('\r\n'));
    if (head.length > 0) backend.write(head);
    backend.pipe(socket);
    socket.pipe(backend);
    backend.on('close', () => socket.destroy());
    socket.on('close', () => backend.destroy());
  });
}
