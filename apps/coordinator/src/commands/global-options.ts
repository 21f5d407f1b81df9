import type { Command } from 'commander';
import type { ClusterSelection } from '../state/state-paths';

/** The cluster selection (--state-dir, --cluster) given anywhere on the command line. */
export function clusterSelection(command: Command): ClusterSelection {
  const options = command.optsWithGlobals<{ stateDir?: string; cluster?: string }>();
  return { stateDir: options.stateDir, cluster: options.cluster };
}

/** Commander option parser for a repeatable option: appends each value to the list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
