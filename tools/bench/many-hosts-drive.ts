import { spawn } from 'node:child_process';
import { credentials } from '@grpc/grpc-js';
import { kumiV1, type ControlClient, type StepEvent__Output } from '@kumi/proto';

/** How one step run on one host ended, as seen by whoever drove it. */
export interface StepResult {
  host: string;
  ok: boolean;
  detail: string;
}

/**
 * The kumi command lines that run `steps` (in order) on `hosts`, as lanes: the commands of
 * a lane run one after the other, the lanes side by side. The one place that knows the
 * command's shape: `kumi run STEP [--step S …] --host a,b --json` runs every step on every
 * host as one plan, so it is a single lane holding a single command.
 */
export function kumiRunCommands(hosts: readonly string[], steps: readonly string[]): string[][][] {
  const [first, ...rest] = steps;
  if (first === undefined) return [];
  return [[['run', first, ...rest.flatMap((step) => ['--step', step]), '--host', hosts.join(','), '--max-parallel', String(hosts.length), '--json']]];
}

/** Results of one `kumi run … --json` process: one per (host, step) entry, from its progress events. */
function resultsOf(output: string, code: number | null, fallbackHost: string): StepResult[] {
  const ends = new Map<string, { host: string; kind: string }>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const event = JSON.parse(line) as { host?: string; path?: string; kind?: string };
      if (event.path && event.host && ['NOOP', 'DONE', 'PLANNED', 'FAILED', 'SKIPPED'].includes(event.kind ?? '')) ends.set(event.path, { host: event.host, kind: event.kind! });
    } catch {
      // a line of another shape: not a progress event
    }
  }
  if (ends.size === 0) return [{ host: fallbackHost, ok: false, detail: `exit ${code}, no step ended: ${output.trim().slice(-200)}` }];
  return [...ends.values()].map(({ host, kind }) => ({ host, ok: kind === 'NOOP' || kind === 'DONE', detail: `${kind} (exit ${code})` }));
}

/**
 * Runs the lanes of kumiRunCommands with `kumi` = `kumiArgv` + a command, at most `parallel`
 * processes at a time; each process bounded by `timeoutMs`.
 */
export async function driveWithCli(kumiArgv: readonly string[], lanes: string[][][], parallel: number, timeoutMs: number): Promise<StepResult[]> {
  const results: StepResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < lanes.length) {
      const lane = lanes[next]!;
      next += 1;
      for (const command of lane) {
        const host = command[command.indexOf('--host') + 1] ?? '?';
        const { code, output } = await runProcess([...kumiArgv, ...command], timeoutMs);
        results.push(...resultsOf(output, code, host));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, lanes.length) }, () => worker()));
  return results;
}

function runProcess(argv: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * The same work through the Control service of `kumi serve` from this one process (what
 * `kumi run` does inside, without a process per step): every host at once, its steps in order.
 */
export async function driveWithControl(socket: string, hosts: readonly string[], steps: readonly string[], timeoutMs: number): Promise<StepResult[]> {
  const client: ControlClient = new (kumiV1().Control)(`unix:${socket}`, credentials.createInsecure());
  try {
    const lanes = hosts.map(async (host) => {
      const results: StepResult[] = [];
      for (const step of steps) results.push(await runStep(client, host, step, timeoutMs));
      return results;
    });
    return (await Promise.all(lanes)).flat();
  } finally {
    client.close();
  }
}

function runStep(client: ControlClient, host: string, step: string, timeoutMs: number): Promise<StepResult> {
  return new Promise((resolve) => {
    const call = client.RunStep({ host, step, paramsJson: '{}', secrets: {}, dryRun: false }, { deadline: Date.now() + timeoutMs });
    let last: StepEvent__Output | undefined;
    call.on('data', (event: StepEvent__Output) => (last = event));
    call.on('error', (error: Error) => resolve({ host, ok: false, detail: error.message }));
    call.on('end', () => resolve({ host, ok: last?.kind === 'EVENT_KIND_NOOP' || last?.kind === 'EVENT_KIND_DONE', detail: String(last?.kind) }));
  });
}
