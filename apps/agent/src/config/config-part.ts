// The `config` part (see runtime/agent-parts.ts): reading and validating agent.yaml with
// yaml and zod, which the agent needs once, at start-up. Its answer is plain data, so that
// no class crosses the part boundary (the part has its own copy of ConfigError).
import type { AgentConfig } from './agent-config';
import { ConfigError } from './config-error';
import { loadConfig, type ConfigFlags } from './load-config';

/** The settings, or the message of the ConfigError that refused them. */
export type ConfigOutcome = { ok: true; config: AgentConfig; warnings: string[] } | { ok: false; message: string };

/** agent.yaml merged with the flags and validated; a refusal comes back as its message. */
export async function readAgentConfig(flags: ConfigFlags): Promise<ConfigOutcome> {
  try {
    return { ok: true, ...(await loadConfig(flags)) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, message: error.message };
    throw error;
  }
}
