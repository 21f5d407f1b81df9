// The exec streaming protocols byte by byte over real sockets: WebSocket framing (RFC 6455)
// with the channel.k8s.io subprotocols, SPDY/3.1 with its zlib dictionary, and the Status the
// error channel carries. The real kubectl against them is test/real-kubectl-stream.test.ts.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptExec, execRequestOf, execStatusBody, upgradeRefusal, type ExecSession } from '../src/apiserver/streaming/remotecommand';
import { SPDY3_DICTIONARY } from '../src/apiserver/streaming/spdy-dictionary';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An HTTP server whose upgrades become exec sessions handed to `onSession`. */
async function execServer(onSession: (session: ExecSession) => void): Promise<number> {
  server = http.createServer((_req, res) => res.end());
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const refusal = upgradeRefusal(req);
    if (refusal) return socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${refusal.length}\r\n\r\n${refusal}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const session = acceptExec(req, socket, head, execRequestOf(url, 'c'));
    void session.ready.then(() => onSession(session));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A raw client: sends `request`, collects every byte until the server closes. */
function rawClient(port: number, request: string, after: (socket: net.Socket, received: () => Buffer) => void = () => undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(request);
      after(socket, () => Buffer.concat(chunks));
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

/** A masked client frame (RFC 6455 section 5.3). */
function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = crypto.randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, masked]);
}

/** Server frames after the HTTP response: [opcode, payload] each. */
function serverFrames(bytes: Buffer): Array<[number, Buffer]> {
  let at = bytes.indexOf('\r\n\r\n') + 4;
  const frames: Array<[number, Buffer]> = [];
  while (at < bytes.length) {
    let length = (bytes[at + 1] ?? 0) & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      offset = at + 4;
    }
    frames.push([(bytes[at] ?? 0) & 0x0f, bytes.subarray(offset, offset + length)]);
    at = offset + length;
  }
  return frames;
}

const wsRequest = (protocols: string, query: string): string =>
  `GET /exec?${query} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ${protocols}\r\n\r\n`;

describe('WebSocket channel.k8s.io', () => {
  it('answers the handshake with the RFC 6455 accept key and v5, then streams channel frames and the exit Status', async () => {
    const port = await execServer((session) => {
      session.stdout(Buffer.from('out'));
      session.stderr(Buffer.from('err'));
      session.finish({ kind: 'exit', code: 3, message: 'error executing command [x], exit code 3' });
    });
    const bytes = await rawClient(port, wsRequest('v5.channel.k8s.io, v4.channel.k8s.io', 'command=x&stdout=1&stderr=1'));
    const head = bytes.subarray(0, bytes.indexOf('\r\n\r\n')).toString();
    // The sample key of RFC 6455 section 1.3 and its accept value.
    expect(head).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(head).toContain('Sec-WebSocket-Protocol: v5.channel.k8s.io');
    const frames = serverFrames(bytes);
    expect(frames.map(([op, p]) => (op === 8 ? [op, p.toString('hex')] : [op, p[0], p.subarray(1).toString()]))).toEqual([
      [2, 1, ''],
      [2, 1, 'out'],
      [2, 2, 'err'],
      [2, 3, JSON.stringify(execStatusBody({ kind: 'exit', code: 3, message: 'error executing command [x], exit code 3' }))],
      // Close 1000 (normal closure), which client-go reads as the end of every stream.
      [8, '03e8'],
    ]);
  });

  it('reassembles fragmented masked stdin, answers a ping, and takes v5 CLOSE [255, 0] as end of stdin', async () => {
    const stdin: Array<string | null> = [];
    const port = await execServer((session) => {
      session.onStdin((data) => {
        stdin.push(data === null ? null : data.toString());
        if (data === null) session.finish({ kind: 'success' });
      });
    });
    let pong = false;
    const bytes = await rawClient(port, wsRequest('v5.channel.k8s.io', 'command=cat&stdin=1&stdout=1'), (socket, received) => {
      socket.write(Buffer.concat([clientFrame(2, Buffer.from([0, ...Buffer.from('hel')]), false), clientFrame(9, Buffer.from('p')), clientFrame(0, Buffer.from('lo'))]));
      setTimeout(() => {
        pong = serverFrames(received()).some(([op, p]) => op === 0xa && p.toString() === 'p');
        socket.write(clientFrame(2, Buffer.from([255, 0])));
      }, 100);
    });
    expect(pong).toBe(true);
    expect(stdin).toEqual(['hello', null]);
    expect(serverFrames(bytes).find(([op, p]) => op === 2 && p[0] === 3)?.[1].subarray(1).toString()).toBe('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}');
  });

  it('refuses a client that offers no channel protocol the server speaks', async () => {
    const port = await execServer(() => undefined);
    const bytes = await rawClient(port, wsRequest('base64.channel.k8s.io', 'command=x'));
    expect(bytes.toString()).toMatch(/^HTTP\/1.1 400 Bad Request\r\n[\s\S]*unable to negotiate a WebSocket subprotocol: client offered base64.channel.k8s.io/);
  });
});

/** A SPDY/3 control frame (draft 3 section 2.2.1). */
function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE((flags << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]?.writeUInt32BE(Object.keys(headers).length);
  for (const [k, v] of Object.entries(headers)) {
    for (const text of [k, v]) {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(text.length);
      parts.push(len, Buffer.from(text));
    }
  }
  return Buffer.concat(parts);
}

describe('SPDY/3.1 v4.channel.k8s.io', () => {
  it('uses the SPDY/3 header dictionary byte for byte (sha256 of moby/spdystream headerDictionary)', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(crypto.createHash('sha256').update(SPDY3_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('replies to each stream, runs once the requested streams exist, writes data, FINs them and sends the Status on the error stream', async () => {
    const port = await execServer((session) => {
      session.stdout(Buffer.from('hi'));
      session.finish({ kind: 'success' });
    });
    // One deflate stream with the dictionary for all the client's header blocks, as spdystream's framer.
    const deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
    const compress = (block: Buffer): Promise<Buffer> =>
      new Promise((resolve) => {
        const out: Buffer[] = [];
        const onData = (d: Buffer): void => void out.push(d);
        deflate.on('data', onData);
        deflate.write(block);
        deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
          deflate.off('data', onData);
          resolve(Buffer.concat(out));
        });
      });
    const syn = async (id: number, type: string): Promise<Buffer> => {
      const ids = Buffer.alloc(10);
      ids.writeUInt32BE(id, 0);
      return control(1, 0, Buffer.concat([ids, await compress(headerBlock({ streamtype: type }))]));
    };
    const frames = Buffer.concat([await syn(1, 'error'), await syn(3, 'stdout'), control(6, 0, Buffer.from([0, 0, 0, 7]))]);
    const request = 'POST /exec?command=x&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nX-Stream-Protocol-Version: channel.k8s.io\r\nContent-Length: 0\r\n\r\n';
    const bytes = await rawClient(port, request, (socket) => socket.write(frames));
    const at = bytes.indexOf('\r\n\r\n') + 4;
    expect(bytes.subarray(0, at).toString()).toContain('X-Stream-Protocol-Version: v4.channel.k8s.io');
    const seen: string[] = [];
    for (let i = at; i < bytes.length; ) {
      const length = bytes.readUInt32BE(i + 4) & 0xffffff;
      const flags = bytes[i + 4] ?? 0;
      const payload = bytes.subarray(i + 8, i + 8 + length);
      if (((bytes[i] ?? 0) & 0x80) !== 0) seen.push(`control ${bytes.readUInt16BE(i + 2)} ${payload.readUInt32BE(0)}`);
      else seen.push(`data ${bytes.readUInt32BE(i)}${flags & 1 ? ' fin' : ''} ${payload.toString()}`);
      i += 8 + length;
    }
    expect(seen).toEqual(['control 2 1', 'control 2 3', 'control 6 7', 'data 3 hi', 'data 3 fin ', 'data 1 fin {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}']);
    deflate.close();
  });
});

describe('exec Status on the error channel', () => {
  it('is Success, NonZeroExitCode with the ExitCode cause kubectl maps to its exit status, or an InternalError', () => {
    expect(execStatusBody({ kind: 'exit', code: 128, message: 'error executing command [etcdctl put], exit code 128' })).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [etcdctl put], exit code 128',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '128' }] },
    });
    expect(execStatusBody({ kind: 'error', message: 'boom' })).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500, message: 'Internal error occurred: error executing command in container: boom' });
  });

  it('reads the options of the request; a TTY folds stderr into stdout', () => {
    expect(execRequestOf(new URL('http://x/exec?command=a&command=b&stdin=true&stdout=true&stderr=true&tty=true'), 'c')).toEqual({ command: ['a', 'b'], container: 'c', stdin: true, stdout: true, stderr: false, tty: true });
  });
});
