import { type ClientDuplexStream, credentials, type ServiceError } from '@grpc/grpc-js';
import type { AgentMessage, CoordinatorClient, CoordinatorMessage__Output, EnrollResponse__Output, FileChunk, StepEvent } from '@kumi/proto';
import { kumiV1 } from '@kumi/proto';
import { createKeyAndCsr } from '@kumi/trust';

/** A client certificate and key, as an enrolled agent holds them. */
export interface AgentIdentity {
  hostName: string;
  keyPem: string;
  certPem: string;
}

/** A Coordinator client over TLS trusting caPem, optionally presenting a client certificate. */
export function coordinatorClient(address: string, caPem: string, identity?: { keyPem: string; certPem: string }): CoordinatorClient {
  const Coordinator = kumiV1().Coordinator;
  const creds = identity
    ? credentials.createSsl(Buffer.from(caPem), Buffer.from(identity.keyPem), Buffer.from(identity.certPem))
    : credentials.createSsl(Buffer.from(caPem));
  // Name the server by its DNS SAN: Node warns when TLS SNI is an IP address.
  return new Coordinator(address, creds, { 'grpc.ssl_target_name_override': 'localhost' });
}

/** Calls Enroll; resolves with the response or rejects with the gRPC error. */
export function callEnroll(client: CoordinatorClient, request: { token: string; csrPem: string; hostName: string }): Promise<EnrollResponse__Output> {
  return new Promise((resolve, reject) => {
    client.Enroll(request, { deadline: Date.now() + 10_000 }, (error, response) => (error || !response ? reject(error) : resolve(response)));
  });
}

/** Makes a key and CSR the way an agent does, enrolls, and returns the identity. */
export async function enrollAgent(address: string, caPem: string, token: string, hostName: string): Promise<AgentIdentity> {
  const { keyPem, csrPem } = await createKeyAndCsr(hostName);
  const client = coordinatorClient(address, caPem);
  try {
    const response = await callEnroll(client, { token, csrPem, hostName });
    return { hostName, keyPem, certPem: response.certificatePem };
  } finally {
    client.close();
  }
}

/**
 * One Attach stream played by the test: it records what the coordinator sends and the
 * status the stream ends with, and waits for either with a time limit.
 */
export class FakeAgentStream {
  readonly received: CoordinatorMessage__Output[] = [];
  ended: ServiceError | 'ok' | undefined;
  private readonly client: CoordinatorClient;
  private readonly stream: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>;
  private waiters: Array<() => void> = [];

  constructor(address: string, caPem: string, identity?: { keyPem: string; certPem: string }) {
    this.client = coordinatorClient(address, caPem, identity);
    this.stream = this.client.Attach();
    this.stream.on('data', (message: CoordinatorMessage__Output) => {
      this.received.push(message);
      this.wake();
    });
    this.stream.on('error', (error: ServiceError) => {
      this.ended = error;
      this.wake();
    });
    this.stream.on('end', () => {
      this.ended ??= 'ok';
      this.wake();
    });
  }

  /** Sends a Hello. */
  hello(hostName: string, busyRunId = ''): void {
    this.stream.write({ hello: { hostName, agentVersion: '0.0.0-test', busyRunId, facts: { hostName, kernel: '6.1.0-test', cpus: 2, memoryBytes: 4 * 1024 ** 3, firewall: 'nftables', os: { id: 'debian', version: '12', family: 'debian' } } } });
  }

  /** Sends a step event. */
  event(event: StepEvent): void {
    this.stream.write({ event });
  }

  /** Sends a piece of a FetchFile's answer. */
  chunk(chunk: FileChunk): void {
    this.stream.write({ chunk });
  }

  /** Waits until pick() returns a value, at most timeoutMs. */
  async waitFor<T>(pick: () => T | undefined, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = pick();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting on the fake agent stream');
      await new Promise<void>((resolve) => {
        // Also poll: some conditions (the coordinator's registry) change without a message.
        const timer = setTimeout(resolve, Math.min(left, 20));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the stream to end; returns its error (or 'ok'). */
  waitEnded(timeoutMs = 5_000): Promise<ServiceError | 'ok'> {
    return this.waitFor(() => this.ended, timeoutMs);
  }

  /** Waits for the n-th StepRequest (longer timeoutMs where a cold command start precedes it). */
  waitRun(index = 0, timeoutMs = 5_000) {
    return this.waitFor(() => this.received.filter((m) => m.run)[index]?.run ?? undefined, timeoutMs);
  }

  /** Acks received so far, as "runId:seq". */
  acks(): string[] {
    return this.received.filter((m) => m.ack).map((m) => `${m.ack?.runId}:${m.ack?.seq}`);
  }

  /** Drops the connection abruptly (as a network loss would). */
  drop(): void {
    this.stream.cancel();
    this.client.close();
  }

  /** Closes the stream politely. */
  close(): void {
    this.stream.end();
    this.client.close();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
