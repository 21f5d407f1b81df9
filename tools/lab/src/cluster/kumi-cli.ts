import { execa, type Result } from 'execa';
import { coordinatorArgv } from '../in-host';

/** Options of one kumi CLI call. */
export interface KumiCallOptions {
  /** Killed after this long (default 60 s). */
  timeoutMs?: number;
  /** Extra environment (KUMI_STATE_DIR is always set). */
  env?: Record<string, string>;
  /** On the coordinator's side of the lab (switch netns, 192.0.2.1) instead of the machine. */
  inSwitch?: boolean;
}

/** What a kumi CLI call printed and how it exited. */
export interface KumiCallResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the bundled kumi CLI against one cluster state folder. Commands that only touch the
 * state folder or the control socket (init, token, agents, run) work from the machine; the
 * ones that listen on or dial 192.0.2.x (serve, up) need `inSwitch`.
 */
export async function callKumi(kumiBundle: string, stateDir: string, args: string[], opts: KumiCallOptions = {}): Promise<KumiCallResult> {
  const argv = [process.execPath, '--enable-source-maps', kumiBundle, ...args];
  const [file, ...rest] = opts.inSwitch ? coordinatorArgv(argv) : argv;
  const started = Date.now();
  const result: Result = await execa(file as string, rest, {
    env: { ...opts.env, KUMI_STATE_DIR: stateDir, NO_COLOR: '1' },
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 60_000,
    reject: false,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms: Date.now() - started };
}
