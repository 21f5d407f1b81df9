// A lab host installs kumi-agent exactly as `kumi cloud-init` user-data says: the files it
// writes and the runcmd it runs, downloading from the coordinator (kumi serve, HTTPS on port
// 7444 checked with the cluster CA certificate, sha256 checked before install), and the
// agent attaches; a file changed on the coordinator after the user-data was made is refused.
// Root only; skipped loudly otherwise. Cost: ~20 s to build the packaged agent when dist/ is
// stale (cached otherwise), ~15 s for two lab hosts, the download and the attach.
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildAgentBinaries } from '../../../apps/agent/package/build-agent-binaries';
import { callKumi, ensureKumiBundles, REPO_ROOT, type KumiBundles } from '../src/cluster';
import { startServe, type ServeProcess } from '../src/cluster/serve-process';
import { inHost, writeHostFile } from '../src/in-host';
import { labDown } from '../src/lab-down';
import { labUp } from '../src/lab-up';
import { seedTopology } from '../src/topology';
import { labSkipReason } from './lab-checks';

const skip = labSkipReason() ?? (process.arch === 'x64' ? undefined : 'the lab hosts run the x64 agent file');
if (skip) console.warn(`\n*** SKIPPED: cloud-init install in the lab (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-cloud-init-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;
const HOSTS = ['master1', 'worker1'];
const SPEC = path.join(REPO_ROOT, 'examples/seed-ha.yaml');

/** The parts of #cloud-config user-data that `kumi cloud-init` writes. */
interface UserData {
  write_files: { path: string; permissions: string; content: string }[];
  runcmd: (string | string[])[];
}

let work: string;
let agentDir: string;
let stateDir: string;
let bundles: KumiBundles;
let serve: ServeProcess | undefined;
let labStarted = false;

const kumi = (args: string[]) => callKumi(bundles.kumi, stateDir, args, { env: { KUMI_AGENT_DIR: agentDir } });

/** Does what cloud-init does with the user-data: writes its files, then runs its runcmd entries in order (as sh does). */
async function bootWithUserData(host: string, userData: UserData): Promise<{ exitCode: number; stderr: string }> {
  for (const file of userData.write_files) await writeHostFile(host, file.path, file.content, Number.parseInt(file.permissions, 8));
  for (const command of userData.runcmd) {
    const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
    const result = await inHost(host, argv, { timeoutMs: 120_000 });
    if (result.exitCode !== 0) return { exitCode: result.exitCode ?? -1, stderr: String(result.stderr) };
  }
  return { exitCode: 0, stderr: '' };
}

async function userDataFor(host: string): Promise<{ text: string; parsed: UserData }> {
  const out = path.join(work, `user-data-${host}`);
  const made = await kumi(['cloud-init', SPEC, '--host', host, '--out', out, '--ttl', '10m']);
  expect(made.exitCode, made.stderr).toBe(0);
  const text = await readFile(path.join(out, `${host}.user-data`), 'utf8');
  return { text, parsed: parse(text) as UserData };
}

async function attachedHosts(): Promise<string[]> {
  const listed = await kumi(['agents', '--json']);
  return listed.exitCode === 0 ? (JSON.parse(listed.stdout) as { hostName: string }[]).map((agent) => agent.hostName) : [];
}

describe.skipIf(skip)('kumi-agent installed by cloud-init user-data from the coordinator', () => {
  beforeAll(async () => {
    work = await mkdtemp('/var/tmp/kumi-cloud-init-test-');
    stateDir = path.join(work, 'state');
    agentDir = path.join(work, 'agent-files');
    const build = await buildAgentBinaries({ repoRoot: REPO_ROOT });
    const x64 = build.binaries.find((binary) => binary.arch === 'x64');
    if (!x64) throw new Error('the agent build made no x64 file');
    // A copy the test may tamper with; dist/ stays intact.
    await mkdir(agentDir);
    await copyFile(x64.path, path.join(agentDir, 'kumi-agent-linux-x64'));
    await writeFile(path.join(agentDir, 'SHA256SUMS'), `${x64.sha256}  kumi-agent-linux-x64\n`);
    // kumi serve (started below) inherits it: the files it offers.
    process.env.KUMI_AGENT_DIR = agentDir;
    bundles = await ensureKumiBundles();
    const init = await kumi(['init', '--name', 'seed-ha', '--address', '192.0.2.1', '--port', '7443', '--listen-host', '192.0.2.1']);
    expect(init.exitCode, init.stderr).toBe(0);
    const seed = seedTopology();
    await labUp({ topology: { ...seed, hosts: seed.hosts.filter((host) => HOSTS.includes(host.name)) } });
    labStarted = true;
    serve = await startServe(bundles.kumi, stateDir, path.join(work, 'serve.log'));
  }, 300_000);

  afterAll(async () => {
    // The lab goes down and the folders go even when kumi serve fails to stop.
    try {
      await serve?.stop();
    } finally {
      if (labStarted) await labDown({});
      delete process.env.KUMI_AGENT_DIR;
      if (work) await rm(work, { recursive: true, force: true });
      await rm(LAB_DIR, { recursive: true, force: true });
    }
  }, 120_000);

  it('downloads over HTTPS checked with the CA certificate, checks the sha256, installs, and the agent attaches', async () => {
    const { text, parsed } = await userDataFor('worker1');
    expect(text).toContain(`url='https://192.0.2.1:7444/v1/agent/linux-'"$arch"`);
    expect(text).toContain('curl -fsSL --cacert /etc/kumi/coordinator-ca.crt');
    expect(parsed.write_files.map((file) => file.path)).toEqual(['/etc/kumi/agent.yaml', '/etc/kumi/coordinator-ca.crt', '/usr/local/lib/kumi/install-kumi-agent.sh']);
    expect(await readFile(path.join(stateDir, 'ca.crt'), 'utf8')).toBe(parsed.write_files[1]?.content);

    const booted = await bootWithUserData('worker1', parsed);
    expect(booted.stderr).not.toMatch(/kumi: /);
    expect(booted.exitCode).toBe(0);
    const installed = await inHost('worker1', ['sha256sum', '/usr/local/bin/kumi-agent']);
    expect(String(installed.stdout).split(' ')[0]).toBe((await readFile(path.join(agentDir, 'SHA256SUMS'), 'utf8')).split(' ')[0]);

    let attached: string[] = [];
    for (let attempt = 0; attempt < 120 && !attached.includes('worker1'); attempt += 1) {
      attached = await attachedHosts();
      if (!attached.includes('worker1')) await sleep(500);
    }
    expect(attached).toContain('worker1');
  }, 180_000);

  it('refuses a file changed on the coordinator after the user-data was made: nothing installed, nothing attached', async () => {
    const { parsed } = await userDataFor('master1');
    await appendFile(path.join(agentDir, 'kumi-agent-linux-x64'), 'tampered');
    const booted = await bootWithUserData('master1', parsed);
    expect(booted.exitCode).not.toBe(0);
    expect(booted.stderr).toMatch(/https:\/\/192\.0\.2\.1:7444\/v1\/agent\/linux-x64 does not have sha256 [0-9a-f]{64}: refusing to run it/);
    const leftovers = await inHost('master1', ['sh', '-c', 'ls /usr/local/bin/kumi-agent /etc/systemd/system/kumi-agent.service /usr/local/lib/kumi/download.* 2>/dev/null; true']);
    expect(String(leftovers.stdout)).toBe('');
    expect(await attachedHosts()).not.toContain('master1');
  }, 180_000);
});
