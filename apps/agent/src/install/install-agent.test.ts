import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AGENT_BINARY_PATH, AGENT_UNIT_PATH, renderAgentUnit } from './agent-unit';
import { installAgent } from './install-agent';

describe('installAgent under a test root', () => {
  let root: string;
  let source: string;
  const daemonReload = vi.fn(async () => {});

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kumi-install-'));
    source = join(root, 'kumi-agent-linux-x64');
    await writeFile(source, 'pretend agent executable\n');
    daemonReload.mockClear();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const install = () => installAgent({ root, sourceBinary: source, agentVersion: '1.2.3', daemonReload });

  it('copies the executable and writes the unit, without systemctl', async () => {
    const report = await install();
    expect(report.changed).toBe(true);
    expect(report.actions.map((action) => action.changed)).toEqual([true, true]);
    expect(report.daemonReload).toBe('skipped');
    expect(daemonReload).not.toHaveBeenCalled();

    const binary = join(root, AGENT_BINARY_PATH);
    expect(await readFile(binary, 'utf8')).toBe('pretend agent executable\n');
    expect((await stat(binary)).mode & 0o777).toBe(0o755);
    const unitPath = join(root, AGENT_UNIT_PATH);
    expect(await readFile(unitPath, 'utf8')).toBe(renderAgentUnit('1.2.3'));
    expect((await stat(unitPath)).mode & 0o777).toBe(0o644);
  });

  it('changes nothing the second time and says so', async () => {
    await install();
    const unitPath = join(root, AGENT_UNIT_PATH);
    const before = await stat(unitPath);
    const again = await install();
    expect(again.changed).toBe(false);
    expect(again.actions.map((action) => action.changed)).toEqual([false, false]);
    expect(again.actions.map((action) => action.summary)).toEqual([
      `${AGENT_BINARY_PATH} is already this agent`,
      `${AGENT_UNIT_PATH} is up to date`,
    ]);
    expect(again.daemonReload).toBe('not needed');
    expect((await stat(unitPath)).mtimeMs).toBe(before.mtimeMs);
  });

  it('repairs an edited unit, a wrong mode and an older executable', async () => {
    await install();
    const unitPath = join(root, AGENT_UNIT_PATH);
    await writeFile(unitPath, '[Service]\nExecStart=/bin/false\n');
    await writeFile(source, 'a newer agent executable\n');
    const report = await install();
    expect(report.actions.map((action) => action.changed)).toEqual([true, true]);
    expect(await readFile(unitPath, 'utf8')).toBe(renderAgentUnit('1.2.3'));
    expect(await readFile(join(root, AGENT_BINARY_PATH), 'utf8')).toBe('a newer agent executable\n');

    await chmod(unitPath, 0o666);
    const modeOnly = await install();
    expect(modeOnly.actions.map((action) => action.changed)).toEqual([false, true]);
    expect((await stat(unitPath)).mode & 0o777).toBe(0o644);
  });

  it('names the missing executable', async () => {
    await rm(source);
    await expect(install()).rejects.toThrow(/cannot read the agent executable .*kumi-agent-linux-x64/);
  });
});
