import https from 'node:https';
import type { KubeconfigCredentials } from './kubeconfig';

/** An HTTP answer from the API server. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** Options of an API client beyond the kubeconfig. */
export interface ApiClientOptions {
  /** Skip server certificate verification (kubeadm's first, insecure discovery request). */
  readonly insecure?: boolean;
  readonly timeoutMs?: number;
}

/** A thrown transport failure, with the server address in the message. */
export class ApiTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiTransportError';
  }
}

/** A minimal Kubernetes REST client over HTTPS with client-certificate or bearer-token auth. */
export class ApiClient {
  constructor(
    readonly credentials: KubeconfigCredentials,
    private readonly options: ApiClientOptions = {},
  ) {}

  /** Sends one request; JSON bodies are encoded and decoded. */
  request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiResponse> {
    const url = new URL(path, this.credentials.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (payload !== undefined) {
      headers['content-type'] = contentType;
      headers['content-length'] = Buffer.byteLength(payload);
    }
    if (this.credentials.token) headers.authorization = `Bearer ${this.credentials.token}`;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          headers,
          ca: this.credentials.caPem,
          cert: this.credentials.clientCertPem,
          key: this.credentials.clientKeyPem,
          rejectUnauthorized: this.options.insecure !== true,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          // A connection cut after the headers (a timeout, a proxy dropping it) ends the
          // response with an error and no 'end': without these the promise never settles.
          res.on('error', (err) => reject(new ApiTransportError(`${method} ${url.href}: ${err.message}`)));
          res.on('aborted', () => reject(new ApiTransportError(`${method} ${url.href}: the connection closed before the whole answer arrived`)));
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            if ((res.headers['content-type'] ?? '').includes('json')) {
              try {
                parsed = JSON.parse(text);
              } catch {
                parsed = text;
              }
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, text });
          });
        },
      );
      req.on('timeout', () => req.destroy(new ApiTransportError(`${method} ${url.href}: no answer within ${timeoutMs} ms`)));
      req.on('error', (err) => reject(err instanceof ApiTransportError ? err : new ApiTransportError(`${method} ${url.href}: ${err.message}`)));
      req.end(payload);
    });
  }
}

/** The `message` of a Kubernetes Status body, or the raw text. */
export function statusMessage(res: ApiResponse): string {
  const body = res.body as { message?: unknown } | undefined;
  return typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : res.text;
}
