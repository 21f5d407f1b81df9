import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { FILE_CHUNK_BYTES, FILE_NAME_PATTERN, type FetchFile__Output, type FileChunk } from '@kumi/proto';
import type { Logger } from 'pino';

/**
 * The one folder the agent hands files out of: where step etcd.snapshot leaves its
 * snapshots (libs/steps SNAPSHOT_DIR; a test keeps the two equal).
 */
export const BACKUPS_DIR = '/var/lib/kumi/backups';

/** Sends one chunk and resolves once the stream can take more (rejects when the stream is gone). */
export type ChunkWriter = (chunk: FileChunk) => Promise<void>;

/**
 * Answers FetchFile (kumi.proto): a plain file directly in the backups folder, opened
 * without following links, sent in FILE_CHUNK_BYTES pieces with back-pressure, then a last
 * chunk with its size and SHA-256. Anything else gets a last chunk with the reason. One
 * fetch at a time.
 */
export class FileSender {
  #busy = false;

  constructor(
    /** The host root ("/" on a real host) the backups folder is under. */
    private readonly root: string,
    private readonly logger: Logger,
  ) {}

  async send(request: FetchFile__Output, write: ChunkWriter): Promise<void> {
    const { fetchId, name } = request;
    const refuse = (error: string) => {
      this.logger.warn({ fetchId, name, error }, 'file fetch refused');
      return write({ fetchId, last: true, error });
    };
    if (!FILE_NAME_PATTERN.test(name)) return refuse(`"${name}" is not a plain file name: only files directly in ${BACKUPS_DIR} are handed out`);
    if (this.#busy) return refuse('another file is being sent; fetch again when it is done');
    this.#busy = true;
    try {
      await this.#sendFile(request, path.join(this.root, BACKUPS_DIR, name), write, refuse);
    } finally {
      this.#busy = false;
    }
  }

  async #sendFile(request: FetchFile__Output, file: string, write: ChunkWriter, refuse: (error: string) => Promise<void>): Promise<void> {
    const { fetchId, name, maxBytes } = request;
    let handle;
    try {
      // O_NOFOLLOW: a link planted in the folder must not hand out what it points to.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      return refuse(`cannot open ${BACKUPS_DIR}/${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return await refuse(`${BACKUPS_DIR}/${name} is not a regular file`);
      if (maxBytes > 0 && stat.size > maxBytes) return await refuse(`${BACKUPS_DIR}/${name} has ${stat.size} bytes, more than the ${maxBytes} asked for`);
      const hash = createHash('sha256');
      const buffer = Buffer.alloc(FILE_CHUNK_BYTES);
      let offset = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, FILE_CHUNK_BYTES, offset);
        if (bytesRead === 0) break;
        const data = Buffer.from(buffer.subarray(0, bytesRead));
        hash.update(data);
        await write({ fetchId, offset, data });
        offset += bytesRead;
        if (maxBytes > 0 && offset > maxBytes) return await refuse(`${BACKUPS_DIR}/${name} grew past ${maxBytes} bytes while it was sent`);
      }
      const sha256 = hash.digest('hex');
      await write({ fetchId, offset, last: true, sha256, totalBytes: offset });
      this.logger.info({ fetchId, name, bytes: offset, sha256 }, 'file sent');
    } finally {
      await handle.close();
    }
  }
}
