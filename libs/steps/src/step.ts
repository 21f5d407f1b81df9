import type * as z from 'zod';
import type { HostFacts } from './facts';
import type { Plan } from './plan';
import type { Secret } from './secret';

/** Result of a read-only probe command run by `check`. */
export interface ProbeResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * What `check` may use to read a host. All paths are absolute host paths; the
 * implementation resolves them under its root, so tests can point a step at a folder.
 */
export interface HostReader {
  /** The root every path is resolved under: "/" on a real host. */
  readonly root: string;
  readonly facts: HostFacts;
  /** A file's text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  exists(path: string): Promise<boolean>;
  /** Names in a folder, or [] when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Runs a read-only command (no shell). Never throws for a non-zero exit. */
  probe(argv: readonly string[], stdin?: string | Secret): Promise<ProbeResult>;
}

/**
 * A host step: reads what it needs (`check`), then says purely what is still missing
 * (`plan`). Running the plan and then planning again must give an empty plan.
 */
export interface Step<P = unknown, F = unknown, O extends object = Record<string, never>> {
  /** Stable id, e.g. "swap.off". */
  readonly id: string;
  /** Human title, e.g. "Turn swap off and keep it off". */
  readonly title: string;
  /** Schema of the step's parameters (secrets excluded). */
  readonly params: z.ZodType<P>;
  /** Names of the secrets the step needs; they arrive apart from params. */
  readonly secrets?: readonly string[];
  /** Reads the host's current state. Must not change anything. */
  check(host: HostReader, params: P, secrets: SecretBag): Promise<F>;
  /** Pure: the actions still needed to reach the desired state, or a noop reason. */
  plan(facts: F, params: P, secrets: SecretBag): Plan;
  /** Typed output values, read after the plan ran (or when it was a noop). */
  outputs?(host: HostReader, params: P, facts: F): Promise<O>;
}

/** Secrets by name, as handed to a step. */
export type SecretBag = Readonly<Record<string, Secret>>;

/** Any step, for catalogues and executors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any, any, any>;
