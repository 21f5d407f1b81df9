import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import type { AgentMessage, CoordinatorClient, CoordinatorMessage__Output, FileChunk } from '@kumi/proto';
import type { HostFacts } from '@kumi/steps';
import type { Logger } from 'pino';
import { toProtoFacts } from '../facts/to-proto-facts';
import type { Outbox } from '../state/outbox';
import type { EventRecorder } from './event-recorder';
import type { FileSender } from './file-sender';
import type { StepRunner } from './step-runner';

/** What one Attach stream works with. */
export interface AttachContext {
  client: CoordinatorClient;
  hostName: string;
  agentVersion: string;
  outbox: Outbox;
  recorder: EventRecorder;
  runner: StepRunner;
  /** Answers the coordinator's FetchFile requests (etcd snapshots). */
  files: FileSender;
  logger: Logger;
  facts: () => Promise<HostFacts>;
  /** Called once the coordinator has answered on this stream (the connection works). */
  onEstablished: () => void;
}

/** A running Attach stream: `ended` settles with the reason it closed; `close` ends it from our side. */
export interface AttachSession {
  ended: Promise<string>;
  close(): void;
}

/**
 * Opens one Attach stream: Hello with fresh facts, then every unacknowledged event in
 * order, then new events as they are recorded. Requests, cancels and acks are handled as
 * they arrive. Events made while no stream is open wait in the outbox.
 */
export async function openAttachSession(context: AttachContext): Promise<AttachSession> {
  const { client, outbox, recorder, runner, files, logger } = context;
  const started = performance.now();
  const facts = await context.facts();
  logger.debug({ ms: Math.round(performance.now() - started) }, 'facts gathered');

  const call: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output> = client.attach();
  let established = false;
  const markEstablished = (): void => {
    if (established) return;
    established = true;
    context.onEstablished();
  };
  const ended = new Promise<string>((resolve) => {
    call.on('metadata', markEstablished);
    call.on('data', (message: CoordinatorMessage__Output) => {
      markEstablished();
      if (message.body === 'fetch' && message.fetch) {
        void files.send(message.fetch, (chunk) => writeWithBackPressure(call, chunk, ended)).catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'file fetch stopped'));
      } else dispatch(message, outbox, runner, logger);
    });
    call.on('error', (error: ServiceError) => resolve(`stream failed: ${error.details || error.message}`));
    call.on('end', () => resolve('the coordinator closed the stream'));
  });
  void ended.then(() => recorder.onEvent(undefined));

  // Hello, the backlog and the switch to live sending happen in one tick, so no new
  // event can slip in between and overtake an older one.
  call.write({ hello: { hostName: context.hostName, agentVersion: context.agentVersion, facts: toProtoFacts(facts), busyRunId: runner.busyRunId } });
  const backlog = outbox.pending();
  for (const event of backlog) call.write({ event });
  recorder.onEvent((event) => call.write({ event }));
  logger.info({ replayed: backlog.length, busyRunId: runner.busyRunId || undefined }, 'Hello sent; attach stream open');

  return {
    ended,
    close: () => {
      recorder.onEvent(undefined);
      call.cancel();
    },
  };
}

function dispatch(message: CoordinatorMessage__Output, outbox: Outbox, runner: StepRunner, logger: Logger): void {
  switch (message.body) {
    case 'run':
      if (message.run) {
        logger.debug({ runId: message.run.runId, step: message.run.step, dryRun: message.run.dryRun }, 'step request');
        runner.handle(message.run);
      }
      return;
    case 'cancel':
      if (message.cancel) runner.cancel(message.cancel.runId);
      return;
    case 'ack':
      if (message.ack) outbox.ack(message.ack.runId, Number(message.ack.seq));
      return;
    default:
      logger.warn({ body: message.body }, 'unknown message from the coordinator ignored');
  }
}

/**
 * Writes one FileChunk, then waits until the stream drains when its buffer is full, so a
 * snapshot of gigabytes never sits in memory; rejects once the stream has ended.
 */
function writeWithBackPressure(call: ClientDuplexStream<AgentMessage, CoordinatorMessage__Output>, chunk: FileChunk, ended: Promise<string>): Promise<void> {
  if (call.writableEnded || call.destroyed) return Promise.reject(new Error('the attach stream has ended'));
  if (call.write({ chunk })) return Promise.resolve();
  return Promise.race([
    new Promise<void>((resolve) => call.once('drain', () => resolve())),
    ended.then((reason) => Promise.reject(new Error(reason))),
  ]);
}
