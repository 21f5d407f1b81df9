import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AGENT_BINARY_PATH, renderAgentUnit } from './agent-unit';

const run = promisify(execFile);

/** Directive name → values, in file order, of one section of a unit file. */
function directives(unit: string, section: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current = '';
  for (const line of unit.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header) current = header[1] ?? '';
    const entry = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (entry && current === section) found.set(entry[1] ?? '', [...(found.get(entry[1] ?? '') ?? []), entry[2] ?? '']);
  }
  return found;
}

describe('renderAgentUnit', () => {
  const unit = renderAgentUnit('1.2.3');
  const service = directives(unit, 'Service');

  it.each([
    ['ExecStart', '/usr/local/bin/kumi-agent run'],
    ['Restart', 'on-failure'],
    ['RestartSec', '2s'],
    ['RestartSteps', '5'],
    ['RestartMaxDelaySec', '60s'],
    ['User', 'root'],
    ['StateDirectory', 'kumi'],
    ['StateDirectoryMode', '0700'],
    ['ConfigurationDirectory', 'kumi'],
    ['ConfigurationDirectoryMode', '0700'],
    ['ProtectHome', 'tmpfs'],
    ['BindPaths', '/root/.kube'],
    ['ExecStartPre', '+/bin/mkdir -p -m 0700 /root/.kube'],
    ['NoNewPrivileges', 'yes'],
    ['PrivateTmp', 'yes'],
  ])('sets %s=%s exactly once', (key, value) => {
    expect(service.get(key)).toEqual([value]);
  });

  it('leaves out the protections the steps cannot live with', () => {
    for (const key of ['ProtectSystem', 'ProtectKernelModules', 'ProtectKernelTunables', 'PrivateDevices', 'PrivateNetwork']) {
      expect(service.has(key), key).toBe(false);
    }
  });

  it('never gives up restarting and starts at boot after the network', () => {
    expect(directives(unit, 'Unit').get('StartLimitIntervalSec')).toEqual(['0']);
    expect(directives(unit, 'Unit').get('After')).toEqual(['network-online.target']);
    expect(directives(unit, 'Install').get('WantedBy')).toEqual(['multi-user.target']);
    expect(unit).toContain('kumi 1.2.3');
  });

  it('is accepted by systemd-analyze verify', async (context) => {
    const analyze = await run('sh', ['-c', 'command -v systemd-analyze']).catch(() => undefined);
    if (!analyze) {
      context.skip('systemd-analyze is not installed (Debian package systemd): cannot verify the unit');
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'kumi-unit-'));
    try {
      // verify insists that ExecStart's program exists: point it at a stand-in.
      const program = join(dir, 'kumi-agent');
      await writeFile(program, '#!/bin/sh\n', { mode: 0o755 });
      const unitPath = join(dir, 'kumi-agent.service');
      await writeFile(unitPath, unit.replace(`ExecStart=${AGENT_BINARY_PATH}`, `ExecStart=${program}`));
      const { stderr } = await run('systemd-analyze', ['verify', unitPath]);
      // systemd < 254 does not know the restart backoff keys and says so; nothing else may show.
      const problems = stderr
        .split('\n')
        .filter((line) => line.trim() !== '' && !/Unknown key '(RestartSteps|RestartMaxDelaySec)'/.test(line));
      expect(problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
