import type { Command } from 'commander';
import { usageError } from '../cli/cli-error';
import { clusterSelection, collect } from './global-options';

interface CloudInitOptions {
  host: string[];
  all?: boolean;
  out?: string;
  agentUrl?: string;
  agentSha256: string[];
  agentSums?: string;
  agentDir?: string;
  ttl: string;
}

/** `kumi cloud-init SPEC`: per-host #cloud-config user-data that installs and enrolls the agent. */
export function register(program: Command): void {
  program
    .command('cloud-init')
    .description(
      'write #cloud-config user-data per host: agent.yaml with the CA pin and a fresh single-use token bound to the host, and a runcmd that downloads kumi-agent ' +
        'from the coordinator (HTTPS on its port + 1, checked with the cluster CA certificate and the sha256 of the file), installs and starts it',
    )
    .argument('<spec>', 'cluster spec YAML (its hosts and spec.coordinator.address are used)')
    .option('--host <name>', 'a host of the spec (repeatable)', collect, [])
    .option('--all', 'every host of the spec (needs --out)')
    .option('--out <dir>', 'write <dir>/<host>.user-data (0600) instead of printing')
    .option('--agent-dir <dir>', 'folder of the kumi-agent-linux-* files and SHA256SUMS the coordinator offers (default: env KUMI_AGENT_DIR, beside kumi, or dist/)')
    .option('--agent-url <url>', 'download from a mirror instead of the coordinator; {arch} becomes x64 or arm64 on the host')
    .option('--agent-sha256 <hex>', 'with --agent-url: sha256 of the download: HEX, or ARCH=HEX per architecture (repeatable)', collect, [])
    .option('--agent-sums <file>', 'with --agent-url: take the sha256 of each architecture from this SHA256SUMS (dist/SHA256SUMS)')
    .option('--ttl <duration>', 'how long each token stays valid, e.g. 2h, 24h', '24h')
    .action(async (specPath: string, options: CloudInitOptions, command: Command) => {
      const { readFile } = await import('node:fs/promises');
      const { parseDuration } = await import('../cli/duration');
      const { parseAgentSource } = await import('../cloud-init/agent-source');
      const { coordinatorAgentSource } = await import('../cloud-init/coordinator-source');
      const { agentDirCandidates, findAgentFiles } = await import('../agent-files/agent-dir');
      const { generateUserData, userDataWarnings } = await import('../cloud-init/generate');
      const { writeUserDataFiles } = await import('../cloud-init/write-user-data');
      const { loadSpecForCli } = await import('../spec/load-for-cli');
      const { clusterDirForSpec } = await import('../up/cluster-dir');
      const { openClusterState } = await import('../state/cluster-state');
      const { createFileLogger } = await import('../logging/logger');

      if (options.all && options.host.length > 0) throw usageError('give either --host NAME (repeatable) or --all, not both');
      if (!options.all && options.host.length === 0) throw usageError('say which hosts: --host NAME (repeatable) or --all');
      if (!options.out && (options.all || options.host.length > 1)) {
        throw usageError('several hosts need --out DIR (one user-data file per host); without --out, give one --host and the user-data is printed');
      }
      const ttlMs = parseDuration(options.ttl, '--ttl');
      let sums: { path: string; text: string } | undefined;
      if (options.agentSums) {
        try {
          sums = { path: options.agentSums, text: await readFile(options.agentSums, 'utf8') };
        } catch (error) {
          throw usageError(`cannot read --agent-sums ${options.agentSums} (${(error as NodeJS.ErrnoException).code ?? 'error'}): give the SHA256SUMS written by \`nx run agent:package\``);
        }
      }
      if (options.agentUrl && options.agentDir) throw usageError('give either --agent-url (a mirror) or --agent-dir (files the coordinator serves), not both');
      const mirror = options.agentUrl || options.agentSha256.length > 0 || sums ? parseAgentSource({ url: options.agentUrl, sha256: options.agentSha256, sums }) : undefined;
      const { spec } = await loadSpecForCli(specPath);
      const state = await openClusterState(clusterDirForSpec(clusterSelection(command), spec.metadata.name));
      const source = mirror ?? coordinatorAgentSource(spec.spec.coordinator.address, await readFile(state.paths.caCert, 'utf8'), findAgentFiles(agentDirCandidates(options.agentDir)));
      for (const warning of userDataWarnings(spec, state.config)) process.stderr.write(`kumi: warning: ${warning}\n`);
      const made = await generateUserData({ spec, state, hosts: options.all ? undefined : options.host, ttlMs, source });
      const logger = createFileLogger(state.paths.logFile);
      for (const host of made) logger.info({ tokenId: host.tokenId, host: host.hostName, expiresAt: host.expiresAt }, 'token created for cloud-init user-data');

      if (!options.out) {
        process.stdout.write(made[0]?.userData ?? '');
        for (const host of made) process.stderr.write(`kumi: user-data for ${host.hostName}: token ${host.tokenId} (single-use, this host only) expires ${host.expiresAt}\n`);
        return;
      }
      const files = await writeUserDataFiles(options.out, made);
      for (const [index, host] of made.entries()) {
        process.stdout.write(`${files[index]}  token ${host.tokenId} for ${host.hostName}, single-use, expires ${host.expiresAt}\n`);
      }
      process.stdout.write('Each file holds a bootstrap token until its host enrolls: pass it as the VM\'s user-data and keep it private.\n');
    });
}
