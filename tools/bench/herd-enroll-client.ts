// A minimal gRPC unary client over Node's own HTTP/2, for Enroll only: unlike grpc-js it
// can bind a source address, so one process can play many peers (127.x.y.z) against the
// coordinator's per-address limits. It frames and reads messages as the gRPC-over-HTTP/2
// spec says (length-prefixed messages, grpc-status / grpc-message in trailers, or in
// the headers of a trailers-only answer).
import { type ClientHttp2Session, connect } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { status } from '@grpc/grpc-js';
import { type EnrollRequest, type EnrollResponse__Output, kumiV1 } from '@kumi/proto';

/** How one Enroll call ended. */
export interface EnrollOutcome {
  code: number;
  details: string;
  response?: EnrollResponse__Output;
}

const ENROLL_PATH = '/kumi.v1.Coordinator/Enroll';

/** One HTTP/2 connection to the coordinator's TLS port from `localAddress`, carrying Enroll calls. */
export class RawEnrollClient {
  readonly #session: ClientHttp2Session;
  #broken: Error | undefined;

  constructor(port: number, caPem: string, localAddress?: string) {
    this.#session = connect(`https://localhost:${port}`, {
      createConnection: () => tlsConnect({ host: '127.0.0.1', port, ca: caPem, servername: 'localhost', ALPNProtocols: ['h2'], ...(localAddress ? { localAddress } : {}) }),
    });
    this.#session.on('error', (error: Error) => (this.#broken = error));
    this.#session.on('close', () => (this.#broken ??= new Error('connection closed')));
  }

  /** False once the connection failed or closed: make a new client. */
  get usable(): boolean {
    return this.#broken === undefined && !this.#session.closed && !this.#session.destroyed;
  }

  /** Calls Enroll; never rejects: transport failures come back as UNAVAILABLE, like grpc-js reports them. */
  enroll(request: EnrollRequest, timeoutMs: number): Promise<EnrollOutcome> {
    if (!this.usable) return Promise.resolve({ code: status.UNAVAILABLE, details: `no connection: ${this.#broken?.message ?? 'closed'}` });
    const method = kumiV1().Coordinator.service.Enroll;
    const message = method.requestSerialize(request);
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    return new Promise<EnrollOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: EnrollOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      let stream;
      try {
        stream = this.#session.request({ ':method': 'POST', ':path': ENROLL_PATH, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': `${timeoutMs}m` });
      } catch (error) {
        finish({ code: status.UNAVAILABLE, details: (error as Error).message });
        return;
      }
      const timer = setTimeout(() => {
        stream.close();
        finish({ code: status.DEADLINE_EXCEEDED, details: 'deadline exceeded (client side)' });
      }, timeoutMs + 1_000);
      const chunks: Buffer[] = [];
      const ended = (headers: Record<string, unknown>) => {
        const code = Number(headers['grpc-status'] ?? status.UNKNOWN);
        const details = decodeURIComponent(String(headers['grpc-message'] ?? ''));
        if (code !== status.OK) {
          finish({ code, details });
          return;
        }
        const body = Buffer.concat(chunks);
        const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
        if (length < 0 || body.length < 5 + length) {
          finish({ code: status.INTERNAL, details: 'truncated response message' });
          return;
        }
        finish({ code, details, response: method.responseDeserialize(body.subarray(5, 5 + length)) as EnrollResponse__Output });
      };
      stream.on('response', (headers) => {
        if (headers['grpc-status'] !== undefined) ended(headers);
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('trailers', (trailers) => ended(trailers));
      stream.on('error', (error: Error) => finish({ code: status.UNAVAILABLE, details: error.message }));
      stream.on('close', () => finish({ code: status.UNAVAILABLE, details: 'stream closed without a status' }));
      stream.end(frame);
    });
  }

  /** Closes the connection. */
  close(): void {
    this.#session.close();
  }
}

/** The n-th source address of a block of loopback addresses, e.g. sourceAddress(77, 300) = 127.77.1.51. */
export function sourceAddress(block: number, n: number): string {
  return `127.${block}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}
