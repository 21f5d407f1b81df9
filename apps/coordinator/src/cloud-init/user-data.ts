import { Document } from 'yaml';
import type { AgentSource } from './agent-source';
import { DOWNLOAD_CA_PATH, INSTALL_SCRIPT_PATH, renderInstallScript } from './install-script';

/** Where the agent reads its settings (the agent's default --config). */
export const AGENT_CONFIG_PATH = '/etc/kumi/agent.yaml';

/** Everything one host's user-data is made of. */
export interface HostUserDataInput {
  clusterName: string;
  hostName: string;
  /** HOST:PORT the agent dials. */
  coordinator: string;
  /** sha256:<hex> of the cluster CA's public key. */
  caPin: string;
  /** The host's single-use bootstrap token "id.secret". */
  token: string;
  /** When the token stops working (ISO 8601). */
  expiresAt: string;
  source: AgentSource;
}

/** /etc/kumi/agent.yaml for one host (the keys the agent's config schema accepts). */
export function renderAgentConfig(input: HostUserDataInput): string {
  return [
    `# kumi agent settings for host ${input.hostName} of cluster ${input.clusterName}, written by cloud-init.`,
    `# The bootstrap token works once, only for host ${input.hostName}, until ${input.expiresAt};`,
    '# after enrolling, the agent authenticates with its own key and certificate in /var/lib/kumi.',
    `coordinator: "${input.coordinator}"`,
    `caPin: "${input.caPin}"`,
    `token: "${input.token}"`,
    `hostName: "${input.hostName}"`,
    '',
  ].join('\n');
}

/**
 * The #cloud-config user-data of one host: agent.yaml (0600), the CA certificate the
 * download is checked with (when the coordinator serves the agent) and the install script
 * as write_files, and a runcmd that runs the script. It carries the coordinator address,
 * the CA pin and the host's single-use token, and no key of any kind.
 */
export function renderUserData(input: HostUserDataInput): string {
  const doc = new Document({
    write_files: [
      { path: AGENT_CONFIG_PATH, owner: 'root:root', permissions: '0600', content: renderAgentConfig(input) },
      ...(input.source.caCertPem ? [{ path: DOWNLOAD_CA_PATH, owner: 'root:root', permissions: '0644', content: input.source.caCertPem }] : []),
      { path: INSTALL_SCRIPT_PATH, owner: 'root:root', permissions: '0755', content: renderInstallScript(input.source) },
    ],
    runcmd: [INSTALL_SCRIPT_PATH],
  });
  doc.commentBefore = [
    ` kumi agent for host ${input.hostName} of cluster ${input.clusterName} (made by \`kumi cloud-init\`).`,
    ` It holds a single-use bootstrap token bound to ${input.hostName}, valid until ${input.expiresAt}:`,
    ' keep this file private until the host has enrolled. It holds no private key.',
  ].join('\n');
  return `#cloud-config\n${doc.toString({ blockQuote: 'literal', lineWidth: 0 })}`;
}
