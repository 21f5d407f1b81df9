import type { Logger } from 'pino';
import type { Outbox } from '../state/outbox';
import type { RunMarkerFile } from '../state/run-marker';
import { failedBody, type EventRecorder } from './event-recorder';

/**
 * After a restart: if the previous process died during a step (the marker is still there
 * and the run never ended), records FAILED/INTERRUPTED as that run's next event, so the
 * coordinator learns its fate. Clears the marker either way.
 */
export function reportInterruptedRun(marker: RunMarkerFile, outbox: Outbox, recorder: EventRecorder, logger: Logger): void {
  const interrupted = marker.read();
  if (!interrupted) return;
  if (!outbox.hasEnded(interrupted.runId)) {
    recorder.record(
      interrupted.runId,
      interrupted.step,
      failedBody('INTERRUPTED', 'the agent stopped while the step ran (crash or restart); check the host and run the step again'),
    );
    logger.warn({ runId: interrupted.runId, step: interrupted.step }, 'a step was cut short by an agent stop; reported as INTERRUPTED');
  }
  // On disk before the marker goes (see StepRunner).
  outbox.flush();
  marker.clear();
}
