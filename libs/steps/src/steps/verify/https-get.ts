import { request } from 'node:https';

/** An HTTPS answer: status and (short) body, or the error that stopped it. */
export interface HttpsAnswer {
  status: number | undefined;
  body: string;
  error: string | undefined;
  tookMs: number;
}

/** GET https://host:port/path trusting only `ca`, bounded by `timeoutMs`. Never throws. */
export function httpsGet(host: string, port: number, path: string, ca: string, timeoutMs: number): Promise<HttpsAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (answer: Omit<HttpsAnswer, 'tookMs'>): void => resolve({ ...answer, tookMs: Date.now() - started });
    const req = request({ host, port, path, method: 'GET', ca, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () => done({ status: res.statusCode, body, error: undefined }));
      res.on('error', (error) => done({ status: res.statusCode, body, error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => done({ status: undefined, body: '', error: error.message }));
    req.end();
  });
}
