import { isSea } from 'node:sea';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { AGENT_UNIT_NAME } from '../install/agent-unit';
import { systemctlDaemonReload } from '../install/daemon-reload';
import { installAgent } from '../install/install-agent';
import { AGENT_VERSION } from '../version';

interface InstallOptions {
  root: string;
}

/** `kumi-agent install`: puts this executable and its systemd unit in place (idempotent). */
export function installCommand(): Command {
  return new Command('install')
    .description(`copy this executable to /usr/local/bin/kumi-agent, write the systemd unit ${AGENT_UNIT_NAME} and reload systemd; safe to run again`)
    .option('--root <dir>', 'install under this folder instead of / (for tests; systemctl is not run)', '/')
    .action(async (options: InstallOptions) => {
      try {
        if (!isSea()) {
          throw new Error('install copies the single-file agent, but this kumi-agent runs from sources: build it with `nx run agent:package` and run dist/kumi-agent-linux-<arch> install');
        }
        const report = await installAgent({
          root: resolve(options.root),
          sourceBinary: process.execPath,
          agentVersion: AGENT_VERSION,
          daemonReload: systemctlDaemonReload,
        });
        for (const action of report.actions) process.stdout.write(`${action.changed ? 'changed' : 'ok     '}  ${action.summary}\n`);
        if (report.daemonReload === 'ran') process.stdout.write('changed  ran systemctl daemon-reload\n');
        if (report.daemonReload === 'skipped') process.stdout.write(`skipped  systemctl daemon-reload (installing under ${resolve(options.root)})\n`);
        process.stdout.write(
          report.changed
            ? `kumi-agent ${AGENT_VERSION} installed; start it with: systemctl enable --now kumi-agent\n`
            : `kumi-agent ${AGENT_VERSION} is already installed: nothing changed\n`,
        );
      } catch (error) {
        process.stderr.write(`kumi-agent install: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
