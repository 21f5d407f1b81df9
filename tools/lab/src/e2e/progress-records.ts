/** One NDJSON progress event of `kumi up|verify|drill|reset --json`, as the lab reads it. */
export interface ProgressRecord {
  seq: number;
  kind: string;
  stage: string;
  host: string;
  step: string;
  path?: string;
  text?: string;
  time?: string;
  error?: { code: string; message: string; stderrTail?: string };
}

/**
 * Parses one NDJSON line and checks the fields every event carries: host, stage, step and
 * kind as strings, seq as a positive integer. Throws naming the first missing field.
 */
export function parseProgressLine(line: string): ProgressRecord {
  const value = JSON.parse(line) as Record<string, unknown>;
  for (const field of ['host', 'stage', 'step', 'kind'] as const) {
    if (typeof value[field] !== 'string') throw new Error(`field "${field}" is ${JSON.stringify(value[field])}, not a string`);
  }
  if (!Number.isInteger(value.seq) || (value.seq as number) < 1) throw new Error(`field "seq" is ${JSON.stringify(value.seq)}, not a positive integer`);
  return value as unknown as ProgressRecord;
}

/** Parses a whole NDJSON stream strictly: every line an event, seq strictly increasing from 1. */
export function parseProgressStream(stdout: string): ProgressRecord[] {
  const events: ProgressRecord[] = [];
  for (const [index, line] of stdout.split('\n').entries()) {
    if (line.trim() === '') continue;
    let event: ProgressRecord;
    try {
      event = parseProgressLine(line);
    } catch (error) {
      throw new Error(`line ${index + 1} is not a progress event: ${(error as Error).message}: ${line.slice(0, 300)}`);
    }
    const previous = events.at(-1)?.seq ?? 0;
    if (event.seq <= previous) throw new Error(`line ${index + 1}: seq ${event.seq} does not follow ${previous}`);
    events.push(event);
  }
  return events;
}

/** The events of one (stage, step, host) entry, e.g. every kubeadm.join@master2 event. */
export function eventsOf(events: readonly ProgressRecord[], step: string, host: string): ProgressRecord[] {
  return events.filter((event) => event.step === step && event.host === host);
}

/** A one-line account of a failed run for assertion messages: its FAILURE events and stderr tail. */
export function failureSummary(events: readonly ProgressRecord[], stderr: string): string {
  const failures = events.filter((event) => event.kind === 'FAILURE' || event.kind === 'RUN_FAILED').map((event) => event.text ?? '');
  return [...failures, stderr.trim().split('\n').slice(-5).join('\n')].filter(Boolean).join('\n');
}
