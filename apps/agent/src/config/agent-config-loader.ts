import { loadPartFromAssets, partFromSource } from '../runtime/agent-parts';
import type { AgentConfig } from './agent-config';
import { ConfigError } from './config-error';
import type * as ConfigPart from './config-part';
import type { ConfigFlags } from './load-config';

/**
 * The agent's validated settings (file merged with flags), read through the `config` part,
 * which is let go of again: yaml and zod are not kept loaded in an agent that has started.
 * Throws ConfigError with the part's message when the settings are refused.
 */
export async function loadAgentConfig(flags: ConfigFlags): Promise<{ config: AgentConfig; warnings: string[] }> {
  const part =
    typeof KUMI_AGENT_PARTS_ARE_ASSETS !== 'undefined' && KUMI_AGENT_PARTS_ARE_ASSETS
      ? loadPartFromAssets<typeof ConfigPart>('config')
      : partFromSource(await import('./config-part'));
  try {
    const outcome = await part.exports.readAgentConfig(flags);
    if (!outcome.ok) throw new ConfigError(outcome.message);
    return { config: outcome.config, warnings: outcome.warnings };
  } finally {
    part.release();
  }
}
