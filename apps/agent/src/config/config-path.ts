/** Default location of the agent's configuration file. */
export const DEFAULT_CONFIG_PATH = '/etc/kumi/agent.yaml';
