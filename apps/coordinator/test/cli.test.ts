import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { kumi } from './helpers/capture';
import { enrollAgent, FakeAgentStream } from './helpers/fake-agent';
import { startTestCluster, type TestCluster } from './helpers/test-cluster';

describe('kumi init and kumi token', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kumi-cli-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates a private state folder, prints the CA pin and refuses to overwrite it', async () => {
    const dir = join(root, 'c1');
    const created = await kumi('--state-dir', dir, 'init', '--name', 'lab', '--address', '192.0.2.10', '--address', 'kumi.example');
    expect(created.code).toBe(0);
    const config = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8'));
    expect(created.stdout).toContain(`CA pin:      ${config.caPin}`);
    expect(config).toMatchObject({ name: 'lab', listen: { port: 7443 }, sans: { dnsNames: ['localhost', 'kumi.example'], ipAddresses: ['127.0.0.1', '192.0.2.10'] } });
    expect(JSON.stringify(config)).not.toContain('PRIVATE KEY');
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir)) {
      const info = await stat(join(dir, name));
      expect(info.mode & 0o777, name).toBe(info.isDirectory() ? 0o700 : 0o600);
    }

    const again = await kumi('--state-dir', dir, 'init', '--name', 'lab');
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('a cluster already exists in');
    expect(again.stderr).toContain('never overwrites');
    expect(JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')).caPin).toBe(config.caPin);
  });

  it('finds clusters under HOME/.kumi/clusters by --cluster, KUMI_CLUSTER or as the only one', async () => {
    const saved = { HOME: process.env.HOME, KUMI_CLUSTER: process.env.KUMI_CLUSTER, KUMI_STATE_DIR: process.env.KUMI_STATE_DIR };
    process.env.HOME = root;
    delete process.env.KUMI_CLUSTER;
    delete process.env.KUMI_STATE_DIR;
    try {
      expect((await kumi('init', '--name', 'one')).code).toBe(0);
      expect((await kumi('token', 'list')).code).toBe(0);
      expect((await kumi('init', '--name', 'two')).code).toBe(0);
      const ambiguous = await kumi('token', 'list');
      expect(ambiguous.code).toBe(2);
      expect(ambiguous.stderr).toContain('several clusters');
      expect((await kumi('--cluster', 'two', 'token', 'create')).code).toBe(0);
      process.env.KUMI_CLUSTER = 'two';
      expect((await kumi('token', 'list')).stdout).toMatch(/valid for/);
      const missing = await kumi('--cluster', 'nope', 'token', 'list');
      expect(missing.code).toBe(3);
      expect(missing.stderr).toContain('kumi init --name NAME');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('creates, lists and deletes tokens; the secret is printed once and listed never', async () => {
    const dir = join(root, 'c2');
    await kumi('--state-dir', dir, 'init', '--name', 'lab', '--address', '192.0.2.10');
    const created = await kumi('--state-dir', dir, 'token', 'create', '--host', 'cp1', '--ttl', '2h30m');
    expect(created.code).toBe(0);
    const token = /token:\s+([a-z0-9]{6})\.([a-z0-9]{16})/.exec(created.stdout);
    expect(token).not.toBeNull();
    const [, id, secret] = token as RegExpExecArray;
    expect(created.stdout).toMatch(/ca pin:\s+sha256:[0-9a-f]{64}/);
    expect(created.stdout).toContain(`token: "${id}.${secret}"`);
    expect(created.stdout).toContain('coordinator: "192.0.2.10:7443"');
    expect(created.stdout).toContain('hostName: "cp1"');

    const listed = await kumi('--state-dir', dir, 'token', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+cp1\\s+\\S+\\s+valid for 2h(29m5\\ds|30m)`));
    const json = await kumi('--state-dir', dir, 'token', 'list', '--json');
    for (const output of [listed.stdout, json.stdout, await readFile(join(dir, 'state.jsonl'), 'utf8'), await readFile(join(dir, 'logs', 'kumi.log'), 'utf8')]) {
      expect(output).not.toContain(secret as string);
    }
    expect(JSON.parse(json.stdout)[0]).not.toHaveProperty('secretHash');

    expect((await kumi('--state-dir', dir, 'token', 'delete', id as string)).code).toBe(0);
    const gone = await kumi('--state-dir', dir, 'token', 'delete', id as string);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain(`no bootstrap token with id "${id}"`);
  });

  it('exits 2 with a clear message on bad input', async () => {
    const dir = join(root, 'c3');
    await kumi('--state-dir', dir, 'init', '--name', 'lab');
    const ttl = await kumi('--state-dir', dir, 'token', 'create', '--ttl', 'forever');
    expect(ttl).toMatchObject({ code: 2 });
    expect(ttl.stderr).toContain('invalid --ttl "forever"');
    const name = await kumi('--state-dir', join(root, 'c4'), 'init', '--name', 'Bad_Name');
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('invalid cluster name "Bad_Name"');
    const address = await kumi('--state-dir', join(root, 'c5'), 'init', '--name', 'x', '--address', 'http://x:1');
    expect(address.code).toBe(2);
    expect(address.stderr).toContain('invalid --address "http://x:1"');
    const unknown = await kumi('frobnicate');
    expect(unknown.code).toBe(2);
  });

  it('documents the exit codes in --help', async () => {
    const help = await kumi('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:\n\s+0\s+ok[\s\S]*\n\s+1\s+failure[\s\S]*\n\s+2\s+bad input/);
    expect(help.stdout).toMatch(/\n\s+3\s+cluster state problem \(no such cluster, or it already exists\),\s+or the cluster is locked by another kumi\n/);
  });
});

describe('kumi agents and kumi run', () => {
  let cluster: TestCluster;
  let agent: FakeAgentStream;

  beforeEach(async () => {
    cluster = await startTestCluster();
    const { token } = await cluster.state.tokens.create({ ttlMs: 60_000, host: 'cp1' });
    const identity = await enrollAgent(cluster.address, cluster.material.caCertPem, token, 'cp1');
    agent = new FakeAgentStream(cluster.address, cluster.material.caCertPem, identity);
    agent.hello('cp1');
    await agent.waitFor(() => cluster.coordinator.agents.get('cp1'));
  });
  afterEach(async () => {
    // beforeEach may have failed before either was set: let its own error show.
    agent?.drop();
    await cluster?.close();
  });

  it('lists attached agents with their facts', async () => {
    const table = await kumi('--state-dir', cluster.state.paths.dir, 'agents');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^HOST\s+OS\s+KERNEL\s+CPUS\s+MEMORY\s+ADDRESS\s+FIREWALL/);
    expect(table.stdout).toMatch(/cp1\s+debian 12\s+6\.1\.0-test\s+2\s+4\.0Gi\s+127\.0\.0\.1:\d+\s+nftables/);
    const json = await kumi('--state-dir', cluster.state.paths.dir, 'agents', '--json');
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ hostName: 'cp1', facts: { cpus: 2 } });
  });

  it('streams a run as plain lines and exits 0 on DONE', async () => {
    // Parameters are checked against the step's schema before anything is sent (defaults filled).
    const pending = kumi('--state-dir', cluster.state.paths.dir, 'run', 'net.wait-tcp', '--host', 'cp1', '--param', 'host=127.0.0.1', '--param', 'port=6443', '--param', 'timeoutSeconds=5');
    // The command's first start in this file loads the step catalogue: give it time on a busy machine.
    const request = await agent.waitRun(0, 30_000);
    expect(JSON.parse(request.paramsJson)).toMatchObject({ host: '127.0.0.1', port: 6443 });
    agent.event({ runId: request.runId, seq: 1, host: 'cp1', step: 'swap.off', kind: 'EVENT_KIND_START', text: 'Turn swap off', timeUnixMs: Date.UTC(2026, 0, 1, 12, 0, 0) });
    agent.event({ runId: request.runId, seq: 2, host: 'cp1', step: 'swap.off', kind: 'EVENT_KIND_DONE', text: 'swap is off', timeUnixMs: Date.UTC(2026, 0, 1, 12, 0, 1) });
    const result = await pending;
    expect(result.code).toBe(0);
    // kumi run is a plan on the one scheduler: its progress lines are those of kumi up.
    expect(result.stdout).toMatch(/cp1\s+net\.wait-tcp\s+START\s+run-1\/net\.wait-tcp@cp1\n/);
    expect(result.stdout).toMatch(/cp1\s+net\.wait-tcp\s+DONE\s+done in /);
  });

  it('prints the typed error and exits 1 on FAILED; NDJSON with --json', async () => {
    const pending = kumi('--state-dir', cluster.state.paths.dir, 'run', 'swap.off', '--host', 'cp1', '--json');
    const { runId } = await agent.waitRun();
    agent.event({
      runId,
      seq: 1,
      host: 'cp1',
      step: 'swap.off',
      kind: 'EVENT_KIND_FAILED',
      text: 'swapoff failed',
      error: { code: 'ERROR_CODE_COMMAND_FAILED', message: 'swapoff -a exited with 255', exitCode: 255, stderrTail: 'swapoff: /swap.img: Operation not permitted', command: 'swapoff -a' },
    });
    const result = await pending;
    expect(result.code).toBe(1);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
    expect(events.find((event) => event.kind === 'FAILED')).toMatchObject({ host: 'cp1', step: 'swap.off', error: { code: 'COMMAND_FAILED', exitCode: 255 } });
    expect(result.stderr).toContain('swap.off on cp1: COMMAND_FAILED: swapoff -a exited with 255');

    const plain = kumi('--state-dir', cluster.state.paths.dir, 'run', 'swap.off', '--host', 'cp1');
    const second = await agent.waitRun(1);
    agent.event({ runId: second.runId, seq: 1, host: 'cp1', step: 'swap.off', kind: 'EVENT_KIND_FAILED', text: 'failed', error: { code: 'ERROR_CODE_COMMAND_FAILED', message: 'swapoff -a exited with 255', exitCode: 255, stderrTail: 'not permitted' } });
    const text = await plain;
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('FAILED   COMMAND_FAILED: swapoff -a exited with 255');
    expect(text.stdout).toMatch(/stderr \(last lines\):\n\s+not permitted/);
  });

  it('exits 4 when the host is not attached or kumi serve is not running, 2 on bad params', async () => {
    const missing = await kumi('--state-dir', cluster.state.paths.dir, 'run', 'swap.off', '--host', 'cp7');
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('host "cp7" is not attached (attached: cp1)');
    const bad = await kumi('--state-dir', cluster.state.paths.dir, 'run', 'swap.off', '--host', 'cp1', '--params-json', '{oops');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--params-json is not valid JSON');
    await cluster.coordinator.close();
    const down = await kumi('--state-dir', cluster.state.paths.dir, 'agents');
    expect(down.code).toBe(4);
    expect(down.stderr).toContain('kumi serve is not running for this cluster');
  });
});

describe('CLI conventions', () => {
  const bin = fileURLToPath(new URL('../bin/kumi.mjs', import.meta.url));

  it('completes commands, subcommands and options in bash from the program itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kumi-completion-'));
    const script = join(dir, 'kumi.bash');
    await writeFile(script, (await kumi('completion', 'bash')).stdout);
    const complete = async (...words: string[]) => {
      const call = `source "$1"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kumi; echo "\${COMPREPLY[*]}"`;
      return execFileSync('bash', ['-c', call, 'bash', script], { cwd: dir, encoding: 'utf8' }).trim().split(' ');
    };
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    expect(await complete('kumi', 'tok')).toEqual(['token']);
    expect(await complete('kumi', 'token', '')).toEqual(['create', 'list', 'delete', '--help']);
    expect(await complete('kumi', '--state-dir', '/x', 'token', 'create', '--')).toEqual(['--host', '--ttl', '--json', '--help']);
    expect(await complete('kumi', 'cloud-init', '--agent-')).toEqual(expect.arrayContaining(['--agent-url', '--agent-sha256', '--agent-sums']));
  });

  it('writes zsh and fish scripts, and names the shells it knows', async () => {
    const zsh = await kumi('completion', 'zsh');
    expect(zsh.stdout).toMatch(/^#compdef kumi\n/);
    expect(zsh.stdout).toContain("('token create') candidates=(--host --ttl --json --help) ;;");
    const fish = await kumi('completion', 'fish');
    expect(fish.stdout).toContain("complete -c kumi -n '__fish_seen_subcommand_from token; and __fish_seen_subcommand_from create' -l ttl -r -F");
    const bad = await kumi('completion', 'tcsh');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('use one of bash, zsh, fish');
  });

  it('ends quietly with exit code 0 when stdout is closed early (kumi --help | head -1)', async () => {
    // A real process whose stdout reader is gone before it writes, as after `head` exited.
    const child = spawn(process.execPath, [bin, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);

  it('refuses a spec that is an alias bomb with exit code 2, naming the file, running nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kumi-bomb-'));
    try {
      const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
      for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcdefg'[index]}`).join(', ')}]`);
      const file = join(dir, 'bomb.yaml');
      await writeFile(file, `apiVersion: kumi.dev/v1alpha1\nkind: Cluster\nmetadata: { name: bomb }\n${levels.join('\n')}\n`);
      const result = await kumi('--state-dir', join(dir, 'state'), 'plan', file);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`invalid cluster spec ${file} (1 problem; nothing was run)`);
      expect(result.stderr).toContain('YAML aliases expand too far');
      expect(result.stdout).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
