import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { isSpdyUpgrade, SpdyConnection } from './spdy';
import { isWebSocketUpgrade, offeredSubprotocols, WebSocketConnection } from './websocket';

/**
 * Stream protocol names (k8s.io/apimachinery/pkg/util/remotecommand/constants.go). v5 exists
 * over WebSocket only and adds the CLOSE signal; SPDY tops out at v4.
 */
export const STREAM_PROTOCOL = { v5: 'v5.channel.k8s.io', v4: 'v4.channel.k8s.io' } as const;
/** Channel ids of the channel.k8s.io WebSocket protocols, and v5's stream-close signal. */
const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** What an exec request asks for (its query: stdin, stdout, stderr, tty, command, container). */
export interface ExecRequest {
  readonly command: string[];
  readonly container: string;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** Reads an exec request's options the way the kubelet's remotecommand.NewOptions does. */
export function execRequestOf(url: URL, container: string): ExecRequest {
  const on = (name: string): boolean => ['1', 'true'].includes(url.searchParams.get(name) ?? '');
  const tty = on('tty');
  // With a TTY stderr is folded into stdout (pkg/kubelet/cri/streaming/remotecommand/httpstream.go NewOptions).
  return { command: url.searchParams.getAll('command'), container, stdin: on('stdin'), stdout: on('stdout'), stderr: on('stderr') && !tty, tty };
}

/** A terminal size sent on the resize channel (remotecommand TerminalSize JSON). */
export interface TerminalSize {
  readonly Width: number;
  readonly Height: number;
}

/** The result written on the error channel: a metav1.Status, as remotecommand's v4 writeStatus. */
export type ExecStatus = { kind: 'success' } | { kind: 'exit'; code: number; message: string } | { kind: 'error'; message: string };

/** An accepted streaming exec: the command's streams over whatever protocol the client spoke. */
export interface ExecSession {
  readonly protocol: string;
  /** Resolves once the client has opened every stream the request named (SPDY opens them after the upgrade). */
  readonly ready: Promise<void>;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Stdin bytes from the client; `null` once it closed stdin. */
  onStdin(handler: (data: Buffer | null) => void): void;
  onResize(handler: (size: TerminalSize) => void): void;
  /** The client went away before `finish`. */
  onGone(handler: () => void): void;
  /** Writes the status on the error channel and closes every stream. */
  finish(status: ExecStatus): void;
}

/**
 * The metav1.Status of an exec's end (k8s.io/kubelet/pkg/cri/streaming/remotecommand/exec.go
 * ServeExec): Success; a non-zero exit is Failure/NonZeroExitCode with an ExitCode cause, which
 * client-go's v4 error decoder turns into an exit error and kubectl into "command terminated
 * with exit code N" and that exit status; anything else is an InternalError.
 */
export function execStatusBody(status: ExecStatus): Record<string, unknown> {
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {} };
  if (status.kind === 'success') return { ...base, status: 'Success' };
  if (status.kind === 'exit') {
    return { ...base, status: 'Failure', message: `command terminated with non-zero exit code: ${status.message}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(status.code) }] } };
  }
  return { ...base, status: 'Failure', message: `Internal error occurred: error executing command in container: ${status.message}`, reason: 'InternalError', details: { causes: [{ message: `error executing command in container: ${status.message}` }] }, code: 500 };
}

/**
 * An event source whose events wait for their handler: the client may send stdin right after
 * the upgrade, before the command has started and subscribed.
 */
function held<T>(): { emit: (event: T) => void; on: (handler: (event: T) => void) => void } {
  let handler: ((event: T) => void) | undefined;
  const waiting: T[] = [];
  return {
    emit: (event) => (handler ? handler(event) : void waiting.push(event)),
    on: (next) => {
      handler = next;
      for (const event of waiting.splice(0)) next(event);
    },
  };
}

/** The response for a request that is an upgrade we cannot speak (no common protocol). */
export function upgradeRefusal(req: IncomingMessage): string | undefined {
  if (isWebSocketUpgrade(req)) {
    const offered = offeredSubprotocols(req);
    return offered.some((p) => p === STREAM_PROTOCOL.v5 || p === STREAM_PROTOCOL.v4) ? undefined : `unable to negotiate a WebSocket subprotocol: client offered ${offered.join(', ') || 'none'}, server supports ${STREAM_PROTOCOL.v5}, ${STREAM_PROTOCOL.v4}`;
  }
  if (isSpdyUpgrade(req)) {
    const offered = streamProtocolsOffered(req);
    return offered.includes(STREAM_PROTOCOL.v4) ? undefined : `unable to negotiate a stream protocol: client offered ${offered.join(', ') || 'none'}, server supports ${STREAM_PROTOCOL.v4}`;
  }
  return 'Upgrade request required';
}

/** X-Stream-Protocol-Version values a SPDY client offers (httpstream.Handshake). */
function streamProtocolsOffered(req: IncomingMessage): string[] {
  const raw = req.headers['x-stream-protocol-version'];
  return (Array.isArray(raw) ? raw : [raw ?? '']).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/**
 * Accepts an exec upgrade: WebSocket with v5 (or v4) channel framing, else SPDY/3.1 with v4.
 * Call `upgradeRefusal` first; this assumes a protocol is common.
 */
export function acceptExec(req: IncomingMessage, socket: Duplex, head: Buffer, request: ExecRequest): ExecSession {
  if (isWebSocketUpgrade(req)) {
    const protocol = offeredSubprotocols(req).find((p) => p === STREAM_PROTOCOL.v5 || p === STREAM_PROTOCOL.v4) ?? STREAM_PROTOCOL.v4;
    return webSocketSession(WebSocketConnection.accept(req, socket, head, protocol), protocol, request);
  }
  return spdySession(SpdyConnection.accept(socket, head, STREAM_PROTOCOL.v4), request);
}

/** An exec over channel.k8s.io WebSocket framing: one byte of channel id, then the bytes. */
function webSocketSession(ws: WebSocketConnection, protocol: string, request: ExecRequest): ExecSession {
  const stdin = held<Buffer | null>();
  const resize = held<TerminalSize>();
  let goneHandler: () => void = () => undefined;
  let finished = false;
  const send = (channel: number, data: Buffer): void => ws.send(Buffer.concat([Buffer.from([channel]), data]));
  ws.onMessage((message) => {
    const channel = message[0];
    const data = message.subarray(1);
    // v5 CLOSE: [255, channel] half-closes that channel (wsstream conn.go handle).
    if (protocol === STREAM_PROTOCOL.v5 && channel === CHANNEL.close) {
      if (data[0] === CHANNEL.stdin) stdin.emit(null);
      return;
    }
    if (channel === CHANNEL.stdin && request.stdin) stdin.emit(data);
    if (channel === CHANNEL.resize && request.tty) resize.emit(JSON.parse(data.toString('utf8')) as TerminalSize);
  });
  ws.onClose(() => {
    if (!finished) goneHandler();
  });
  // "Send an empty message to the lowest writable channel to notify the client the connection is
  // established" (apiserver pkg/util/proxy/websocket.go webSocketServerStreams).
  send(request.stdout ? CHANNEL.stdout : request.stderr ? CHANNEL.stderr : CHANNEL.error, Buffer.alloc(0));
  return {
    protocol,
    ready: Promise.resolve(),
    stdout: (data) => send(CHANNEL.stdout, data),
    stderr: (data) => send(CHANNEL.stderr, data),
    onStdin: stdin.on,
    onResize: resize.on,
    onGone: (handler) => void (goneHandler = handler),
    finish: (status) => {
      finished = true;
      send(CHANNEL.error, Buffer.from(JSON.stringify(execStatusBody(status))));
      ws.close();
    },
  };
}

/**
 * An exec over SPDY: kubectl opens one stream per channel, named by its `streamType` header
 * (error, stdin, stdout, stderr, resize); the server writes to them and half-closes each.
 */
function spdySession(spdy: SpdyConnection, request: ExecRequest): ExecSession {
  const ids = new Map<string, number>();
  const stdin = held<Buffer | null>();
  const resize = held<TerminalSize>();
  let goneHandler: () => void = () => undefined;
  let finished = false;
  let resizeBuffer = '';
  // The kubelet waits for the error stream and each requested one (remotecommand/httpstream.go waitStreamReply).
  const expected = ['error', ...(request.stdin ? ['stdin'] : []), ...(request.stdout ? ['stdout'] : []), ...(request.stderr ? ['stderr'] : []), ...(request.tty ? ['resize'] : [])];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const write = (type: 'stdout' | 'stderr', data: Buffer): void => {
    const id = ids.get(type);
    if (id !== undefined) spdy.send(id, data);
  };
  spdy.onStream((stream) => {
    ids.set(stream.headers.get('streamtype') ?? '', stream.id);
    if (expected.every((type) => ids.has(type))) markReady();
  });
  spdy.onData((id, data, fin) => {
    if (id === ids.get('stdin')) {
      if (data.length > 0) stdin.emit(data);
      if (fin) stdin.emit(null);
    } else if (id === ids.get('resize') && data.length > 0) {
      // The resize stream carries one JSON TerminalSize after another (remotecommand handleResizeEvents).
      resizeBuffer += data.toString('utf8');
      for (let end = resizeBuffer.indexOf('}'); end >= 0; end = resizeBuffer.indexOf('}')) {
        resize.emit(JSON.parse(resizeBuffer.slice(0, end + 1)) as TerminalSize);
        resizeBuffer = resizeBuffer.slice(end + 1);
      }
    }
  });
  spdy.onClose(() => {
    if (!finished) goneHandler();
  });
  return {
    protocol: STREAM_PROTOCOL.v4,
    ready,
    stdout: (data) => write('stdout', data),
    stderr: (data) => write('stderr', data),
    onStdin: stdin.on,
    onResize: resize.on,
    onGone: (handler) => void (goneHandler = handler),
    finish: (status) => {
      finished = true;
      for (const type of ['stdout', 'stderr']) {
        const id = ids.get(type);
        if (id !== undefined) spdy.send(id, Buffer.alloc(0), true);
      }
      const errorId = ids.get('error');
      if (errorId !== undefined) spdy.send(errorId, Buffer.from(JSON.stringify(execStatusBody(status))), true);
      spdy.close();
    },
  };
}
