import type { ClientRequest } from 'node:http';
import https from 'node:https';
import { prefixEnd, type EtcdKv } from '../common/etcd-client';
import type { TlsMaterial } from '../common/tls-files';

/**
 * The two etcd calls a watch needs beyond EtcdClient: a range read that also returns the
 * store's revision (the list's resourceVersion, where the watch starts), and etcd's own
 * watch stream (gateway POST /v3/watch, one JSON message per line) with prev_kv, as
 * k8s.io/apiserver's storage/etcd3 watcher.go opens it (clientv3.WithPrevKV, WithRev(rv+1)).
 */

/** One etcd watch event: PUT carries the new kv, DELETE the tombstone; prev is the value before. */
export interface EtcdEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly kv: EtcdKv;
  readonly prev?: EtcdKv;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown): string => Buffer.from(typeof s === 'string' ? s : '', 'base64').toString('utf8');

function decodeKv(raw: unknown): EtcdKv | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const kv = raw as Record<string, unknown>;
  return { key: unb64(kv.key), value: unb64(kv.value), modRevision: String(kv.mod_revision ?? '0'), createRevision: String(kv.create_revision ?? '0') };
}

function rangeEnd(prefix: string): string {
  return Buffer.from(prefixEnd(prefix), 'latin1').toString('base64');
}

/** etcd's answer to a watch whose start revision was compacted away. */
export class CompactedError extends Error {
  constructor(readonly compactRevision: string) {
    super(`required revision has been compacted (compact revision ${compactRevision})`);
  }
}

/** Streams etcd watch events for a prefix, over the first endpoint that answers. */
export class EtcdWatcher {
  constructor(
    private readonly endpoints: readonly string[],
    private readonly tls: TlsMaterial,
  ) {}

  private post(endpoint: string, path: string, body: unknown, timeoutMs?: number): ClientRequest {
    const payload = JSON.stringify(body);
    const req = https.request(new URL(path, endpoint), {
      method: 'POST',
      ca: this.tls.ca,
      cert: this.tls.cert,
      key: this.tls.key,
      timeout: timeoutMs,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.end(payload);
    return req;
  }

  /** Reads every key under a prefix and the revision of that read. */
  async listAt(prefix: string): Promise<{ kvs: EtcdKv[]; revision: string }> {
    let last: unknown;
    for (const endpoint of this.endpoints) {
      try {
        const text = await new Promise<string>((resolve, reject) => {
          const req = this.post(endpoint, '/v3/kv/range', { key: b64(prefix), range_end: rangeEnd(prefix) }, 3000);
          req.on('timeout', () => req.destroy(new Error(`etcd ${endpoint} did not answer within 3000 ms`)));
          req.on('error', reject);
          req.on('response', (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => ((res.statusCode ?? 500) < 400 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`etcd ${endpoint}: HTTP ${res.statusCode}`))));
          });
        });
        const parsed = JSON.parse(text) as { kvs?: unknown[]; header?: { revision?: string } };
        return { kvs: (parsed.kvs ?? []).map(decodeKv).filter((kv): kv is EtcdKv => kv !== undefined), revision: String(parsed.header?.revision ?? '0') };
      } catch (err) {
        last = err;
      }
    }
    throw last instanceof Error ? last : new Error('no etcd endpoint answered');
  }

  /**
   * Watches a prefix from `startRevision` (inclusive). Calls `onEvents` per etcd message and
   * `onEnd` once when the stream ends (with the error, if any). Returns a stop function.
   */
  watch(prefix: string, startRevision: string, onEvents: (events: EtcdEvent[]) => void, onEnd: (err?: Error) => void): () => void {
    const endpoint = this.endpoints[0] ?? '';
    let ended = false;
    const end = (err?: Error): void => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    const req = this.post(endpoint, '/v3/watch', { create_request: { key: b64(prefix), range_end: rangeEnd(prefix), start_revision: startRevision, prev_kv: true } });
    req.on('error', (err) => end(err));
    req.on('response', (res) => {
      let buffer = '';
      res.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
          if (line === '') continue;
          const result = (JSON.parse(line) as { result?: { compact_revision?: string; events?: Record<string, unknown>[] } }).result ?? {};
          if (result.compact_revision !== undefined && result.compact_revision !== '0') {
            end(new CompactedError(result.compact_revision));
            req.destroy();
            return;
          }
          const events = (result.events ?? []).flatMap((e) => {
            const kv = decodeKv(e.kv);
            return kv ? [{ type: e.type === 'DELETE' ? 'DELETE' : 'PUT', kv, prev: decodeKv(e.prev_kv) } as EtcdEvent] : [];
          });
          if (events.length > 0) onEvents(events);
        }
      });
      res.on('end', () => end());
      res.on('error', (err) => end(err));
    });
    return () => {
      ended = true;
      req.destroy();
    };
  }
}
