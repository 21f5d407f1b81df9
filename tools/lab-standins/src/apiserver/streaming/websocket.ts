import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** RFC 6455 section 1.3: the GUID appended to Sec-WebSocket-Key before hashing. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** True when a request asks for a WebSocket upgrade (RFC 6455 section 4.2.1). */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket' && typeof req.headers['sec-websocket-key'] === 'string';
}

/** The subprotocols a client offers in Sec-WebSocket-Protocol, in its order of preference. */
export function offeredSubprotocols(req: IncomingMessage): string[] {
  const raw = req.headers['sec-websocket-protocol'];
  const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return joined.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/**
 * A server-side WebSocket over an upgraded socket: binary messages in and out, pings answered,
 * close handshake. Only what the Kubernetes streaming protocols use (no extensions, no text).
 */
export class WebSocketConnection {
  private buffered = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;
  private onMessageHandler: (data: Buffer) => void = () => undefined;
  private onCloseHandler: () => void = () => undefined;

  private constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  /**
   * Answers the opening handshake with 101 and the chosen subprotocol (RFC 6455 section 4.2.2).
   * `head` is what the HTTP parser read past the request (the first frames, if any).
   */
  static accept(req: IncomingMessage, socket: Duplex, head: Buffer, subprotocol: string): WebSocketConnection {
    const accept = crypto.createHash('sha1').update(`${String(req.headers['sec-websocket-key'])}${HANDSHAKE_GUID}`).digest('base64');
    socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, `Sec-WebSocket-Protocol: ${subprotocol}`, '', ''].join('\r\n'));
    const conn = new WebSocketConnection(socket);
    // Bytes the client sent right behind its request: read once the caller has set its handlers.
    if (head.length > 0) queueMicrotask(() => conn.receive(head));
    return conn;
  }

  /** Called with each complete binary message. */
  onMessage(handler: (data: Buffer) => void): void {
    this.onMessageHandler = handler;
  }

  /** Called once when the connection is gone (close frame, socket end or error). */
  onClose(handler: () => void): void {
    this.onCloseHandler = handler;
  }

  /** Sends one binary message (server frames are never masked, RFC 6455 section 5.1). */
  send(data: Buffer): void {
    this.writeFrame(OPCODE.binary, data);
  }

  /** Starts the close handshake with 1000 (normal closure) and ends the socket once flushed. */
  close(): void {
    if (this.closed) return;
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000);
    this.writeFrame(OPCODE.close, code);
    this.socket.end();
    this.finish();
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 0x10000) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    this.socket.write(Buffer.concat([header, payload]));
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onCloseHandler();
  }

  /** Parses as many whole frames as the buffer holds (RFC 6455 section 5.2). */
  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (this.buffered.length < 2) return;
      const first = this.buffered[0] ?? 0;
      const second = this.buffered[1] ?? 0;
      let length = second & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffered.length < 4) return;
        length = this.buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffered.length < 10) return;
        length = Number(this.buffered.readBigUInt64BE(2));
        offset = 10;
      }
      const masked = (second & 0x80) !== 0;
      const maskAt = offset;
      if (masked) offset += 4;
      if (this.buffered.length < offset + length) return;
      const payload = Buffer.from(this.buffered.subarray(offset, offset + length));
      // Clients must mask every frame (section 5.3); unmask with the 4-byte key.
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (this.buffered[maskAt + (i % 4)] ?? 0);
      this.buffered = this.buffered.subarray(offset + length);
      this.frame(first & 0x0f, (first & 0x80) !== 0, payload);
      if (this.closed) return;
    }
  }

  private frame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === OPCODE.ping) return this.writeFrame(OPCODE.pong, payload);
    if (opcode === OPCODE.pong) return;
    if (opcode === OPCODE.close) {
      // Echo the close (section 5.5.1), then the TCP connection goes.
      this.writeFrame(OPCODE.close, payload.subarray(0, 2));
      this.socket.end();
      return this.finish();
    }
    this.fragments.push(payload);
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    this.fragments = [];
    this.onMessageHandler(message);
  }
}
