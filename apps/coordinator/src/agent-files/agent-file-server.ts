import { createReadStream, fstatSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { AgentArch } from '../cloud-init/agent-source';
import type { Logger } from '../logging/logger';
import type { ServingMaterial } from '../state/cluster-state';
import { NO_AGENT_FILES_FIX, type AgentFiles } from './agent-dir';

/** The URL path prefix of the agent files. */
export const AGENT_FILES_PATH = '/v1/agent/';

/** The port of the agent files: the one after the coordinator's TLS port (7443 → 7444); 0 stays 0. */
export function agentFilesPort(tlsPort: number): number {
  return tlsPort === 0 ? 0 : tlsPort + 1;
}

/** Bounds for clients that have not authenticated (anyone who reaches the port). */
const LIMITS = {
  /** Concurrent connections; more are refused by the kernel backlog / closed at once. */
  maxConnections: 64,
  /** Time to send the request headers. */
  headersTimeoutMs: 10_000,
  /** Idle socket time (a stalled download ends after this). */
  socketTimeoutMs: 60_000,
  maxHeadersCount: 32,
};

/** A running agent file server. */
export interface AgentFileServer {
  port: number;
  close(): Promise<void>;
}

/** What startAgentFileServer serves, and where. */
export interface AgentFileServerOptions {
  material: Pick<ServingMaterial, 'serverCertPem' | 'serverKeyPem'>;
  host: string;
  port: number;
  /** The files (undefined: every request gets 404 naming the fix). */
  files: AgentFiles | undefined;
  logger: Logger;
}

/**
 * Serves the agent files over HTTPS with the coordinator's serving certificate (hosts
 * check it with the cluster CA: `curl --cacert`): GET or HEAD of /v1/agent/linux-x64,
 * /v1/agent/linux-arm64 and /v1/agent/SHA256SUMS, and nothing else. Read-only, fixed
 * names (no path from the request ever reaches the file system), no listing, files
 * streamed; errors name no path. Resolves once listening.
 */
export async function startAgentFileServer(options: AgentFileServerOptions): Promise<AgentFileServer> {
  const { files, logger } = options;
  const server: Server = createServer({ cert: options.material.serverCertPem, key: options.material.serverKeyPem }, (request, response) => {
    handle(request, response, files).catch((error: Error) => {
      logger.warn({ err: error.message, url: request.url?.slice(0, 100) }, 'agent file download failed');
      response.destroy();
    });
  });
  server.maxConnections = LIMITS.maxConnections;
  server.headersTimeout = LIMITS.headersTimeoutMs;
  server.requestTimeout = LIMITS.headersTimeoutMs;
  server.maxHeadersCount = LIMITS.maxHeadersCount;
  server.setTimeout(LIMITS.socketTimeoutMs, (socket) => socket.destroy());
  // A client that fails the TLS handshake is no business of the coordinator's log.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info({ port, dir: files?.dir, arches: Object.keys(files?.files ?? {}) }, 'agent files offered');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

/** The file behind each fixed name. */
function lookup(name: string, files: AgentFiles): { kind: 'file'; path: string; type: string } | { kind: 'text'; text: string } | undefined {
  if (name === 'SHA256SUMS') return { kind: 'text', text: files.sums };
  const arch = /^linux-(x64|arm64)$/.exec(name)?.[1] as AgentArch | undefined;
  const file = arch ? files.files[arch] : undefined;
  return file ? { kind: 'file', path: file.path, type: 'application/octet-stream' } : undefined;
}

async function handle(request: IncomingMessage, response: ServerResponse, files: AgentFiles | undefined): Promise<void> {
  const url = request.url ?? '';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(response, 405, 'only GET and HEAD are served here\n', { allow: 'GET, HEAD' });
    return;
  }
  const name = url.startsWith(AGENT_FILES_PATH) ? url.slice(AGENT_FILES_PATH.length) : undefined;
  if (name === undefined || !['linux-x64', 'linux-arm64', 'SHA256SUMS'].includes(name)) {
    reply(response, 404, `not found: this port serves only ${AGENT_FILES_PATH}linux-x64, ${AGENT_FILES_PATH}linux-arm64 and ${AGENT_FILES_PATH}SHA256SUMS\n`);
    return;
  }
  const found = files ? lookup(name, files) : undefined;
  if (!found) {
    reply(response, 404, `this coordinator has no kumi-agent ${name === 'SHA256SUMS' ? 'files' : `for ${name}`}: on the coordinator, ${NO_AGENT_FILES_FIX}, then restart it\n`);
    return;
  }
  if (found.kind === 'text') {
    reply(response, 200, found.text, {}, request.method === 'HEAD');
    return;
  }
  // Opened before the headers go out, so a file that vanished is a 404, not a cut download.
  const stream = createReadStream(found.path);
  const size = await new Promise<number | undefined>((resolve) => {
    stream.once('error', () => resolve(undefined));
    stream.once('open', (fd) => resolve(fstatSync(fd).size));
  });
  if (size === undefined) {
    stream.destroy();
    reply(response, 404, `this coordinator's kumi-agent for ${name} cannot be read: on the coordinator, ${NO_AGENT_FILES_FIX}\n`);
    return;
  }
  response.writeHead(200, { 'content-type': found.type, 'content-length': String(size), 'cache-control': 'no-store' });
  if (request.method === 'HEAD') {
    stream.destroy();
    response.end();
    return;
  }
  await pipeline(stream, response);
}

function reply(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}, headOnly = false): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  response.end(headOnly ? undefined : text);
}
