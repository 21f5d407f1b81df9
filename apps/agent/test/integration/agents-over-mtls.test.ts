import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createCa, createKeyAndCsr, signClientCsr } from '@kumi/trust';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coordinatorClient } from '../../src/enroll/coordinator-client';
import { buildBundles } from './support/bundles';
import { killStartedProcesses, startedProcesses, startNode, waitFor } from './support/processes';
import { freeLoopbackPort, parseEvents, TestCluster } from './support/test-cluster';

const HOSTS = ['node-a', 'node-b', 'node-c'] as const;
const SYSCTL_FILES = ['net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables', 'net/ipv4/ip_forward'];

/** A step secret; it must appear in no event and no log. */
const SECRET_VALUE = 'probe-secret-7f3a9c2e51';
/** Every bootstrap token minted in this suite, for the log scan. */
const tokens: string[] = [];
/** Private keys made in-process (not in any state folder), for the log scan. */
const keysToScanFor: string[] = [];
let currentCluster: TestCluster | undefined;
const cluster = (): TestCluster => {
  if (!currentCluster) throw new Error('the cluster is not set up');
  return currentCluster;
};

describe('kumi-agent and kumi serve as separate processes over TCP + mutual TLS', () => {
  let base: string;

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'kumi-agent-itest-'));
    const bundles = await buildBundles(join(base, 'bin'));
    currentCluster = new TestCluster(base, bundles);
    await cluster().init();
    await cluster().startServe();
  }, 90_000);

  afterAll(async () => {
    await killStartedProcesses();
    if (base) await rm(base, { recursive: true, force: true });
  });

  it('enrolls three agents, lists their facts and streams a step from each in seq order', async () => {
    for (const host of HOSTS) {
      const token = await cluster().createToken({ host });
      tokens.push(token);
      const agent = await cluster().startAgent({ hostName: host, token });
      for (const file of SYSCTL_FILES) {
        await mkdir(join(agent.root, 'proc/sys', file, '..'), { recursive: true });
        await writeFile(join(agent.root, 'proc/sys', file), '0\n');
      }
    }
    const agents = await waitFor('three attached agents', async () => {
      const listed = await cluster().agents();
      return listed.length === 3 ? listed : undefined;
    });
    expect(agents.map((agent) => agent.hostName).sort()).toEqual([...HOSTS]);
    for (const agent of agents) {
      expect(agent.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
      expect(agent.facts.hostName).toBe(agent.hostName);
      expect(agent.facts.kernel.length).toBeGreaterThan(0);
      expect(agent.facts.cpus).toBeGreaterThan(0);
      expect(Number(agent.facts.memoryBytes)).toBeGreaterThan(0);
      expect(agent.facts.interfaces).toContainEqual(expect.objectContaining({ name: 'lo', addresses: expect.arrayContaining(['127.0.0.1/8']) }));
    }
    for (const host of HOSTS) {
      const stateDir = join(base, 'agents', host, 'state');
      expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
      for (const file of ['agent.crt', 'agent.key', 'ca.crt']) expect((await stat(join(stateDir, file))).mode & 0o777).toBe(0o600);
    }

    const runs = await Promise.all(HOSTS.map((host) => cluster().kumi(['run', 'sysctl.kubernetes', '--host', host, '--json'], `run-${host}.log`)));
    for (const [index, host] of HOSTS.entries()) {
      const run = runs[index]!;
      expect(run.code, run.output).toBe(0);
      const events = parseEvents(run.output);
      expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));
      expect(events[0]).toMatchObject({ kind: 'START', host, step: 'sysctl.kubernetes' });
      expect(events.at(-1)?.kind).toBe('DONE');
      expect(new Set(events.map((event) => event.path)).size).toBe(1);
      const root = join(base, 'agents', host, 'root');
      expect(await readFile(join(root, 'etc/sysctl.d/kumi-kubernetes.conf'), 'utf8')).toContain('net.ipv4.ip_forward = 1');
      expect(await readFile(join(root, 'proc/sys/net/ipv4/ip_forward'), 'utf8')).toBe('1\n');
    }
    const again = await cluster().kumi(['run', 'sysctl.kubernetes', '--host', 'node-a', '--json'], 'run-node-a-again.log');
    expect(parseEvents(again.output).map((event) => event.kind)).toEqual(['START', 'NOOP']);
  });

  it('redacts secret values from the events of a run', async () => {
    const secretFile = join(base, 'probe-secret');
    await writeFile(secretFile, SECRET_VALUE, { mode: 0o600 });
    // The value also sits in a free-text param here, only to prove the agent redacts it.
    const params = { host: '127.0.0.1', port: cluster().port, timeoutSeconds: 5, what: SECRET_VALUE };
    const run = await cluster().kumi(['run', 'net.wait-tcp', '--host', 'node-c', '--json', '--params-json', JSON.stringify(params), '--secret-file', `probe=${secretFile}`], 'run-secret.log');
    expect(run.code, run.output).toBe(0);
    const events = parseEvents(run.output);
    expect(events.at(-1)).toMatchObject({ kind: 'NOOP', text: expect.stringMatching(/^\*\*\* at 127\.0\.0\.1:\d+ already accepts/) });
    expect(run.output).not.toContain(SECRET_VALUE);
  });

  it('reports a step cut short by SIGKILL as INTERRUPTED after a restart with the stored certificate, each event once', async () => {
    const host = 'node-b';
    const closedPort = await freeLoopbackPort();
    const run = startNode(
      cluster().bundles.kumi,
      ['--state-dir', cluster().stateDir, 'run', 'net.wait-tcp', '--host', host, '--json', '--params-json', JSON.stringify({ host: '127.0.0.1', port: closedPort, timeoutSeconds: 60 })],
      join(cluster().logDir, 'run-interrupted.log'),
    );
    await waitFor('the wait step to report progress', () => parseEvents(run.output()).some((event) => event.kind === 'PROGRESS'));
    const original = startedProcesses.find(
      (started) => started.child.spawnargs.includes(host) && started.child.spawnargs.includes('--token-file'),
    );
    expect(original).toBeDefined();
    original!.child.kill('SIGKILL');
    await original!.exited;
    await new Promise((resolve) => setTimeout(resolve, 300));

    const restarted = await cluster().startAgent({ hostName: host, logName: `agent-${host}-restarted.log` });
    const code = await Promise.race([run.exited, new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 20_000))]);
    expect(code, run.output()).toBe(1);
    const events = parseEvents(run.output());
    expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));
    expect(events[0]?.kind).toBe('START');
    expect(events.at(-1)).toMatchObject({ kind: 'FAILED', error: { code: 'INTERRUPTED' } });
    expect(events.filter((event) => event.kind === 'FAILED')).toHaveLength(1);
    expect(restarted.process.output()).toContain('using the stored certificate');
    expect(restarted.process.child.spawnargs).not.toContain('--token-file');
    await waitFor('node-b attached again', async () => (await cluster().agents()).some((agent) => agent.hostName === host));
  });

  describe('refuses with a clear error and runs nothing', () => {
    let attempt = 0;
    async function refusedAgent(options: { hostName: string; token: string; caPin?: string }): Promise<string> {
      attempt += 1;
      const home = join(base, 'refused', `${options.hostName}-${attempt}`);
      const agent = await cluster().startAgent({ ...options, stateDir: join(home, 'state'), logName: `agent-refused-${attempt}.log` });
      const code = await Promise.race([agent.process.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 15_000))]);
      expect(code, agent.process.output()).toBe(1);
      expect(existsSync(join(agent.stateDir, 'agent.crt'))).toBe(false);
      expect((await cluster().agents()).map((info) => info.hostName)).not.toContain(options.hostName);
      return agent.process.output();
    }

    it('a reused token', async () => {
      const token = await cluster().createToken();
      tokens.push(token);
      await cluster().startAgent({ hostName: 'reuse-1', token });
      await waitFor('reuse-1 to attach', async () => (await cluster().agents()).some((info) => info.hostName === 'reuse-1'));
      const output = await refusedAgent({ hostName: 'reuse-2', token });
      expect(output).toMatch(/refused enrollment: bootstrap token "[a-z0-9]{6}" was already used \(by host "reuse-1"/);
    });

    it('an expired token', async () => {
      const token = await cluster().createToken({ host: 'late-1', ttl: '1s' });
      tokens.push(token);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(await refusedAgent({ hostName: 'late-1', token })).toMatch(/refused enrollment: bootstrap token "[a-z0-9]{6}" expired at /);
    });

    it('a token bound to another host', async () => {
      const token = await cluster().createToken({ host: 'bound-1' });
      tokens.push(token);
      expect(await refusedAgent({ hostName: 'other-1', token })).toMatch(/refused enrollment: bootstrap token "[a-z0-9]{6}" is bound to host "bound-1", not "other-1"/);
    });

    it('a wrong CA pin, without ever sending the token', async () => {
      const token = await cluster().createToken({ host: 'pin-1' });
      tokens.push(token);
      const output = await refusedAgent({ hostName: 'pin-1', token, caPin: `sha256:${'0'.repeat(64)}` });
      expect(output).toMatch(/no CA matching the pin .*token was NOT sent/);
      // The token still works, so the coordinator never saw it.
      const agent = await cluster().startAgent({ hostName: 'pin-1', token, logName: 'agent-pin-1-retry.log' });
      await waitFor('pin-1 to attach with the unspent token', async () => (await cluster().agents()).some((info) => info.hostName === 'pin-1'));
      expect(existsSync(join(agent.stateDir, 'agent.crt'))).toBe(true);
    });

    it('a client without a certificate', async () => {
      const error = await attachAs('no-cert-1', await readFile(join(cluster().stateDir, 'ca.crt'), 'utf8'));
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toMatch(/certificate/i);
      expect((await cluster().agents()).map((info) => info.hostName)).not.toContain('no-cert-1');
    });

    it('a client certificate from another CA', async () => {
      const rogueCa = await createCa('rogue-ca');
      const { keyPem, csrPem } = await createKeyAndCsr('rogue-1');
      const certPem = await signClientCsr(rogueCa, csrPem, 'rogue-1');
      keysToScanFor.push(keyPem, rogueCa.keyPem);
      const error = await attachAs('rogue-1', await readFile(join(cluster().stateDir, 'ca.crt'), 'utf8'), { keyPem, certPem });
      expect(error.code).toBe(status.UNAUTHENTICATED);
      expect(error.details).toMatch(/not issued by this cluster's CA|certificate/i);
      expect((await cluster().agents()).map((info) => info.hostName)).not.toContain('rogue-1');
    });
  });

  it('never logs a token secret or private key material', async () => {
    const keyFiles = [join(cluster().stateDir, 'ca.key'), join(cluster().stateDir, 'server.key')];
    for (const host of await readdir(join(base, 'agents'))) keyFiles.push(join(base, 'agents', host, 'state', 'agent.key'));
    const keys = [...keysToScanFor, ...(await Promise.all(keyFiles.filter((file) => existsSync(file)).map((file) => readFile(file, 'utf8'))))];
    expect(keys.length).toBeGreaterThanOrEqual(2 + HOSTS.length);
    const needles = [
      SECRET_VALUE,
      ...tokens.flatMap((token) => [token, token.split('.')[1]!]),
      ...keys.flatMap((pem) => pem.split('\n').filter((line) => /^[A-Za-z0-9+/=]{20,}$/.test(line))),
      'PRIVATE KEY',
    ];
    const logFiles = [
      ...(await readdir(cluster().logDir)).filter((name) => name !== 'kumi-token-create.log').map((name) => join(cluster().logDir, name)),
      ...(await readdir(join(cluster().stateDir, 'logs'))).map((name) => join(cluster().stateDir, 'logs', name)),
    ];
    expect(logFiles.some((file) => file.endsWith('kumi-serve.log'))).toBe(true);
    expect(logFiles.filter((file) => file.includes('agent-')).length).toBeGreaterThanOrEqual(HOSTS.length);
    let lines = 0;
    for (const file of logFiles) {
      const text = await readFile(file, 'utf8');
      lines += text.split('\n').length;
      for (const needle of needles) expect(text.includes(needle), `${file} contains secret material`).toBe(false);
    }
    expect(lines).toBeGreaterThan(50);
  });
});

/** Attaches with a hand-made client (optionally with a certificate) and returns how the coordinator refused it. */
async function attachAs(hostName: string, caPem: string, identity?: { keyPem: string; certPem: string }): Promise<ServiceError> {
  const [host, port] = [cluster().address.split(':')[0]!, cluster().port];
  const client = coordinatorClient(`${host}:${port}`, caPem, identity);
  try {
    return await new Promise<ServiceError>((resolve, reject) => {
      const call = client.attach();
      const timer = setTimeout(() => reject(new Error('the coordinator neither refused nor answered the Attach')), 10_000);
      call.on('error', (error: ServiceError) => {
        clearTimeout(timer);
        resolve(error);
      });
      call.on('data', () => undefined);
      call.write({ hello: { hostName, agentVersion: 'test', busyRunId: '' } });
    });
  } finally {
    client.close();
  }
}
