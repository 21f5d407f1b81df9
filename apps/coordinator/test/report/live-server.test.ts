import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JOURNAL_FILE } from '../../src/journal/journal';
import { SecretRegistry } from '../../src/journal/secret-registry';
import { ClusterLock } from '../../src/journal/lock';
import { serveLivePicture } from '../../src/web/build-picture';
import { JournalTail, journalSource } from '../../src/web/journal-source';
import { type LiveServer, startLiveServer } from '../../src/web/live-server';
import { isLoopback, parseWebAddress } from '../../src/web/web-address';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the live server (loopback only), its answer in full. */
function call(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Follows /events; `next(kind)` resolves with the data of the next event of that kind. */
function follow(port: number): Promise<{ status: number; next(kind: string): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const waiting: Array<{ kind: string; done(data: string): void }> = [];
    const seen: Array<{ kind: string; data: string }> = [];
    const req = request({ host: '127.0.0.1', port, path: '/events', headers: { host: `127.0.0.1:${port}` } }, (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const kind = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (kind && data !== undefined) seen.push({ kind, data });
        }
        for (const waiter of [...waiting]) {
          const index = seen.findIndex((event) => event.kind === waiter.kind);
          if (index >= 0) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.done(seen.splice(index, 1)[0]!.data);
          }
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        next: (kind) =>
          new Promise((done) => {
            const index = seen.findIndex((event) => event.kind === kind);
            if (index >= 0) done(seen.splice(index, 1)[0]!.data);
            else waiting.push({ kind, done });
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let server: LiveServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kumi-live-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(maxClients?: number): Promise<{ server: LiveServer; journal: Journal }> {
  const secrets = new SecretRegistry();
  secrets.add('hunter22hunter');
  const journal = new Journal(dir, new SecretRegistry());
  server = await startLiveServer({ address: { host: '127.0.0.1', port: 0 }, cluster: 'seed-ha', mono: false, secrets, pollMs: 20, ...(maxClients ? { maxClients } : {}), ...journalSource(dir, 'r1') });
  return { server, journal };
}

describe('--web address', () => {
  it('takes loopback, and refuses any other address unless exposed on purpose', () => {
    expect(['127.0.0.1', '127.3.2.1', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '192.0.2.10', '::', 'example.org'].some(isLoopback)).toBe(false);
    expect(parseWebAddress('127.0.0.1:8080', false)).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(() => parseWebAddress('0.0.0.0:8080', false)).toThrow(/loopback only .*add --web-exposed/);
    expect(parseWebAddress('0.0.0.0:8080', true)).toEqual({ host: '0.0.0.0', port: 8080 });
  });
});

describe('the live page', () => {
  it('serves the report page with its follow script, read-only, and names no file in its errors', async () => {
    const { server } = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const page = await call(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'");
    expect(page.body).toContain('new EventSource(');
    expect(page.body).toContain('data-events="/events"');
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await call(server.port, '/', { method })).status).toBe(405);
    const missing = await call(server.port, '/../../etc/passwd');
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain(dir);
    expect(missing.body).not.toMatch(/\/tmp|\/root|passwd/);
    // A page reached under another host name may be DNS rebinding: refused.
    expect((await call(server.port, '/', { host: `attacker.example:${server.port}` })).status).toBe(421);
    expect((await call(server.port, '/', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('sends each new journal record as an update rendered like the report, then the end', async () => {
    const { server, journal } = await start();
    const events = await follow(server.port);
    expect(events.status).toBe(200);
    expect(JSON.parse(await events.next('report'))).toContain('no steps for this run yet');
    journal.append({ run: 'r1', path: 'preflight/preflight', host: 'master1', status: 'started' });
    const running = JSON.parse(await events.next('report')) as string;
    expect(running).toContain('data-path="preflight/preflight@master1"');
    expect(running).toContain('data-result="running"');
    journal.append({ run: 'r1', path: 'preflight/preflight', host: 'master1', status: 'failed', error: { code: 'COMMAND_FAILED', message: 'password hunter22hunter refused', stderrTail: 'abcdef.0123456789abcdef' } });
    let failed = JSON.parse(await events.next('report')) as string;
    // The poll may have caught a redraw of the running bar first.
    while (!failed.includes('data-result="failed"')) failed = JSON.parse(await events.next('report')) as string;
    expect(failed).not.toContain('hunter22hunter');
    expect(failed).not.toContain('abcdef.0123456789abcdef');
    server.end();
    expect(await events.next('end')).toBe('{}');
    // After the end the page is the static report, and following is over (204: EventSource stops).
    expect((await call(server.port, '/')).body).not.toContain('<script');
    expect((await call(server.port, '/events')).status).toBe(204);
    events.close();
  });

  it('serves a bounded number of live viewers', async () => {
    const { server } = await start(2);
    const first = await follow(server.port);
    const second = await follow(server.port);
    const third = await call(server.port, '/events');
    expect([first.status, second.status, third.status]).toEqual([200, 200, 503]);
    expect(third.body).toContain('too many live viewers (2)');
    first.close();
    second.close();
  });

  it('`kumi serve --web` shows the latest run, followed while a kumi holds the cluster, its unfinished steps interrupted after', async () => {
    const journal = new Journal(dir, new SecretRegistry());
    journal.append({ run: 'old', path: 'preflight/preflight', host: 'master1', status: 'started' });
    journal.append({ run: 'latest', path: 'prepare/swap.off', host: 'worker1', status: 'started' });
    const lock = new ClusterLock(dir);
    lock.acquire('kumi up seed.yaml');
    server = await serveLivePicture({ dir, cluster: 'seed-ha', web: { host: '127.0.0.1', port: 0 } });
    const running = await call(server.port, '/');
    expect(running.body).toContain('data-path="prepare/swap.off@worker1"');
    expect(running.body).toContain('data-result="running"');
    expect(running.body).not.toContain('preflight/preflight@master1');
    lock.release();
    const after = await call(server.port, '/');
    expect(after.body).toContain('data-result="interrupted"');
  });
});

describe('the journal tail behind the live page', () => {
  const line = (run: string, host: string, status = 'started') => `${JSON.stringify({ run, path: 'prepare/swap.off', host, status, time: new Date().toISOString() })}\n`;

  it('reads only what was appended, holds a half-written line until it ends, and keeps the latest run', () => {
    const file = join(dir, JOURNAL_FILE);
    const tail = new JournalTail(dir);
    expect(tail.records()).toEqual([]);
    writeFileSync(file, line('r1', 'a') + line('r1', 'b'));
    expect(tail.records().map((r) => r.host)).toEqual(['a', 'b']);
    const whole = line('r1', 'c');
    appendFileSync(file, whole.slice(0, 20));
    expect(tail.records().map((r) => r.host)).toEqual(['a', 'b']);
    appendFileSync(file, whole.slice(20));
    expect(tail.records().map((r) => r.host)).toEqual(['a', 'b', 'c']);
    // A reset is no run; a new run replaces the old one's records; a late line of the old run stays out.
    appendFileSync(file, line('r0', '*', 'reset') + line('r2', 'd') + line('r1', 'e'));
    expect(tail.records().map((r) => `${r.run}/${r.host}`)).toEqual(['r2/d']);
    // Another file (a new state folder) is read from its start.
    rmSync(file);
    writeFileSync(file, line('r9', 'z'));
    expect(tail.records().map((r) => `${r.run}/${r.host}`)).toEqual(['r9/z']);
  });

  it('follows a given run, whatever runs come after it', () => {
    const file = join(dir, JOURNAL_FILE);
    const tail = new JournalTail(dir, 'r1');
    writeFileSync(file, line('r0', 'a') + line('r1', 'b') + line('r2', 'c') + line('r1', 'd'));
    expect(tail.records().map((r) => r.host)).toEqual(['b', 'd']);
  });

  it('computes one picture per journal change for every viewer and page load', async () => {
    const journal = new Journal(dir, new SecretRegistry());
    const source = journalSource(dir, 'r1');
    let computed = 0;
    server = await startLiveServer({
      address: { host: '127.0.0.1', port: 0 },
      cluster: 'seed-ha',
      mono: false,
      pollMs: 20,
      redrawMs: 60_000,
      version: source.version,
      model: (open) => {
        computed += 1;
        return source.model(open);
      },
    });
    const port = server.port;
    const viewers = await Promise.all([1, 2, 3, 4].map(() => follow(port)));
    await Promise.all(viewers.map((viewer) => viewer.next('report')));
    await call(port, '/');
    expect(computed).toBe(1);
    journal.append({ run: 'r1', path: 'preflight/preflight', host: 'master1', status: 'started' });
    const updates = await Promise.all(viewers.map((viewer) => viewer.next('report')));
    expect(updates.every((data) => data.includes('preflight/preflight@master1'))).toBe(true);
    await call(port, '/');
    expect(computed).toBe(2);
    for (const viewer of viewers) viewer.close();
  });
});
