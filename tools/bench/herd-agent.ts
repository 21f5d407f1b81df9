// A simulated kumi agent for the herd benchmark and tests: it enrolls with the agent's
// own retry policy (the statuses it retries and its jittered backoff are the agent's,
// imported), then holds an Attach stream over mutual TLS and answers every step request
// with a no-op. Keys and CSRs are made up front by the caller (makeHerdKeys), outside
// any timed part.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ClientDuplexStream, type ServiceError, status } from '@grpc/grpc-js';
import type { AgentMessage, CoordinatorClient, CoordinatorMessage__Output } from '@kumi/proto';
import { createKeyAndCsr } from '@kumi/trust';
import { coordinatorClient } from '../../apps/agent/src/enroll/coordinator-client';
import { ENROLL_BACKOFF, isTransientEnrollStatus } from '../../apps/agent/src/enroll/enroll-status';
import { Backoff, RECONNECT_BACKOFF } from '../../apps/agent/src/session/backoff';
import { RawEnrollClient } from './herd-enroll-client';

/** One simulated host: its name, token, key and CSR. */
export interface HerdHost {
  hostName: string;
  token: string;
  keyPem: string;
  csrPem: string;
  /** The loopback address its Enroll calls come from. */
  sourceAddress?: string;
}

/** What a herd saw while enrolling. */
export class HerdStats {
  /** Attempts answered with a status the agent retries, by status name. */
  readonly retried = new Map<string, number>();
  /** Refusals the agent would not retry: each ends that agent's enrollment. */
  readonly permanent: Array<{ hostName: string; code: number; details: string }> = [];
  /** Every client-visible refusal text, to check for paths and process ids. */
  readonly messages = new Set<string>();

  get retries(): number {
    return [...this.retried.values()].reduce((sum, n) => sum + n, 0);
  }
}

/** Makes every host's key and CSR (P-256, as the agent does): the untimed set-up. */
export async function makeHerdKeys(hostNames: string[]): Promise<Array<{ hostName: string; keyPem: string; csrPem: string }>> {
  const made = [];
  for (const hostName of hostNames) made.push({ hostName, ...(await createKeyAndCsr(hostName)) });
  return made;
}

const ENROLL_TIMEOUT_MS = 15_000;

/**
 * Enrolls one host as the agent does: the same key on every attempt, transient statuses
 * retried with the agent's backoff, a permanent refusal recorded and returned as undefined.
 */
export async function enrollLikeAgent(host: HerdHost, port: number, caPem: string, stats: HerdStats, signal: AbortSignal): Promise<string | undefined> {
  // One signal stops a whole herd: each of its agents waits on it.
  setMaxListeners(0, signal);
  const backoff = new Backoff(ENROLL_BACKOFF);
  let client: RawEnrollClient | undefined;
  try {
    while (!signal.aborted) {
      if (!client?.usable) {
        client?.close();
        client = new RawEnrollClient(port, caPem, host.sourceAddress);
      }
      const outcome = await client.enroll({ token: host.token, csrPem: host.csrPem, hostName: host.hostName }, ENROLL_TIMEOUT_MS);
      if (outcome.response) return outcome.response.certificatePem;
      stats.messages.add(outcome.details);
      if (!isTransientEnrollStatus(outcome.code)) {
        stats.permanent.push({ hostName: host.hostName, code: outcome.code, details: outcome.details });
        return undefined;
      }
      const name = String(outcome.code);
      stats.retried.set(name, (stats.retried.get(name) ?? 0) + 1);
      await sleep(backoff.next(), undefined, { signal }).catch(() => undefined);
    }
    return undefined;
  } finally {
    client?.close();
  }
}

/** An attached simulated agent: answers each step request with a NOOP event. */
/** Where a herd's Attach streams ended before the herd let go of them, by status name (reattached by the agent's policy). */
export class AttachStats {
  readonly ended = new Map<string, number>();

  get count(): number {
    return [...this.ended.values()].reduce((sum, n) => sum + n, 0);
  }
}

export class HerdAttachment {
  #client: CoordinatorClient;
  #stream: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  readonly #backoff = new Backoff(RECONNECT_BACKOFF);
  /** Step requests answered. */
  answered = 0;
  /** The status the (first) stream ended with, once it ended. */
  ended: ServiceError | 'ok' | undefined;

  /**
   * Attaches at once. With `reattach`, a stream that ends is counted there by status and
   * opened again after the agent's reconnect backoff, as the agent does; without it, the
   * attachment stays ended (tests that look at how the coordinator ended it).
   */
  constructor(
    private readonly address: string,
    private readonly caPem: string,
    readonly hostName: string,
    private readonly identity: { keyPem: string; certPem: string },
    private readonly reattach?: AttachStats,
  ) {
    this.#client = coordinatorClient(address, caPem, identity);
    this.#stream = this.#open();
  }

  #open(): ClientDuplexStream<AgentMessage, CoordinatorMessage__Output> {
    const hostName = this.hostName;
    const stream = this.#client.Attach();
    stream.on('data', (message: CoordinatorMessage__Output) => {
      this.#backoff.reset();
      if (!message.run) return;
      this.answered += 1;
      stream.write({ event: { runId: message.run.runId, seq: 1, host: hostName, step: message.run.step, kind: 'EVENT_KIND_NOOP' } });
    });
    stream.on('error', (error: ServiceError) => this.#ended(error));
    stream.on('end', () => this.#ended('ok'));
    stream.write({
      hello: {
        hostName,
        agentVersion: '0.0.0-herd',
        busyRunId: '',
        facts: { hostName, kernel: '6.1.0-herd', cpus: 2, memoryBytes: 2 * 1024 ** 3, firewall: 'nftables', os: { id: 'debian', version: '12', family: 'debian' } },
      },
    });
    return stream;
  }

  #ended(how: ServiceError | 'ok'): void {
    this.ended ??= how;
    if (!this.reattach || this.#closed || this.#retry) return;
    const name = how === 'ok' ? 'OK' : (status[how.code] ?? String(how.code));
    this.reattach.ended.set(name, (this.reattach.ended.get(name) ?? 0) + 1);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.#client.close();
      this.#client = coordinatorClient(this.address, this.caPem, this.identity);
      this.#stream = this.#open();
    }, this.#backoff.next());
  }

  /** From now on a stream that ends stays ended (before the coordinator is stopped on purpose). */
  stopReattaching(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
  }

  /** Drops the connection. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#stream.cancel();
    this.#client.close();
  }
}
