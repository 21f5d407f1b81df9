import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/agent-config';
import { coordinatorClient } from '../enroll/coordinator-client';
import { obtainIdentity } from '../enroll/obtain-identity';
import { FactsCache } from '../facts/facts-cache';
import { gatherFacts, hostFactSources } from '../facts/gather-facts';
import { ensureStateDir } from '../state/credentials-store';
import { Outbox } from '../state/outbox';
import { AGENT_VERSION } from '../version';
import { openAttachSession, type AttachSession } from './attach-session';
import { Backoff } from './backoff';
import { EventRecorder } from './event-recorder';
import { FileSender } from './file-sender';
import { reportInterruptedRun } from './interrupted-run';
import { StepRunner } from './step-runner';

/**
 * How long a stopping agent waits for a cancelled step to record its end. Short, so the
 * agent is gone within a second of SIGTERM: a step that has not ended by then is reported
 * INTERRUPTED by the next start (the outbox still has it in hand).
 */
const STOP_GRACE_MS = 600;
/** A stream open this long counts as a working connection for the backoff. */
const STABLE_STREAM_MS = 10_000;

/**
 * The agent's foreground life: enroll once (or load the stored identity), report a run
 * cut short by a previous crash, then keep one Attach stream open, reconnecting with
 * capped, jittered backoff, until `signal` aborts.
 */
export async function runAgent(config: AgentConfig, hostName: string, logger: Logger, signal: AbortSignal): Promise<void> {
  await ensureStateDir(config.stateDir);
  const identity = await obtainIdentity(config, hostName, logger, signal);
  if (!identity) return;

  const outbox = Outbox.open(config.stateDir);
  const recorder = new EventRecorder(outbox, hostName);
  reportInterruptedRun(outbox, recorder, logger);
  const facts = new FactsCache(
    () => gatherFacts(hostFactSources(hostName)),
    (reason) => logger.info({ reason }, 'host facts gathered'),
  );
  const runner = new StepRunner({ recorder, logger, root: config.root, facts });
  const files = new FileSender(config.root, logger);
  const client = coordinatorClient(config.coordinator, identity.caPem, identity);
  const backoff = new Backoff();
  let session: AttachSession | undefined;
  const onStop = (): void => {
    session?.close();
    if (runner.busyRunId !== '') runner.cancel(runner.busyRunId);
  };
  signal.addEventListener('abort', onStop, { once: true });
  try {
    while (!signal.aborted) {
      let reason: string;
      const openedAt = Date.now();
      try {
        session = await openAttachSession({
          client,
          hostName,
          agentVersion: AGENT_VERSION,
          outbox,
          recorder,
          runner,
          files,
          logger,
          facts: () => facts.refresh(),
          onEstablished: () => {
            backoff.reset();
            logger.info({ coordinator: config.coordinator }, 'attached');
          },
        });
        if (signal.aborted) session.close();
        reason = await session.ended;
      } catch (error) {
        reason = `attach failed: ${(error as Error).message}`;
      }
      session = undefined;
      if (signal.aborted) break;
      // A stream that stayed up a while proves the connection worked, even if the
      // coordinator never sent anything on it.
      if (Date.now() - openedAt >= STABLE_STREAM_MS) backoff.reset();
      const attempt = backoff.attempt;
      const delay = backoff.next();
      logger.warn({ reason, attempt, delayMs: delay, busyRunId: runner.busyRunId || undefined }, 'attach stream lost; reconnecting');
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  } finally {
    signal.removeEventListener('abort', onStop);
    const grace = new AbortController();
    await Promise.race([runner.idle(), sleep(STOP_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
    // The timer must not keep the process alive once the step has ended.
    grace.abort();
    client.close();
    // Flushes the last burst: a stopped agent leaves every event it made on disk.
    outbox.close();
  }
}
