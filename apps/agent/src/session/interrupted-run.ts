import type { Logger } from 'pino';
import type { Outbox } from '../state/outbox';
import { failedBody, type EventRecorder } from './event-recorder';

/**
 * After a restart: if the previous process died during a step (the outbox still has the
 * run in hand, without its end), records FAILED/INTERRUPTED as that run's next event, so
 * the coordinator learns its fate.
 */
export function reportInterruptedRun(outbox: Outbox, recorder: EventRecorder, logger: Logger): void {
  const interrupted = outbox.inHand();
  if (!interrupted) return;
  recorder.record(
    interrupted.runId,
    interrupted.step,
    failedBody('INTERRUPTED', 'the agent stopped while the step ran (crash or restart); check the host and run the step again'),
  );
  recorder.flush();
  logger.warn({ runId: interrupted.runId, step: interrupted.step }, 'a step was cut short by an agent stop; reported as INTERRUPTED');
}
