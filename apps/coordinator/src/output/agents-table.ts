import type { AgentInfo__Output } from '@kumi/proto';
import { textTable } from './text-table';

function gib(bytes: number): string {
  return bytes > 0 ? `${(bytes / 1024 ** 3).toFixed(1)}Gi` : '-';
}

/** `kumi agents` as a table of attached hosts and their key facts. */
export function agentsTable(agents: AgentInfo__Output[]): string {
  if (agents.length === 0) return 'no agents attached\n';
  return textTable(
    ['HOST', 'OS', 'KERNEL', 'CPUS', 'MEMORY', 'ADDRESS', 'FIREWALL', 'VERSION', 'BUSY'],
    agents.map((agent) => {
      const facts = agent.facts;
      const os = facts?.os ? `${facts.os.id} ${facts.os.version}`.trim() : '';
      return [
        agent.hostName,
        os || '-',
        facts?.kernel || '-',
        facts?.cpus ? String(facts.cpus) : '-',
        gib(facts?.memoryBytes ?? 0),
        facts?.defaultIpv4 || agent.peerAddress || '-',
        facts?.firewall || '-',
        agent.agentVersion || '-',
        agent.busyRunId || '-',
      ];
    }),
  );
}
