import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { usageError } from '../cli/cli-error';
import type { SecretRegistry } from '../journal/secret-registry';
import type { BuildModel } from '../report/build-model';
import { renderReportBody, renderReportPage } from '../report/render-html';
import { withoutSecrets } from '../report/secret-shapes';
import type { ListenAddress } from '../server/listen-address';
import { isLoopback } from './web-address';

/** Live viewers at once; more get 503 (each holds a connection and gets every update). */
export const MAX_LIVE_CLIENTS = 16;
/** A viewer that lets this much pile up unread is dropped: memory stays bounded. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const EVENTS_PATH = '/events';

/** The build's picture at one journal version, shared by every viewer. */
interface Picture {
  version: string;
  /** When it was computed (ms since the epoch). */
  at: number;
  /** Whether it is the final picture, computed after end(). */
  ended: boolean;
  model: BuildModel;
  /** The SSE `report` payload, rendered on first use. */
  data(): string;
}

/** Options of startLiveServer. */
export interface LiveServerOptions {
  address: ListenAddress;
  /** Whether addresses other than loopback were allowed on purpose (no Host check then). */
  exposed?: boolean;
  cluster: string;
  mono: boolean;
  secrets?: SecretRegistry;
  /** The picture now; `open` while the build goes on. */
  model(open: boolean): BuildModel;
  /** A value that changes whenever the picture may have (e.g. the journal's size). */
  version(): string;
  /** How often to look for changes; default 250 ms. */
  pollMs?: number;
  /** How often a picture with running steps is redrawn without a change (their bars grow); default 2 s. */
  redrawMs?: number;
  maxClients?: number;
}

/** A running live page. */
export interface LiveServer {
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  port: number;
  /** The build ended: viewers get the final picture and stop following; the page stays up. */
  end(): void;
  /** Stops serving and drops every viewer. */
  close(): Promise<void>;
}

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function plain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(`${text}\n`);
}

/** Host header values a loopback page answers to (others may be DNS rebinding). */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host.includes(':') ? `[${host}]` : host, 'localhost', '127.0.0.1', '[::1]']);
  return new Set([...names].map((name) => `${name}:${port}`));
}

/**
 * Serves the build's picture while it runs: GET / is the report page plus a script that
 * follows GET /events, a server-sent event stream of `report` events (the report's
 * content, rendered by the same code as the static file) and one `end` event. Read-only:
 * other methods get 405, other paths 404, and no answer names a file or a process.
 * Bound where asked (callers keep it on loopback unless exposed on purpose); on loopback
 * only requests whose Host names this server are answered.
 */
export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const maxClients = options.maxClients ?? MAX_LIVE_CLIENTS;
  const clients = new Set<ServerResponse>();
  let ended = false;
  let port = options.address.port;
  const checkHost = !options.exposed && isLoopback(options.address.host);

  const redrawMs = options.redrawMs ?? 2_000;
  const render = (model: BuildModel) => JSON.stringify(withoutSecrets(renderReportBody(model, { cluster: options.cluster }), options.secrets));
  // One picture for every viewer: the journal is followed once (options.model tails it) and
  // the picture recomputed only when it changed, when the build ended, or (while steps run)
  // every redrawMs as their bars grow. Page loads, new viewers and updates all share it.
  let picture: Picture | undefined;
  const current = (): Picture => {
    const version = options.version();
    const now = Date.now();
    const stale = !picture || picture.version !== version || picture.ended !== ended || (picture.model.outcome === 'running' && now - picture.at >= redrawMs);
    if (stale) {
      const model = options.model(!ended);
      let data: string | undefined;
      picture = { version, at: now, ended, model, data: () => (data ??= render(model)) };
    }
    return picture!;
  };
  const send = (client: ServerResponse, event: string, data: string) => {
    if (client.writableLength > MAX_BUFFERED_BYTES) {
      clients.delete(client);
      client.destroy();
      return;
    }
    client.write(`event: ${event}\ndata: ${data}\n\n`);
  };
  let lastSent: Picture | undefined;
  // What the last update cost: updates are spaced at least 4 times that apart, so a big
  // build's picture (1,000 hosts: about a second) takes at most a fifth of a core.
  let lastCostMs = 0;
  let lastSentAt = 0;
  const broadcast = () => {
    const started = Date.now();
    const next = current();
    if (next === lastSent) return;
    const data = next.data();
    for (const client of clients) send(client, 'report', data);
    lastSent = next;
    lastSentAt = Date.now();
    lastCostMs = lastSentAt - started;
  };

  const page = (response: ServerResponse, head: boolean) => {
    const html = renderReportPage(current().model, {
      cluster: options.cluster,
      mono: options.mono,
      ...(ended ? {} : { live: { eventsPath: EVENTS_PATH } }),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    const policy = ended ? "default-src 'none'; style-src 'unsafe-inline'" : "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'";
    response.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': policy });
    response.end(head ? undefined : html);
  };

  const follow = (request: IncomingMessage, response: ServerResponse) => {
    if (ended) return plain(response, 204, 'the build ended');
    if (clients.size >= maxClients) return plain(response, 503, `too many live viewers (${maxClients}); close one and reload`, { 'Retry-After': '10' });
    response.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    response.write('retry: 2000\n\n');
    // Everyone else first gets what changed, so the picture the newcomer gets is the last sent.
    broadcast();
    clients.add(response);
    request.on('close', () => clients.delete(response));
    send(response, 'report', current().data());
  };

  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'read-only: only GET', { Allow: 'GET, HEAD' });
    if (checkHost && !allowedHosts(options.address.host, port).has((request.headers.host ?? '').toLowerCase())) {
      return plain(response, 421, 'this page answers to its loopback address only');
    }
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') return page(response, request.method === 'HEAD');
    if (path === EVENTS_PATH && request.method === 'GET') return follow(request, response);
    return plain(response, 404, 'not found: the page is at /');
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(usageError(`--web ${options.address.host}:${options.address.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use; pick another one' : `cannot listen (${error.code ?? 'error'})`}`)),
    );
    server.listen(options.address.port, options.address.host, () => resolve());
  });
  const bound = server.address();
  port = typeof bound === 'object' && bound ? bound.port : port;

  const poll = setInterval(() => {
    if (ended || clients.size === 0 || Date.now() - lastSentAt < 4 * lastCostMs) return;
    broadcast();
  }, options.pollMs ?? 250);
  poll.unref();
  const keepAlive = setInterval(() => {
    for (const client of clients) client.write(': keep-alive\n\n');
  }, 15_000);
  keepAlive.unref();

  const host = options.address.host.includes(':') ? `[${options.address.host}]` : options.address.host;
  return {
    url: `http://${host}:${port}/`,
    port,
    end() {
      if (ended) return;
      ended = true;
      const data = current().data();
      for (const client of clients) {
        send(client, 'report', data);
        send(client, 'end', '{}');
        client.end();
      }
      clients.clear();
    },
    async close() {
      clearInterval(poll);
      clearInterval(keepAlive);
      for (const client of clients) client.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
