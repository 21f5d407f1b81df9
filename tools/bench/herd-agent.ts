// A simulated kumi agent for the herd benchmark and tests: it enrolls with the agent's
// own retry policy (the statuses it retries and its jittered backoff are the agent's,
// imported), then holds an Attach stream over mutual TLS and answers every step request
// with a no-op. Keys and CSRs are made up front by the caller (makeHerdKeys), outside
// any timed part.
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { AgentMessage, CoordinatorClient, CoordinatorMessage__Output } from '@kumi/proto';
import { createKeyAndCsr } from '@kumi/trust';
import { coordinatorClient } from '../../apps/agent/src/enroll/coordinator-client';
import { ENROLL_BACKOFF, isTransientEnrollStatus } from '../../apps/agent/src/enroll/enroll-status';
import { Backoff } from '../../apps/agent/src/session/backoff';
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
export class HerdAttachment {
  readonly #client: CoordinatorClient;
  readonly #stream: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;
  /** Step requests answered. */
  answered = 0;
  /** The status the stream ended with, once it ended. */
  ended: ServiceError | 'ok' | undefined;

  constructor(
    address: string,
    caPem: string,
    readonly hostName: string,
    identity: { keyPem: string; certPem: string },
  ) {
    this.#client = coordinatorClient(address, caPem, identity);
    this.#stream = this.#client.Attach();
    this.#stream.on('data', (message: CoordinatorMessage__Output) => {
      if (!message.run) return;
      this.answered += 1;
      this.#stream.write({ event: { runId: message.run.runId, seq: 1, host: hostName, step: message.run.step, kind: 'EVENT_KIND_NOOP' } });
    });
    this.#stream.on('error', (error: ServiceError) => (this.ended = error));
    this.#stream.on('end', () => (this.ended ??= 'ok'));
    this.#stream.write({
      hello: {
        hostName,
        agentVersion: '0.0.0-herd',
        busyRunId: '',
        facts: { hostName, kernel: '6.1.0-herd', cpus: 2, memoryBytes: 2 * 1024 ** 3, firewall: 'nftables', os: { id: 'debian', version: '12', family: 'debian' } },
      },
    });
  }

  /** Drops the connection. */
  close(): void {
    this.#stream.cancel();
    this.#client.close();
  }
}
