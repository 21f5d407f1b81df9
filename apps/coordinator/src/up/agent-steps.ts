import type { StepEvent } from '@kumi/proto';
import { formatDuration } from '../cli/duration';
import { hostStepEventOf, TERMINAL_KINDS } from '../client/wire-step-events';
import { type HostRunner, type HostStepEvent, StepHandle, type StepRunRequest } from '../plan';
import type { AgentRegistry } from '../server/agent-registry';
import type { RunBroker } from '../server/run-broker';

/** The in-process coordinator's parts that reach the agents (a RunningCoordinator fits). */
export interface AgentLink {
  broker: RunBroker;
  agents: AgentRegistry;
}

/** How long a step waits for its host to finish a step it was running before (e.g. from a crashed run). */
const BUSY_WAIT_MS = 15 * 60_000;
const BUSY_POLL_MS = 100;
const BUSY_REMIND_MS = 30_000;
/** How many times a step is sent again after the agent answered LOCKED. */
const LOCKED_RETRIES = 3;

/** How long a step waits for a busy host, and how it pauses between looks (tests count the looks). */
export interface BusyWait {
  limitMs: number;
  pause(ms: number): Promise<void>;
}

const REAL_BUSY_WAIT: BusyWait = { limitMs: BUSY_WAIT_MS, pause: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

/** One step sent to one attached agent through the in-process RunBroker; its secrets are revealed only into the StepRequest's secrets field. */
export type AgentStepRequest = StepRunRequest;

/** Per link and host: the tail of the queue of steps this process sends to that host. */
const hostQueues = new WeakMap<AgentLink, Map<string, Promise<void>>>();

/**
 * Takes the host's turn: an agent runs one step at a time (a second request gets LOCKED),
 * so this process sends a host its steps one after another, e.g. the token steps of
 * parallel worker joins on the same control plane. Resolves with the release function.
 */
async function takeTurn(link: AgentLink, host: string): Promise<() => void> {
  const queues = hostQueues.get(link) ?? new Map<string, Promise<void>>();
  hostQueues.set(link, queues);
  const previous = queues.get(host) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(host, tail);
  await previous;
  return () => {
    release();
    if (queues.get(host) === tail) queues.delete(host);
  };
}

/**
 * Waits while the host is busy with a run this coordinator did not start (an agent that
 * re-attached still running a step of a crashed `kumi up`), saying so now and then.
 * Returns an error text when the wait ran out.
 */
async function* waitWhileBusy(link: AgentLink, request: AgentStepRequest, { limitMs, pause }: BusyWait): AsyncGenerator<HostStepEvent, string | undefined> {
  const started = Date.now();
  let reported = 0;
  for (;;) {
    const busy = link.agents.get(request.host)?.busyRunId;
    if (!busy || request.signal.aborted) return undefined;
    const waited = Date.now() - started;
    if (waited >= limitMs) return `${request.host} stayed busy with run ${busy} for ${formatDuration(waited)}; check the agent (\`kumi agents\`) and run the command again`;
    if (reported === 0 || Date.now() - reported >= BUSY_REMIND_MS) {
      reported = Date.now();
      yield { kind: 'progress', text: `${request.host} is still running a step from before (run ${busy}); waiting for it to end before ${request.step}` };
    }
    await pause(BUSY_POLL_MS);
  }
}

/**
 * Runs one step on an attached agent: the handle streams its progress and ends with its
 * result (or a StepRunError). A host busy with a step from before is waited for (and a
 * LOCKED answer retried); a host that is not attached fails NOT_ATTACHED; aborting the
 * signal asks the agent to cancel.
 */
export function runAgentStep(link: AgentLink, request: AgentStepRequest, busy: BusyWait = REAL_BUSY_WAIT): StepHandle {
  return new StepHandle(request.host, request.step, agentStepEvents(link, request, busy));
}

async function* agentStepEvents(link: AgentLink, request: AgentStepRequest, busy: BusyWait): AsyncGenerator<HostStepEvent> {
  const release = await takeTurn(link, request.host);
  try {
    yield* sendWhenFree(link, request, busy);
  } finally {
    release();
  }
}

async function* sendWhenFree(link: AgentLink, request: AgentStepRequest, busy: BusyWait): AsyncGenerator<HostStepEvent> {
  for (let attempt = 0; ; attempt++) {
    const stuck = yield* waitWhileBusy(link, request, busy);
    if (stuck) {
      yield { kind: 'failed', error: { code: 'LOCKED', message: stuck } };
      return;
    }
    let locked = false;
    for await (const event of runOnce(link.broker, request)) {
      if (event.kind === 'failed' && event.error.code === 'LOCKED' && attempt < LOCKED_RETRIES && !request.signal.aborted) {
        locked = true;
        break;
      }
      yield event;
    }
    if (!locked) return;
    yield { kind: 'progress', text: `${request.host} answered LOCKED (busy with another step); waiting, then sending ${request.step} again` };
    await busy.pause(500);
  }
}

async function* runOnce(broker: RunBroker, request: AgentStepRequest): AsyncGenerator<HostStepEvent> {
  const queue: StepEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const push = (event: StepEvent) => {
    queue.push(event);
    if (TERMINAL_KINDS.has(String(event.kind))) ended = true;
    wake?.();
  };
  const secrets = Object.fromEntries(Object.entries(request.secrets).map(([name, secret]) => [name, secret.reveal()]));
  let handle;
  try {
    handle = broker.start({ host: request.host, step: request.step, paramsJson: JSON.stringify(request.params), secrets, dryRun: request.dryRun === true }, push);
  } catch (error) {
    const message = (error as { details?: string }).details ?? (error as Error).message;
    yield { kind: 'failed', error: { code: 'NOT_ATTACHED', message } };
    return;
  }
  const onAbort = () => {
    handle.abandon();
    wake?.();
  };
  request.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const event = queue.shift();
      if (event) {
        const mapped = hostStepEventOf(event);
        if (mapped) yield mapped;
        if (TERMINAL_KINDS.has(String(event.kind))) return;
        continue;
      }
      if (request.signal.aborted) {
        yield { kind: 'failed', error: { code: 'CANCELLED', message: `cancelled ${request.step} on ${request.host}; the agent was asked to stop it` } };
        return;
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    // Leaving early (the consumer stopped) abandons the run so the agent is not left busy.
    if (!ended) handle.abandon();
  }
}

/** The scheduler's HostRunner over the attached agents. */
export function agentHostRunner(link: AgentLink): HostRunner {
  return { runStep: (request) => runAgentStep(link, request) };
}
