import { execa } from 'execa';
import type { RunAction } from '../plan';
import { StepFailure } from '../run-types';
import { Secret } from '../secret';
import { LineSplitter, LineTail } from './line-splitter';
import type { Redactor } from './redactor';
import { secretInArgv } from './redactor';
import type { ExecutionContext } from './execution-context';
import { writeSecretFiles } from './secret-files';

/** Lines of standard error kept for COMMAND_FAILED. */
const STDERR_TAIL_LINES = 20;

/**
 * Runs one command without a shell: secrets through stdin or 0600 files, output streamed
 * line by line (redacted), killed when the run is aborted.
 */
export async function runCommand(action: RunAction, context: ExecutionContext): Promise<void> {
  if (secretInArgv(action.argv, context.secrets)) {
    throw new StepFailure('INTERNAL', `refusing to run ${action.argv[0] ?? ''}: a secret value appears in its arguments`);
  }
  const files = action.secretFiles === undefined ? undefined : await writeFileSecrets(action, context.redact);
  try {
    await spawnAndWait(files?.argv ?? [...action.argv], action, context);
  } finally {
    await files?.remove();
  }
}

async function writeFileSecrets(action: RunAction, redactText: Redactor) {
  try {
    return await writeSecretFiles(action.argv, action.secretFiles ?? {});
  } catch (error) {
    throw new StepFailure('FILE_FAILED', redactText(`cannot prepare secret files: ${(error as Error).message}`), { cause: error });
  }
}

async function spawnAndWait(argv: readonly string[], action: RunAction, context: ExecutionContext): Promise<void> {
  const [file, ...args] = argv;
  if (file === undefined) throw new StepFailure('INTERNAL', `a run action has an empty argv (${action.why})`);
  const commandLine = context.redact(argv.join(' '));
  if (context.signal?.aborted) throw new StepFailure('CANCELLED', `cancelled before running ${commandLine}`);
  context.spawnObserver?.(argv);

  const stdin = action.stdin instanceof Secret ? action.stdin.reveal() : action.stdin;
  const subprocess = execa(file, args, {
    reject: false,
    buffer: false,
    cancelSignal: context.signal,
    forceKillAfterDelay: 5_000,
    ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: stdin }),
  });
  const stderrTail = new LineTail(STDERR_TAIL_LINES);
  const streamed = [
    streamLines(subprocess.stdout, (line) => context.output('stdout', line)),
    streamLines(subprocess.stderr, (line) => {
      const clean = context.redact(line);
      stderrTail.add(clean);
      context.output('stderr', clean);
    }),
  ];
  const result = await subprocess;
  await Promise.all(streamed);

  if (result.isCanceled || context.signal?.aborted) {
    throw new StepFailure('CANCELLED', `cancelled while running ${commandLine}`, { exitCode: -1, command: commandLine });
  }
  const okCodes = action.okExitCodes ?? [0];
  if (result.exitCode !== undefined && okCodes.includes(result.exitCode)) return;

  const how =
    result.exitCode !== undefined
      ? `exited with code ${result.exitCode}`
      : result.signal !== undefined
        ? `was killed by ${result.signal}`
        : `could not start (${context.redact(result.shortMessage ?? 'unknown error')})`;
  throw new StepFailure('COMMAND_FAILED', `${commandLine} ${how} (${action.why})`, {
    exitCode: result.exitCode ?? -1,
    stderrTail: stderrTail.text(),
    command: commandLine,
  });
}

async function streamLines(
  stream: NodeJS.ReadableStream | null,
  onLine: (line: string) => void,
): Promise<void> {
  if (stream === null) return;
  const splitter = new LineSplitter();
  stream.setEncoding('utf8');
  try {
    for await (const chunk of stream) {
      for (const line of splitter.push(chunk as string)) onLine(line);
    }
  } catch {
    // The stream ends with an error when the command is killed; what it said so far counts.
  }
  for (const line of splitter.flush()) onLine(line);
}
