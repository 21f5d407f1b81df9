import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { generateBootstrapToken, hashTokenSecret } from '@kumi/trust';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { readLegacyState } from './legacy-state';
import { acquireStateLock } from './state-lock';
import { type CompactionPolicy, readLog, StateLog, writeLogFile } from './state-log';
import type { StatePaths } from './state-paths';
import { type EnrolledHost, type StateRecord, stateRecordSchema, type TokenRecord } from './state-records';

/** A freshly created token: the only moment the secret exists outside the agent. */
export interface CreatedToken {
  record: TokenRecord;
  /** "id.secret", to print once and hand to one agent. */
  token: string;
}

/** What creating a token takes. */
export interface CreateTokenOptions {
  ttlMs: number;
  host?: string;
  now?: Date;
}

/** Options of StateStore.open. */
export interface OpenStoreOptions {
  /** What holds the folder, e.g. "kumi serve" (shown to a second kumi). */
  command: string;
  compaction?: CompactionPolicy;
}

/**
 * The cluster's tokens and enrolled hosts, owned in memory by one process. Every change
 * is applied to memory at once (so the next check sees it) and appended to the state log;
 * its promise resolves only when the log line is on disk. Reads never touch the disk.
 */
export class StateStore {
  readonly #tokens = new Map<string, TokenRecord>();
  readonly #hosts = new Map<string, EnrolledHost>();
  readonly #hostsByCert = new Map<string, EnrolledHost>();
  #log: StateLog | undefined;
  #release: () => void = () => undefined;
  #closed = false;

  private constructor(readonly paths: StatePaths) {}

  /**
   * Takes the folder's lock, loads the log once (converting the old tokens.json and
   * hosts.json when there is no log yet) and opens it for appending.
   */
  static async open(paths: StatePaths, options: OpenStoreOptions): Promise<StateStore> {
    const store = new StateStore(paths);
    store.#release = acquireStateLock(paths.lock, options.command).release;
    try {
      if (!existsSync(paths.stateLog)) await convertLegacyState(paths);
      const contents = await readLog(paths.stateLog, (value) => stateRecordSchema.parse(value));
      for (const record of contents.lines as StateRecord[]) store.#apply(record);
      store.#log = await StateLog.open(paths.stateLog, contents, () => store.#snapshot(), options.compaction);
      // A crash between writing the converted log and removing the old files leaves both: the log wins.
      await rm(paths.tokens, { force: true });
      await rm(paths.hosts, { force: true });
      return store;
    } catch (error) {
      store.#release();
      throw error;
    }
  }

  /** Writes the empty log of a new cluster (`kumi init`); fails if one exists. */
  static async initialize(paths: StatePaths): Promise<void> {
    if (existsSync(paths.stateLog)) throw new CliError(`${paths.stateLog} already exists; kumi init never overwrites a cluster's state`, ExitCode.STATE);
    await writeLogFile(paths.stateLog, `${JSON.stringify(emptySnapshot())}\n`);
  }

  /** Every token, oldest first. */
  listTokens(): TokenRecord[] {
    return [...this.#tokens.values()].map((record) => ({ ...record }));
  }

  /** The token with this id, if any (a copy: change it only through the store). */
  token(id: string): Readonly<TokenRecord> | undefined {
    return this.#tokens.get(id);
  }

  /** Mints a token valid for ttlMs, optionally bound to one host name. */
  async createToken(options: CreateTokenOptions): Promise<CreatedToken> {
    const now = options.now ?? new Date();
    let minted = generateBootstrapToken();
    // Ids must be unique: they are how a token is found, listed and deleted.
    for (let attempt = 0; this.#tokens.has(minted.id); attempt += 1) {
      if (attempt > 20) throw new Error('could not find a free token id');
      minted = generateBootstrapToken();
    }
    const record: TokenRecord = {
      id: minted.id,
      secretHash: hashTokenSecret(minted.secret),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
      host: options.host ?? null,
      usedAt: null,
      usedBy: null,
    };
    await this.#change({ op: 'token-created', token: record });
    return { record: { ...record }, token: minted.token };
  }

  /** Removes a token; false when no token has that id. */
  async deleteToken(id: string): Promise<boolean> {
    if (!this.#tokens.has(id)) return false;
    await this.#change({ op: 'token-deleted', id });
    return true;
  }

  /** Every enrolled host, in enrollment order. */
  listHosts(): EnrolledHost[] {
    return [...this.#hosts.values()].map((host) => ({ ...host }));
  }

  /** The host's record, if it enrolled. */
  host(hostName: string): Readonly<EnrolledHost> | undefined {
    return this.#hosts.get(hostName);
  }

  /** The host whose current certificate has this sha256 (hex of the DER), if any. */
  hostByCertificate(certSha256: string): Readonly<EnrolledHost> | undefined {
    return this.#hostsByCert.get(certSha256);
  }

  /**
   * Burns the token and records the host's certificate as one log record. The caller
   * checks the token in the same synchronous step (nothing can run between its check and
   * this call's change of memory), so two enrollments with one token never both succeed.
   */
  enroll(tokenId: string, host: EnrolledHost): Promise<void> {
    const token = this.#tokens.get(tokenId);
    if (!token || token.usedAt !== null) throw new Error(`token ${tokenId} is not usable: check it in the same step as enroll()`);
    return this.#change({ op: 'enrolled', tokenId, host });
  }

  /** Records (or replaces) a host's certificate without a token (tests, tools). */
  recordHost(host: EnrolledHost): Promise<void> {
    return this.#change({ op: 'host-recorded', host });
  }

  /** False once a change could not be written: memory is then ahead of the disk, and nothing more is acknowledged. */
  get writable(): boolean {
    return !this.#closed && this.#log !== undefined && this.#log.healthy;
  }

  /** Waits for pending changes, closes the log and releases the lock. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#log?.close();
    } finally {
      this.#release();
    }
  }

  #change(record: StateRecord): Promise<void> {
    if (this.#closed || !this.#log) return Promise.reject(new CliError('the cluster state was closed; this change was not made', ExitCode.STATE));
    this.#apply(record);
    return this.#log.append(record);
  }

  #apply(record: StateRecord): void {
    switch (record.op) {
      case 'snapshot':
        this.#tokens.clear();
        this.#hosts.clear();
        this.#hostsByCert.clear();
        for (const token of record.tokens) this.#tokens.set(token.id, { ...token });
        for (const host of record.hosts) this.#setHost(host);
        return;
      case 'token-created':
        this.#tokens.set(record.token.id, { ...record.token });
        return;
      case 'token-deleted':
        this.#tokens.delete(record.id);
        return;
      case 'enrolled': {
        const token = this.#tokens.get(record.tokenId);
        if (token) {
          token.usedAt = record.host.enrolledAt;
          token.usedBy = record.host.hostName;
        }
        this.#setHost(record.host);
        return;
      }
      case 'host-recorded':
        this.#setHost(record.host);
        return;
    }
  }

  #setHost(host: EnrolledHost): void {
    const previous = this.#hosts.get(host.hostName);
    if (previous) this.#hostsByCert.delete(previous.certSha256);
    // Re-inserting moves the host to the end: the map's order is the enrollment order.
    this.#hosts.delete(host.hostName);
    this.#hosts.set(host.hostName, { ...host });
    this.#hostsByCert.set(host.certSha256, this.#hosts.get(host.hostName) as EnrolledHost);
  }

  #snapshot(): StateRecord {
    return { op: 'snapshot', tokens: this.listTokens(), hosts: this.listHosts() };
  }
}

function emptySnapshot(): StateRecord {
  return { op: 'snapshot', tokens: [], hosts: [] };
}

/**
 * A folder of an older kumi keeps tokens.json and hosts.json: they are read once and
 * written as the first snapshot of the log (the old files are removed once the log is
 * on disk). A folder with neither starts empty.
 */
async function convertLegacyState(paths: StatePaths): Promise<void> {
  const legacy = await readLegacyState(paths);
  await writeLogFile(paths.stateLog, `${JSON.stringify({ ...emptySnapshot(), ...legacy })}\n`);
}
