import { describe, expect, it } from 'vitest';
import { kumiV1 } from './load';

describe('kumiV1', () => {
  it('exposes both services with their methods', () => {
    const v1 = kumiV1();
    expect(Object.keys(v1.Coordinator.service)).toEqual(['Enroll', 'Attach']);
    expect(v1.Coordinator.service.Attach.requestStream).toBe(true);
    expect(v1.Coordinator.service.Attach.responseStream).toBe(true);
    expect(Object.keys(v1.Control.service)).toEqual(['ListAgents', 'RunStep', 'CreateToken', 'ListTokens', 'DeleteToken']);
  });

  it('decodes enums as strings and 64-bit numbers as numbers', () => {
    const attach = kumiV1().Coordinator.service.Attach;
    const bytes = attach.requestSerialize({ event: { runId: 'r', seq: 7, kind: 'EVENT_KIND_DONE', timeUnixMs: 1700000000000 } });
    const back = attach.requestDeserialize(bytes) as { event: { seq: number; kind: string; timeUnixMs: number }; body: string };
    expect(back.body).toBe('event');
    expect(back.event.seq).toBe(7);
    expect(back.event.kind).toBe('EVENT_KIND_DONE');
    expect(back.event.timeUnixMs).toBe(1700000000000);
  });
});
