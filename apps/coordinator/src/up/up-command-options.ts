import type { Command } from 'commander';
import { parseDuration } from '../cli/duration';
import { clusterSelection, collect } from '../commands/global-options';
import { parseListenAddress } from '../server/listen-address';
import type { UpMode, UpOptions } from './run-up';

/** Raw options of `kumi up`, `kumi verify` and `kumi drill` as commander parses them. */
export interface RawUpOptions {
  only?: string[];
  skip?: string[];
  json?: boolean;
  yes?: boolean;
  listen?: string;
  attachTimeout: string;
  detachGrace: string;
}

/** Adds the options every spec-driven run command shares. */
export function addRunOptions(command: Command): Command {
  return command
    .option('--json', 'print progress as NDJSON events (host, stage, step, kind, seq, text)')
    .option('--listen <host:port>', 'TLS listen address for the agents (default: from cluster.json)')
    .option('--attach-timeout <duration>', 'how long to wait for every agent to attach', '10m')
    .option('--detach-grace <duration>', 'how long a step waits for its host to come back after a disconnect', '2m');
}

/** Adds --only / --skip. */
export function addSelectionOptions(command: Command): Command {
  return command
    .option('--only <path>', 'run only entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, [])
    .option('--skip <path>', 'leave out entries matching stage[/step][@host] (globs with *; repeatable or comma-separated)', collect, []);
}

/** What every spec-driven workflow command (up, reset, remove, upgrade, certs, backup) takes from its command line. */
export type WorkflowOptions = Omit<UpOptions, 'mode'>;

/** UpOptions from the parsed command line. */
export function upOptions(mode: UpMode, specPath: string, raw: RawUpOptions, command: Command): UpOptions {
  return { mode, ...workflowOptions(specPath, raw, command) };
}

/** The options every workflow command shares, from the parsed command line. */
export function workflowOptions(specPath: string, raw: RawUpOptions, command: Command): WorkflowOptions {
  return {
    specPath,
    only: raw.only ?? [],
    skip: raw.skip ?? [],
    json: raw.json === true,
    yes: raw.yes === true,
    selection: clusterSelection(command),
    ...(raw.listen ? { listen: parseListenAddress(raw.listen) } : {}),
    attachTimeoutMs: parseDuration(raw.attachTimeout, '--attach-timeout'),
    detachGraceMs: parseDuration(raw.detachGrace, '--detach-grace'),
  };
}
