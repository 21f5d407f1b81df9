import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { FILE_FETCH_MAX_BYTES, FILE_NAME_PATTERN, type FileChunk__Output } from '@kumi/proto';
import type { Logger } from '../logging/logger';
import type { AgentRegistry, AgentSession } from '../server/agent-registry';

/** What to fetch from which host, and where to put it. */
export interface FetchRequest {
  host: string;
  /** A file of the agent's backups folder, e.g. "etcd-20261206T093000Z.db". */
  name: string;
  /** The folder the file lands in (created 0700 when missing). */
  destDir: string;
  /** What the step that made the file said its SHA-256 is; the received bytes must match it. */
  expectedSha256?: string;
  /** Default FILE_FETCH_MAX_BYTES. */
  maxBytes?: number;
  /** How long the agent may send nothing before the fetch fails (default 30 s). */
  idleTimeoutMs?: number;
}

/** A file received whole: 0600, with `<file>.sha256` beside it. */
export interface FetchedFile {
  path: string;
  sha256Path: string;
  sizeBytes: number;
  sha256: string;
}

/** A fetch that failed: the host's reason, a broken transfer, or a mismatch; nothing was left behind. */
export class FetchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FetchError';
  }
}

interface Transfer {
  fetchId: string;
  request: FetchRequest;
  session: AgentSession;
  maxBytes: number;
  handle: FileHandle;
  temp: string;
  received: number;
  hash: ReturnType<typeof createHash>;
  /** Chunks are written one after another, in arrival order. */
  queue: Promise<void>;
  idle: NodeJS.Timeout | undefined;
  settled: boolean;
  resolve(file: FetchedFile): void;
  reject(error: Error): void;
}

/** Writes `content` to `file` 0600 through a temp file and a rename. */
async function writeAtomically(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, file);
}

/**
 * Fetches files from attached agents over their Attach streams (FetchFile → FileChunks,
 * kumi.proto): each chunk must continue where the last ended and stay under the size
 * limit; the bytes go to a 0600 temp file in the destination folder; only when the last
 * chunk's size and SHA-256 (and the expected SHA-256) match what arrived is it synced and
 * renamed into place, with a `.sha256` file (sha256sum's format) beside it. Anything else
 * removes the temp file: nothing half written ever has the file's name.
 */
export class FileFetcher {
  readonly #transfers = new Map<string, Transfer>();
  readonly #unsubscribe: () => void;

  constructor(
    private readonly agents: AgentRegistry,
    private readonly logger: Logger,
  ) {
    this.#unsubscribe = agents.subscribe({
      detached: (session) => {
        for (const transfer of this.#transfers.values()) {
          if (transfer.session.sessionId === session.sessionId) this.#fail(transfer, `host "${session.hostName}" detached during the transfer; fetch again once it is back`);
        }
      },
    });
  }

  /** Fetches one file; rejects with a FetchError (nothing left in destDir) when it cannot. */
  async fetch(request: FetchRequest): Promise<FetchedFile> {
    if (!FILE_NAME_PATTERN.test(request.name)) throw new FetchError(`"${request.name}" is not a plain file name`);
    const session = this.agents.get(request.host);
    if (!session) throw new FetchError(`host "${request.host}" is not attached; start its agent and fetch again`);
    await mkdir(request.destDir, { recursive: true, mode: 0o700 });
    const fetchId = randomUUID();
    const temp = join(request.destDir, `.${request.name}.${fetchId}.part`);
    const handle = await open(temp, 'wx', 0o600);
    return new Promise<FetchedFile>((resolve, reject) => {
      const transfer: Transfer = {
        fetchId,
        request,
        session,
        maxBytes: request.maxBytes ?? FILE_FETCH_MAX_BYTES,
        handle,
        temp,
        received: 0,
        hash: createHash('sha256'),
        queue: Promise.resolve(),
        idle: undefined,
        settled: false,
        resolve,
        reject,
      };
      this.#transfers.set(fetchId, transfer);
      this.#armIdle(transfer);
      this.logger.info({ fetchId, host: request.host, name: request.name }, 'file fetch started');
      session.send({ fetch: { fetchId, name: request.name, maxBytes: transfer.maxBytes } });
    });
  }

  /** Takes one FileChunk from a host's stream (the attach handler calls it). */
  accept(hostName: string, chunk: FileChunk__Output): void {
    const transfer = this.#transfers.get(chunk.fetchId);
    if (!transfer || transfer.settled) {
      this.logger.warn({ host: hostName, fetchId: chunk.fetchId }, 'file chunk of no open fetch dropped');
      return;
    }
    if (transfer.request.host !== hostName) {
      this.logger.warn({ host: hostName, fetchId: chunk.fetchId, fetchHost: transfer.request.host }, 'file chunk from another host dropped');
      return;
    }
    this.#armIdle(transfer);
    transfer.queue = transfer.queue.then(() => this.#write(transfer, chunk)).catch((error: unknown) => this.#fail(transfer, (error as Error).message));
  }

  /** Fails every open fetch (the coordinator is stopping). */
  close(): void {
    this.#unsubscribe();
    for (const transfer of this.#transfers.values()) this.#fail(transfer, 'the coordinator stopped during the transfer');
  }

  async #write(transfer: Transfer, chunk: FileChunk__Output): Promise<void> {
    if (transfer.settled) return;
    const { request } = transfer;
    if (chunk.error) throw new Error(`${request.host} cannot send ${request.name}: ${chunk.error}`);
    if (chunk.offset !== transfer.received) throw new Error(`chunk at offset ${chunk.offset}, expected ${transfer.received}: the transfer is broken`);
    if (transfer.received + chunk.data.length > transfer.maxBytes) throw new Error(`${request.name} is larger than the limit of ${transfer.maxBytes} bytes`);
    if (chunk.data.length > 0) {
      transfer.hash.update(chunk.data);
      await transfer.handle.write(chunk.data);
      transfer.received += chunk.data.length;
    }
    if (!chunk.last) return;
    const sha256 = transfer.hash.digest('hex');
    if (chunk.totalBytes !== transfer.received) throw new Error(`${request.host} says ${request.name} has ${chunk.totalBytes} bytes, ${transfer.received} arrived`);
    if (chunk.sha256 !== sha256) throw new Error(`SHA-256 of what arrived (${sha256}) differs from what ${request.host} sent (${chunk.sha256})`);
    if (request.expectedSha256 !== undefined && request.expectedSha256 !== sha256) throw new Error(`SHA-256 of ${request.name} (${sha256}) differs from the one its step reported (${request.expectedSha256})`);
    await transfer.handle.sync();
    await transfer.handle.close();
    const path = join(request.destDir, request.name);
    const sha256Path = `${path}.sha256`;
    await rename(transfer.temp, path);
    await writeAtomically(sha256Path, `${sha256}  ${basename(path)}\n`);
    this.#settle(transfer);
    this.logger.info({ fetchId: transfer.fetchId, host: request.host, path, bytes: transfer.received, sha256 }, 'file fetched');
    transfer.resolve({ path, sha256Path, sizeBytes: transfer.received, sha256 });
  }

  #armIdle(transfer: Transfer): void {
    clearTimeout(transfer.idle);
    const ms = transfer.request.idleTimeoutMs ?? 30_000;
    transfer.idle = setTimeout(() => this.#fail(transfer, `${transfer.request.host} sent nothing of ${transfer.request.name} for ${Math.round(ms / 1000)} s`), ms);
    transfer.idle.unref();
  }

  #settle(transfer: Transfer): void {
    transfer.settled = true;
    clearTimeout(transfer.idle);
    this.#transfers.delete(transfer.fetchId);
  }

  #fail(transfer: Transfer, message: string): void {
    if (transfer.settled) return;
    this.#settle(transfer);
    this.logger.warn({ host: transfer.request.host, name: transfer.request.name, error: message }, 'file fetch failed');
    void transfer.handle
      .close()
      .catch(() => undefined)
      .then(() => rm(transfer.temp, { force: true }))
      .finally(() => transfer.reject(new FetchError(message)));
  }
}
