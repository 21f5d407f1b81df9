import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary';

/** Control frame types of SPDY/3 (draft 3 section 2.6). */
const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
const FLAG_FIN = 0x01;

/** True when a request asks for an SPDY/3.1 upgrade (apimachinery httpstream/spdy upgrade.go). */
export function isSpdyUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'spdy/3.1' && /upgrade/i.test(String(req.headers.connection ?? ''));
}

/** One stream the client opened (kubectl opens one per remotecommand channel). */
export interface SpdyStream {
  readonly id: number;
  /** Header names lower-cased, as SPDY/3 sends them. */
  readonly headers: ReadonlyMap<string, string>;
}

/**
 * The server side of an SPDY/3.1 connection, as far as Kubernetes' remotecommand uses it
 * (k8s.io/apimachinery/pkg/util/httpstream/spdy on top of moby/spdystream): the client opens
 * streams with SYN_STREAM and the server accepts each with an empty SYN_REPLY; DATA frames carry
 * the bytes, FIN half-closes; PINGs are echoed. Header blocks are compressed with one zlib stream
 * per direction and the SPDY/3 dictionary. Flow control (WINDOW_UPDATE) is not enforced by
 * spdystream, and not here.
 */
export class SpdyConnection {
  private buffered = Buffer.alloc(0);
  private closed = false;
  private readonly inflater = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflater = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  /** Frames are handled one after another: header blocks share one zlib stream. */
  private queue: Promise<void> = Promise.resolve();
  private onStreamHandler: (stream: SpdyStream) => void = () => undefined;
  private onDataHandler: (id: number, data: Buffer, fin: boolean) => void = () => undefined;
  private onCloseHandler: () => void = () => undefined;

  private constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /** Answers the upgrade with 101 and the negotiated stream protocol (spdy/upgrade.go, httpstream.Handshake). */
  static accept(socket: Duplex, head: Buffer, streamProtocol: string): SpdyConnection {
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1', `X-Stream-Protocol-Version: ${streamProtocol}`, '', ''].join('\r\n'));
    const conn = new SpdyConnection(socket);
    // Bytes the client sent right behind its request: read once the caller has set its handlers.
    if (head.length > 0) queueMicrotask(() => conn.receive(head));
    return conn;
  }

  /** Called for each stream once the server has replied to it. */
  onStream(handler: (stream: SpdyStream) => void): void {
    this.onStreamHandler = handler;
  }

  /** Called with each DATA frame's payload; `fin` when the client half-closed that stream. */
  onData(handler: (id: number, data: Buffer, fin: boolean) => void): void {
    this.onDataHandler = handler;
  }

  /** Called once when the connection is gone. */
  onClose(handler: () => void): void {
    this.onCloseHandler = handler;
  }

  /** Sends bytes on a stream; `fin` half-closes it from the server side. */
  send(id: number, data: Buffer, fin = false): void {
    this.queue = this.queue.then(() => this.writeData(id, data, fin));
  }

  /** Closes the connection after everything queued is written. */
  close(): void {
    this.queue = this.queue.then(() => {
      this.socket.end();
      this.finish();
    });
  }

  private writeData(id: number, data: Buffer, fin: boolean): void {
    if (this.closed || this.socket.destroyed) return;
    // A DATA frame carries at most 2^24-1 bytes (draft 3 section 2.2.2).
    for (let offset = 0; offset < data.length || offset === 0; offset += 0xffffff) {
      const chunk = data.subarray(offset, offset + 0xffffff);
      const last = offset + 0xffffff >= data.length;
      const header = Buffer.alloc(8);
      header.writeUInt32BE(id & 0x7fffffff, 0);
      header.writeUInt32BE((((last && fin) ? FLAG_FIN : 0) << 24) | chunk.length, 4);
      this.socket.write(Buffer.concat([header, chunk]));
      if (data.length === 0) break;
    }
  }

  private writeControl(type: number, flags: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const header = Buffer.alloc(8);
    header.writeUInt16BE(0x8000 | 3, 0);
    header.writeUInt16BE(type, 2);
    header.writeUInt32BE((flags << 24) | payload.length, 4);
    this.socket.write(Buffer.concat([header, payload]));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    this.deflater.close();
    this.onCloseHandler();
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) return;
      const frame = Buffer.from(this.buffered.subarray(0, 8 + length));
      this.buffered = this.buffered.subarray(8 + length);
      this.queue = this.queue.then(() => this.frame(frame)).catch(() => {
        // A header block that does not inflate is a protocol error: the connection cannot go on.
        this.socket.destroy();
        this.finish();
      });
    }
  }

  private async frame(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4] ?? 0;
    const payload = frame.subarray(8);
    if (((frame[0] ?? 0) & 0x80) === 0) {
      this.onDataHandler(frame.readUInt32BE(0) & 0x7fffffff, payload, (flags & FLAG_FIN) !== 0);
      return;
    }
    const type = frame.readUInt16BE(2);
    if (type === FRAME.synStream) {
      const id = payload.readUInt32BE(0) & 0x7fffffff;
      const headers = parseHeaderBlock(await this.inflate(payload.subarray(10)));
      // spdystream's server handler replies to every stream with empty headers (apimachinery spdy/connection.go newSpdyStream).
      const reply = Buffer.concat([uint32(id), await this.deflate(Buffer.from([0, 0, 0, 0]))]);
      this.writeControl(FRAME.synReply, 0, reply);
      this.onStreamHandler({ id, headers });
      if ((flags & FLAG_FIN) !== 0) this.onDataHandler(id, Buffer.alloc(0), true);
    } else if (type === FRAME.headers) {
      await this.inflate(payload.subarray(4));
    } else if (type === FRAME.ping) {
      this.writeControl(FRAME.ping, 0, payload.subarray(0, 4));
    } else if (type === FRAME.rstStream) {
      this.onDataHandler(payload.readUInt32BE(0) & 0x7fffffff, Buffer.alloc(0), true);
    } else if (type === FRAME.goAway) {
      this.socket.end();
      this.finish();
    }
    // SETTINGS and WINDOW_UPDATE need no answer.
  }

  /** One header block through the connection's shared inflate stream (draft 3 section 2.6.10). */
  private inflate(block: Buffer): Promise<Buffer> {
    return flushThrough(this.inflater, block);
  }

  private deflate(block: Buffer): Promise<Buffer> {
    return flushThrough(this.deflater, block);
  }
}

function uint32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** Writes a block through a long-lived zlib stream and collects what a sync flush yields. */
function flushThrough(stream: zlib.Inflate | zlib.Deflate, block: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (data: Buffer): void => void out.push(data);
    const onError = (err: Error): void => {
      stream.off('data', onData);
      reject(err);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(block);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(out));
    });
  });
}

/** Decodes an uncompressed SPDY/3 name/value header block (32-bit counts and lengths). */
export function parseHeaderBlock(block: Buffer): Map<string, string> {
  const headers = new Map<string, string>();
  let at = 0;
  const next = (): string => {
    const length = block.readUInt32BE(at);
    const text = block.subarray(at + 4, at + 4 + length).toString('utf8');
    at += 4 + length;
    return text;
  };
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = next();
    headers.set(name.toLowerCase(), next());
  }
  return headers;
}
