import type { Command } from 'commander';
import { usageError } from '../cli/cli-error';
import { clusterSelection, collect } from './global-options';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw usageError(`invalid --port "${value}": use a TCP port between 1 and 65535`);
  return port;
}

/** `kumi init`: creates a cluster state folder with its CA and serving certificate. */
export function register(program: Command): void {
  program
    .command('init')
    .description('create a cluster state folder: CA, coordinator certificate, token store, cluster.json')
    .requiredOption('--name <name>', 'cluster name (lower-case letters, digits, -)')
    .option('--address <address>', 'IP or DNS name agents use to reach the coordinator (repeatable)', collect, [])
    .option('--port <port>', 'TLS port the coordinator listens on', parsePort, 7443)
    .option('--listen-host <host>', 'address `kumi serve` binds to by default', '0.0.0.0')
    .action(async (options: { name: string; address: string[]; port: number; listenHost: string }, command: Command) => {
      const { newClusterDir } = await import('../state/state-paths');
      const { initCluster } = await import('../state/cluster-init');
      const dir = newClusterDir(options.name, clusterSelection(command));
      const config = await initCluster({ name: options.name, dir, addresses: options.address, port: options.port, listenHost: options.listenHost });
      process.stdout.write(
        [
          `Created cluster "${config.name}" in ${dir}`,
          `  CA pin:      ${config.caPin}`,
          `  listens on:  ${config.listen.host}:${config.listen.port}`,
          `  certificate: ${[...config.sans.dnsNames, ...config.sans.ipAddresses].join(', ')}`,
          '',
          'Next: `kumi serve` to start the coordinator, then `kumi token create --host HOST` for each agent.',
          '',
        ].join('\n'),
      );
    });
}
