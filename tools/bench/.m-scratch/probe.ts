// scratch (engineer M): start coordinator, run given agent command, dump smaps after attach.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { credentials } from '@grpc/grpc-js';
import { kumiV1, type ControlClient } from '@kumi/proto';
const run = promisify(execFile);
const REPO = '/work/main';
const children: ChildProcess[] = [];
const outDir = process.env.OUT ?? '/tmp/m-probe';
const runs = Number(process.env.RUNS ?? 3);
const idleMs = Number(process.env.IDLE ?? 3000);
const agentCmd = process.argv.slice(2); // executable + extra args before 'run'
async function freePort() { const s = createServer(); await new Promise<void>((d) => s.listen(0, '127.0.0.1', d)); const { port } = s.address() as { port: number }; await new Promise((d) => s.close(d)); return port; }
function list(c: ControlClient) { return new Promise<any>((d, f) => c.ListAgents({}, { deadline: Date.now() + 2000 }, (e, r) => (e ? f(e) : d(r)))); }
async function waitHost(c: ControlClient, h: string, present: boolean) { for (let i = 0; i < 4000; i++) { if ((await list(c)).agents.some((a: any) => a.hostName === h) === present) return; await sleep(5); } throw new Error('timeout'); }
async function main() {
  await mkdir(outDir, { recursive: true });
  const base = await mkdtemp(join(os.tmpdir(), 'm-probe-'));
  const kb = join(base, 'kumi.cjs');
  await run(process.execPath, ['tools/build/bundle.mjs', 'apps/coordinator/src/main.ts', kb, '--all'], { cwd: REPO });
  const sd = join(base, 'cluster'); const port = await freePort();
  const kumi = (a: string[]) => run(process.execPath, [kb, '--state-dir', sd, ...a], { timeout: 30000 });
  const init = await kumi(['init', '--name', 'bench', '--port', String(port), '--listen-host', '127.0.0.1']);
  const pin = /CA pin:\s+(sha256:[0-9a-f]{64})/.exec(init.stdout)![1];
  const serve = spawn(process.execPath, [kb, '--state-dir', sd, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] }); children.push(serve);
  let so = ''; serve.stdout.on('data', (b) => (so += b)); serve.stderr.on('data', (b) => (so += b));
  for (let w = 0; !so.includes('listening on'); w += 50) { if (w > 15000) throw new Error(so); await sleep(50); }
  const client = new (kumiV1().Control)(`unix:${join(sd, 'control.sock')}`, credentials.createInsecure());
  const totals: number[] = [];
  try {
    for (let i = 1; i <= runs; i++) {
      const host = `probe-${i}`; const home = join(base, host); await mkdir(join(home, 'root'), { recursive: true });
      const token = /^token:\s+(\S+)$/m.exec((await kumi(['token', 'create', '--host', host, '--ttl', '10m'])).stdout)![1];
      const cfg = join(home, 'agent.yaml');
      await writeFile(cfg, `coordinator: "127.0.0.1:${port}"\ncaPin: "${pin}"\ntoken: "${token}"\nhostName: "${host}"\n`, { mode: 0o600 });
      const args = [...agentCmd.slice(1), 'run', '--config', cfg, '--state-dir', join(home, 'state'), '--root', join(home, 'root')];
      const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...(process.env.AGENT_NODE_OPTIONS ? { NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS } : {}) , ...(process.env.AGENT_ENV ? Object.fromEntries(process.env.AGENT_ENV.split(' ').map((p) => p.split('='))) : {}) };
      for (const phase of ['first', 'restart']) {
        const a = spawn(agentCmd[0]!, args, { stdio: ['ignore', 'pipe', 'pipe'], env }); children.push(a);
        let ao = ''; a.stdout!.on('data', (b) => (ao += b)); a.stderr!.on('data', (b) => (ao += b));
        await waitHost(client, host, true);
        await sleep(idleMs);
        const st = await readFile(`/proc/${a.pid}/status`, 'utf8');
        const rss = Number(/^VmRSS:\s+(\d+)/m.exec(st)![1]) / 1024;
        const anon = Number(/^RssAnon:\s+(\d+)/m.exec(st)![1]) / 1024;
        totals.push(rss);
        await writeFile(join(outDir, `smaps-${phase}-${i}.txt`), await readFile(`/proc/${a.pid}/smaps`, 'utf8'));
        await writeFile(join(outDir, `log-${phase}-${i}.txt`), ao);
        if (process.env.PROBE_CMD) console.log((await run('sh', ['-c', process.env.PROBE_CMD, 'sh', String(a.pid)], { maxBuffer: 1e8 })).stdout);
        console.log(`${phase} ${i}: rss ${rss.toFixed(1)} anon ${anon.toFixed(1)} file ${(rss - anon).toFixed(1)}`);
        a.kill('SIGTERM'); await new Promise((d) => a.once('exit', d));
        await waitHost(client, host, false);
      }
    }
  } finally { client.close(); for (const c of children) c.kill('SIGKILL'); await rm(base, { recursive: true, force: true }); }
}
main().catch((e) => { console.error(e); for (const c of children) c.kill('SIGKILL'); process.exitCode = 1; });
