import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { agentConfigFileSchema, agentConfigSchema, ConfigError, describeIssues, type AgentConfig } from './agent-config';
import { DEFAULT_CONFIG_PATH } from './config-path';

/** Settings given on the command line; each one overrides the file. */
export interface ConfigFlags {
  config?: string;
  coordinator?: string;
  caPin?: string;
  /** The token's text, already read from --token-file (never from argv). */
  token?: string;
  hostName?: string;
  stateDir?: string;
  root?: string;
}

/**
 * Reads the config file (missing is fine unless --config named it explicitly), merges the
 * flags over it and validates the result.
 */
export async function loadConfig(flags: ConfigFlags): Promise<{ config: AgentConfig; warnings: string[] }> {
  const path = flags.config ?? DEFAULT_CONFIG_PATH;
  const warnings: string[] = [];
  const fromFile = await readConfigFile(path, flags.config !== undefined, warnings);
  const merged = {
    ...fromFile,
    ...definedOnly({
      coordinator: flags.coordinator,
      caPin: flags.caPin,
      token: flags.token,
      hostName: flags.hostName,
      stateDir: flags.stateDir,
      root: flags.root,
    }),
  };
  const result = agentConfigSchema.safeParse(merged);
  if (!result.success) throw new ConfigError(describeIssues(`${path} and flags`, result.error));
  return { config: result.data, warnings };
}

async function readConfigFile(path: string, required: boolean, warnings: string[]): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return {};
    throw new ConfigError(`cannot read the agent configuration ${path}: ${(error as Error).message}; fix the path given with --config`);
  }
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    warnings.push(`${path} is readable by others (mode ${mode.toString(8)}) and may hold a bootstrap token: chmod 600 ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (parsed === null || parsed === undefined) return {};
  const result = agentConfigFileSchema.safeParse(parsed);
  if (!result.success) throw new ConfigError(describeIssues(path, result.error));
  return result.data;
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
