import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { readJsonIfExists } from './secure-files';
import type { StatePaths } from './state-paths';
import { type EnrolledHost, legacyHostsFileSchema, legacyTokenFileSchema, type TokenRecord } from './state-records';

/**
 * Reads the tokens.json and hosts.json an older kumi wrote (either may be missing).
 * A file that does not validate is refused with the file named and the fix.
 */
export async function readLegacyState(paths: StatePaths): Promise<{ tokens: TokenRecord[]; hosts: EnrolledHost[] }> {
  const tokens = legacyTokenFileSchema.safeParse((await readJsonIfExists(paths.tokens)) ?? { version: 1, tokens: [] });
  if (!tokens.success) {
    throw new CliError(
      `${paths.tokens} (from an older kumi) is not a valid token store (${tokens.error.issues[0]?.message}): restore it from a backup, or move it aside to start with no tokens`,
      ExitCode.STATE,
    );
  }
  const hosts = legacyHostsFileSchema.safeParse((await readJsonIfExists(paths.hosts)) ?? { version: 1, hosts: [] });
  if (!hosts.success) {
    throw new CliError(
      `${paths.hosts} (from an older kumi) is not a valid host registry (${hosts.error.issues[0]?.message}): restore it from a backup, or move it aside and enroll the agents again`,
      ExitCode.STATE,
    );
  }
  return { tokens: tokens.data.tokens, hosts: hosts.data.hosts };
}
