import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * The benchmark's private network: a bridge inside its own "switch" network namespace and
 * one namespace per host, each plugged into the bridge by a veth pair (the layout of
 * tools/lab/src/network.ts). The machine's own namespace gets no link, address or route:
 * its eth0 sees nothing of the benchmark. Every namespace is held by a `sleep` started
 * with `unshare --net`; killing the holders (and what runs inside) removes everything.
 */

/** The bridge's subnet: private, and never the machine's 192.0.2.0/24. */
export const BENCH_PREFIX = '10.231';
export const BENCH_PREFIX_LEN = 16;
/** The coordinator's address, on the bridge in the switch namespace. */
export const COORDINATOR_ADDRESS = `${BENCH_PREFIX}.0.1`;
const BRIDGE = 'kbench0';
/** Longest a namespace holder may take to appear. */
const HOLDER_START_MS = 5_000;
const HOLDER_SECONDS = 6 * 3600;

/** A network namespace held open by a sleeping process. */
export interface Namespace {
  pid: number;
  holder: ChildProcess;
}

/** The address of host number `index` (1-based) on the bridge. */
export function hostAddress(index: number): string {
  return `${BENCH_PREFIX}.${1 + Math.floor(index / 250)}.${index % 250 || 250}`;
}

/** argv that runs `argv` inside the namespace (the machine's file system, the namespace's network). */
export function inNamespace(ns: Namespace, argv: string[]): string[] {
  return ['nsenter', '-t', String(ns.pid), '-n', '--', ...argv];
}

async function run(argv: string[], input?: string): Promise<void> {
  const [file, ...args] = argv;
  const child = execFile(file!, args, { timeout: 30_000 });
  const done = new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(' ')} failed (${code}): ${stderr.trim()}`))));
  });
  child.stdin?.end(input ?? '');
  await done;
}

/** Starts a process that holds a new network namespace until it is killed. */
async function holdNamespace(holders: Namespace[]): Promise<Namespace> {
  // unshare without --fork execs sleep: its pid is the namespace's holder.
  const holder = spawn('unshare', ['--net', 'sleep', String(HOLDER_SECONDS)], { stdio: 'ignore' });
  if (holder.pid === undefined) throw new Error('could not start unshare --net');
  const ns = { pid: holder.pid, holder };
  holders.push(ns);
  const ownNet = (await exec('readlink', ['/proc/self/ns/net'])).stdout.trim();
  const deadline = Date.now() + HOLDER_START_MS;
  while (Date.now() < deadline) {
    const net = await exec('readlink', [`/proc/${holder.pid}/ns/net`]).then(({ stdout }) => stdout.trim(), () => '');
    if (net !== '' && net !== ownNet) return ns;
    if (holder.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('unshare --net did not make a namespace in time (root needed)');
}

/** The switch namespace with its bridge and the coordinator's address. */
export async function createSwitch(holders: Namespace[]): Promise<Namespace> {
  const ns = await holdNamespace(holders);
  const batch = ['link set lo up', `link add ${BRIDGE} type bridge`, `addr add ${COORDINATOR_ADDRESS}/${BENCH_PREFIX_LEN} dev ${BRIDGE}`, `link set ${BRIDGE} up`];
  await run(inNamespace(ns, ['ip', '-batch', '-']), `${batch.join('\n')}\n`);
  return ns;
}

/** `count` host namespaces, each with eth0 on the bridge at hostAddress(index). */
export async function createHosts(switchNs: Namespace, count: number, holders: Namespace[]): Promise<Namespace[]> {
  const hosts: Namespace[] = [];
  for (let index = 1; index <= count; index += 1) hosts.push(await holdNamespace(holders));
  const plug = hosts.flatMap((host, position) => [
    `link add kbh${position + 1} type veth peer name eth0 netns ${host.pid}`,
    `link set kbh${position + 1} master ${BRIDGE} up`,
  ]);
  await run(inNamespace(switchNs, ['ip', '-batch', '-']), `${plug.join('\n')}\n`);
  await Promise.all(
    hosts.map((host, position) =>
      run(inNamespace(host, ['ip', '-batch', '-']), `link set lo up\naddr add ${hostAddress(position + 1)}/${BENCH_PREFIX_LEN} dev eth0\nlink set eth0 up\n`),
    ),
  );
  return hosts;
}

/** Kills every namespace holder (SIGKILL, by pid); the namespaces go with their last process. */
export function releaseNamespaces(holders: Namespace[]): void {
  for (const { holder } of holders) if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
}
