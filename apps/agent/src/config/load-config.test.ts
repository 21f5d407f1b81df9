import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './agent-config';
import { splitHostPort } from './host-port';
import { loadConfig } from './load-config';
import { readTokenSource } from './read-token';

const PIN = `sha256:${'ab'.repeat(32)}`;
const TOKEN = 'abcdef.0123456789abcdef';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kumi-agent-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(text: string): Promise<string> {
    const path = join(dir, 'agent.yaml');
    await writeFile(path, text, { mode: 0o600 });
    return path;
  }

  it('reads the file and applies defaults', async () => {
    const path = await configFile(`coordinator: 192.0.2.10:7443\ncaPin: ${PIN}\ntoken: ${TOKEN}\n`);
    const { config, warnings } = await loadConfig({ config: path });
    expect(config).toEqual({ coordinator: '192.0.2.10:7443', caPin: PIN, token: TOKEN, stateDir: '/var/lib/kumi', root: '/' });
    expect(warnings).toEqual([]);
  });

  it('lets flags override the file', async () => {
    const path = await configFile(`coordinator: 192.0.2.10:7443\ncaPin: ${PIN}\nhostName: cp1\n`);
    const { config } = await loadConfig({ config: path, coordinator: '127.0.0.1:9000', hostName: 'w1', stateDir: '/tmp/s', root: '/tmp/r' });
    expect(config).toMatchObject({ coordinator: '127.0.0.1:9000', hostName: 'w1', stateDir: '/tmp/s', root: '/tmp/r' });
  });

  it('works from flags alone when the default file is missing', async () => {
    const { config } = await loadConfig({ config: undefined, coordinator: 'kumi.example:7443', caPin: PIN.toUpperCase().replace('SHA256', 'sha256') });
    expect(config.caPin).toBe(PIN);
  });

  it('names every bad field and its fix, without echoing the token', async () => {
    const path = await configFile('coordinator: 192.0.2.10\ncaPin: md5:1234\ntoken: not-a-real-token-secret\nhostName: CP_1\nstateDir: relative/dir\n');
    const error = await loadConfig({ config: path }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/coordinator: must be HOST:PORT/);
    expect(message).toMatch(/caPin: must be "sha256:" followed by 64 hex digits/);
    expect(message).toMatch(/token: must look like/);
    expect(message).toMatch(/hostName: must be a lowercase DNS name/);
    expect(message).toMatch(/stateDir: must be an absolute path/);
    expect(message).not.toContain('not-a-real-token-secret');
  });

  it('says how to fix missing required fields', async () => {
    const path = await configFile('hostName: cp1\n');
    await expect(loadConfig({ config: path })).rejects.toThrow(/coordinator: is missing: .*--coordinator[\s\S]*caPin: is missing/);
  });

  it('rejects unknown keys and a port out of range', async () => {
    const path = await configFile(`coordinator: 192.0.2.10:70000\ncaPin: ${PIN}\nroot: /srv\n`);
    await expect(loadConfig({ config: path })).rejects.toThrow(/unknown key\(s\) "root"/);
    const second = await configFile(`coordinator: 192.0.2.10:70000\ncaPin: ${PIN}\n`);
    await expect(loadConfig({ config: second })).rejects.toThrow(/port 1-65535/);
  });

  it('fails clearly when an explicit --config file is missing or not YAML', async () => {
    await expect(loadConfig({ config: join(dir, 'nope.yaml') })).rejects.toThrow(/cannot read the agent configuration .*--config/);
    const path = await configFile('coordinator: [unclosed\n');
    await expect(loadConfig({ config: path })).rejects.toThrow(/is not valid YAML/);
  });

  it('warns when the file is readable by others', async () => {
    const path = await configFile(`coordinator: 192.0.2.10:7443\ncaPin: ${PIN}\n`);
    await chmod(path, 0o644);
    const { warnings } = await loadConfig({ config: path });
    expect(warnings).toEqual([expect.stringMatching(/chmod 600/)]);
  });
});

describe('readTokenSource', () => {
  it('reads a token file and standard input, trimmed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kumi-agent-token-'));
    try {
      await writeFile(join(dir, 'token'), `${TOKEN}\n`, { mode: 0o600 });
      expect(await readTokenSource(join(dir, 'token'))).toBe(TOKEN);
      expect(await readTokenSource('-', Readable.from([`  ${TOKEN}\n`]))).toBe(TOKEN);
      await expect(readTokenSource('-', Readable.from(['\n']))).rejects.toThrow(/no bootstrap token in standard input/);
      await expect(readTokenSource(join(dir, 'missing'))).rejects.toThrow(/cannot read the token file .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('splitHostPort', () => {
  it('splits names, IPv4 and bracketed IPv6', () => {
    expect(splitHostPort('192.0.2.1:7443')).toEqual({ host: '192.0.2.1', port: 7443 });
    expect(splitHostPort('[::1]:7443')).toEqual({ host: '::1', port: 7443 });
    expect(splitHostPort('kumi.example:1')).toEqual({ host: 'kumi.example', port: 1 });
  });
});
