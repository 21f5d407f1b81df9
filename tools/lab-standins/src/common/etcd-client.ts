import https from 'node:https';
import type { TlsMaterial } from './tls-files';

/** One key/value as the etcd v3 JSON gateway returns it (decoded). */
export interface EtcdKv {
  readonly key: string;
  readonly value: string;
  readonly modRevision: string;
  readonly createRevision: string;
}

/** One etcd cluster member. */
export interface EtcdMember {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: string[];
  readonly clientURLs: string[];
  readonly isLearner: boolean;
}

/** An error answered by etcd (gRPC status in the gateway's JSON). */
export class EtcdError extends Error {
  constructor(
    message: string,
    readonly endpoint: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'EtcdError';
  }
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined): string => Buffer.from(s ?? '', 'base64').toString('utf8');

/** The smallest key greater than every key with this prefix. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if ((bytes[i] ?? 0) < 0xff) {
      bytes[i] = (bytes[i] ?? 0) + 1;
      return bytes.subarray(0, i + 1).toString('latin1');
    }
  }
  return '\0';
}

/**
 * A client for etcd's v3 JSON gateway (etcd 3.4 serves it on the client URL), over mutual
 * TLS. Requests go to the endpoints in order; the first that answers wins, as etcd clients do.
 */
export class EtcdClient {
  constructor(
    readonly endpoints: readonly string[],
    private readonly tls: TlsMaterial,
    private readonly timeoutMs = 3000,
  ) {
    if (endpoints.length === 0) throw new Error('EtcdClient needs at least one endpoint');
  }

  private call(endpoint: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const url = new URL(path, endpoint);
    const payload = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method: 'POST', ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, timeout: this.timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Record<string, unknown> = {};
            try {
              parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
            } catch {
              reject(new EtcdError(`etcd ${endpoint} answered non-JSON: ${text.slice(0, 200)}`, endpoint, res.statusCode));
              return;
            }
            if ((res.statusCode ?? 500) >= 400) {
              const message = typeof parsed.error === 'string' ? parsed.error : typeof parsed.message === 'string' ? parsed.message : text;
              reject(new EtcdError(message, endpoint, res.statusCode));
              return;
            }
            resolve(parsed);
          });
        },
      );
      req.on('timeout', () => req.destroy(new EtcdError(`etcd ${endpoint} did not answer within ${this.timeoutMs} ms`, endpoint)));
      req.on('error', (err) => reject(err instanceof EtcdError ? err : new EtcdError(`etcd ${endpoint}: ${err.message}`, endpoint)));
      req.end(payload);
    });
  }

  private async request(path: string, body: unknown): Promise<Record<string, unknown>> {
    let last: unknown;
    for (const endpoint of this.endpoints) {
      try {
        return await this.call(endpoint, path, body);
      } catch (err) {
        // An answer from etcd itself (4xx with a gRPC error) is final; only transport failures move on.
        if (err instanceof EtcdError && err.status !== undefined && err.status < 500) throw err;
        last = err;
      }
    }
    throw last instanceof Error ? last : new EtcdError('no etcd endpoint answered', this.endpoints.join(','));
  }

  /** Reads one key (linearizable), or undefined. */
  async get(key: string): Promise<EtcdKv | undefined> {
    const res = await this.request('/v3/kv/range', { key: b64(key) });
    return decodeKvs(res)[0];
  }

  /** Reads every key under a prefix (linearizable). */
  async list(prefix: string): Promise<EtcdKv[]> {
    const res = await this.request('/v3/kv/range', { key: b64(prefix), range_end: Buffer.from(prefixEnd(prefix), 'latin1').toString('base64') });
    return decodeKvs(res);
  }

  /** Writes a key unconditionally and returns the new revision. */
  async put(key: string, value: string): Promise<string> {
    const res = await this.request('/v3/kv/put', { key: b64(key), value: b64(value) });
    return String((res.header as Record<string, unknown> | undefined)?.revision ?? '0');
  }

  /**
   * Writes a key only if its mod revision still equals `modRevision` ("0" = must not
   * exist). Returns the new revision, or undefined when the condition failed.
   */
  async putIf(key: string, value: string, modRevision: string): Promise<string | undefined> {
    const compare = modRevision === '0'
      ? { key: b64(key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
      : { key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: modRevision };
    const res = await this.request('/v3/kv/txn', { compare: [compare], success: [{ request_put: { key: b64(key), value: b64(value) } }] });
    if (res.succeeded !== true) return undefined;
    return String((res.header as Record<string, unknown> | undefined)?.revision ?? '0');
  }

  /** Deletes a key; returns how many keys were deleted. */
  async delete(key: string): Promise<number> {
    const res = await this.request('/v3/kv/deleterange', { key: b64(key) });
    return Number(res.deleted ?? 0);
  }

  /** Lists the cluster members. */
  async memberList(): Promise<EtcdMember[]> {
    const res = await this.request('/v3/cluster/member/list', {});
    return decodeMembers(res.members);
  }

  /** Adds a member (as a learner when asked); returns the new member and the full list. */
  async memberAdd(peerURLs: string[], isLearner: boolean): Promise<{ member: EtcdMember; members: EtcdMember[] }> {
    const res = await this.request('/v3/cluster/member/add', { peerURLs, isLearner });
    const member = decodeMembers([res.member])[0];
    if (!member) throw new EtcdError('etcd member add answered without a member', this.endpoints.join(','));
    return { member, members: decodeMembers(res.members) };
  }

  /** Promotes a learner to a voting member (fails until the learner is in sync). */
  async memberPromote(id: string): Promise<void> {
    await this.request('/v3/cluster/member/promote', { ID: id });
  }

  /** Removes a member. */
  async memberRemove(id: string): Promise<void> {
    await this.request('/v3/cluster/member/remove', { ID: id });
  }

  /** The status of the member behind one endpoint (leader id, raft index). */
  async status(endpoint: string): Promise<{ leader: string; memberId: string; isLearner: boolean }> {
    const res = await this.call(endpoint, '/v3/maintenance/status', {});
    const header = (res.header ?? {}) as Record<string, unknown>;
    return { leader: String(res.leader ?? '0'), memberId: String(header.member_id ?? '0'), isLearner: res.isLearner === true };
  }
}

function decodeKvs(res: Record<string, unknown>): EtcdKv[] {
  const kvs = (res.kvs ?? []) as Record<string, string | undefined>[];
  return kvs.map((kv) => ({ key: unb64(kv.key), value: unb64(kv.value), modRevision: kv.mod_revision ?? '0', createRevision: kv.create_revision ?? '0' }));
}

function decodeMembers(raw: unknown): EtcdMember[] {
  const members = (Array.isArray(raw) ? raw : []) as Record<string, unknown>[];
  return members.map((m) => ({
    id: String(m.ID ?? ''),
    name: String(m.name ?? ''),
    peerURLs: (m.peerURLs ?? []) as string[],
    clientURLs: (m.clientURLs ?? []) as string[],
    isLearner: m.isLearner === true,
  }));
}
