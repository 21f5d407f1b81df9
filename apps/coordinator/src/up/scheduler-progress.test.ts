import { describe, expect, it } from 'vitest';
import type { SchedulerEvent } from '../plan';
import { progressOf } from './scheduler-progress';

const end = (extra: Record<string, unknown>) =>
  ({ kind: 'entry-end', stage: 'run-1', host: 'w1', step: 'kubeadm.init', path: 'run-1/kubeadm.init@w1', durationMs: 1200, ...extra }) as unknown as SchedulerEvent;

describe('progress of a step end', () => {
  it('carries the step outputs on DONE and NOOP, for tools reading --json', () => {
    expect(progressOf(end({ status: 'done', outputs: { caCertHash: 'sha256:ab' } }))).toMatchObject({ kind: 'DONE', outputs: { caCertHash: 'sha256:ab' } });
    expect(progressOf(end({ status: 'noop', reason: 'already', outputs: { node: 'w1' } }))).toMatchObject({ kind: 'NOOP', text: 'already', outputs: { node: 'w1' } });
  });

  it('leaves outputs out when a step has none, and on failures', () => {
    expect(progressOf(end({ status: 'done', outputs: {} }))).not.toHaveProperty('outputs');
    expect(progressOf(end({ status: 'failed', error: { code: 'TIMEOUT', message: 'slow' } }))).toMatchObject({ kind: 'FAILED', error: { code: 'TIMEOUT' } });
  });
});
