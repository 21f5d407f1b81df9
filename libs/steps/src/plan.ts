import type { Secret } from './secret';

/**
 * One thing still to do on a host. Actions are data: a plan can be printed, compared in
 * tests and dry-run before anything changes.
 */
export type Action = RunAction | WriteAction | RemoveAction | SymlinkAction | WaitAction;

/** Runs a command without a shell. argv never holds a secret. */
export interface RunAction {
  kind: 'run';
  argv: readonly string[];
  /** Fed to the command's standard input (the way secrets reach commands). */
  stdin?: string | Secret;
  /**
   * Secrets the command reads from files: each is written to a fresh 0600 file, the
   * placeholder `{{file:NAME}}` in argv is replaced by that file's path, and the file is
   * removed after the command, whatever its outcome.
   */
  secretFiles?: Readonly<Record<string, string | Secret>>;
  /** Exit codes that count as success (default: 0 only). */
  okExitCodes?: readonly number[];
  /** Why the command is needed, shown in plans and progress. */
  why: string;
}

/** Writes a whole file (atomically: temp file + rename), creating parent folders. */
export interface WriteAction {
  kind: 'write';
  /** Absolute path on the host; the executor resolves it under its root. */
  path: string;
  content: string | Secret;
  /** File mode, default 0o644; secret content is always written 0600. */
  mode?: number;
  /**
   * Kernel interface files (/proc/sys, /sys): written directly into the existing file,
   * which is never created; no temp file, no rename, no mode change.
   */
  inPlace?: boolean;
  why: string;
}

/**
 * Points `path` at `target` (atomically: temp link + rename), creating parent folders and
 * replacing what was there. `target` is stored as given (not resolved under the root),
 * e.g. "/dev/null" to mask a systemd unit.
 */
export interface SymlinkAction {
  kind: 'symlink';
  /** Absolute path on the host; the executor resolves it under its root. */
  path: string;
  target: string;
  why: string;
}

export interface RemoveAction {
  kind: 'remove';
  /** Absolute path on the host; the executor resolves it under its root. */
  path: string;
  why: string;
}

/**
 * Waits until a condition holds, reporting progress while it waits; fails with TIMEOUT
 * when it does not hold in time. Bounded in time by construction.
 */
export interface WaitAction {
  kind: 'wait';
  until: WaitCondition;
  /** Human name of what is awaited, e.g. "API server at 192.0.2.100:6443". */
  what: string;
  timeoutMs: number;
  intervalMs: number;
  why: string;
}

export type WaitCondition =
  /** A TCP connection to host:port succeeds. */
  | { kind: 'tcp'; host: string; port: number }
  /** Nothing accepts a TCP connection on host:port any more (refused, or no answer in time). */
  | { kind: 'tcp-closed'; host: string; port: number }
  /** A read-only command exits 0. */
  | { kind: 'command'; argv: readonly string[] }
  /** A read-only command exits 0 and prints nothing (e.g. `crictl ps --name X -q`: no such container left). */
  | { kind: 'command-silent'; argv: readonly string[] };

/**
 * What a step still has to do. An empty action list must carry `noop`: the reason
 * nothing is needed, e.g. "swap already off".
 */
export interface Plan {
  actions: Action[];
  noop?: string;
}

export function noop(reason: string): Plan {
  return { actions: [], noop: reason };
}

export function planOf(actions: Action[], reasonIfEmpty: string): Plan {
  return actions.length > 0 ? { actions } : noop(reasonIfEmpty);
}

/** One line per action, for dry runs and `kumi plan`; secrets print as ***. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'run':
      return `run ${action.argv.join(' ')}  # ${action.why}`;
    case 'write':
      return `write ${action.path}  # ${action.why}`;
    case 'remove':
      return `remove ${action.path}  # ${action.why}`;
    case 'symlink':
      return `link ${action.path} -> ${action.target}  # ${action.why}`;
    case 'wait':
      return `wait for ${action.what} (up to ${Math.round(action.timeoutMs / 1000)}s)  # ${action.why}`;
  }
}
