import { NO_AGENT_FILES_FIX, type AgentFiles } from '../agent-files/agent-dir';
import { AGENT_FILES_PATH, agentFilesPort } from '../agent-files/agent-file-server';
import { usageError } from '../cli/cli-error';
import { parseHostPort } from '../spec/ipv4';
import { ARCH_PLACEHOLDER, type AgentSource } from './agent-source';

/**
 * The default agent source of `kumi cloud-init`: the coordinator itself, at
 * https://ADDRESS:PORT+1/v1/agent/linux-{arch} (ADDRESS:PORT = spec.coordinator.address),
 * checked against the cluster CA and the sha256 of each file the coordinator offers.
 */
export function coordinatorAgentSource(coordinatorAddress: string, caCertPem: string, files: AgentFiles | undefined): AgentSource {
  if (!files) {
    throw usageError(`no kumi-agent files to put in the user-data: ${NO_AGENT_FILES_FIX}; or give --agent-url (with --agent-sums) to download from a mirror`);
  }
  const parsed = parseHostPort(coordinatorAddress);
  if ('reason' in parsed) throw usageError(`spec.coordinator.address: ${parsed.reason}; set it to the IPV4:PORT the hosts dial, e.g. 192.0.2.1:7443`);
  return {
    url: `https://${parsed.host}:${agentFilesPort(parsed.port)}${AGENT_FILES_PATH}linux-${ARCH_PLACEHOLDER}`,
    sha256: { x64: files.files.x64?.sha256, arm64: files.files.arm64?.sha256 },
    caCertPem,
  };
}
