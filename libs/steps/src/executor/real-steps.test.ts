import { readFile, readlink, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostFacts } from '../facts';
import type { AnyStep } from '../step';
import { KUBERNETES_MODULES, MODULES_LOAD_CONTENT, MODULES_LOAD_PATH, kernelModules } from '../steps/kernel-modules/kernel-modules';
import { netWaitTcp } from '../steps/net-wait-tcp/net-wait-tcp';
import { SWAP_COMMENT_PREFIX } from '../steps/swap-off/fstab';
import { swapOff } from '../steps/swap-off/swap-off';
import { ZRAM_CONFIG_WITHOUT_DEVICES } from '../steps/swap-off/zram-config';
import { SYSCTL_CONF_CONTENT, SYSCTL_CONF_PATH, sysctlKubernetes } from '../steps/sysctl-kubernetes/sysctl-kubernetes';
import { familyFacts } from '../testing/host-facts';
import { runOptions } from '../testing/scripted-step';
import { makeTempRoot, removeTempRoot, snapshotTree } from '../testing/temp-root';
import type { SeedEntry } from '../testing/temp-root';
import { runStep } from './run-step';

// These runs execute the real executor against a temp root. The seeded runtime state
// (/proc/swaps, /proc/modules) says nothing needs a command, so nothing touches this
// machine: the tests assert that no command was spawned.

const roots: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeTempRoot));
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const FSTAB = 'UUID=1111 /  ext4  defaults 0 1\n\tUUID=2222\tnone\tswap\tsw\t0\t0\n/dev/sdb1 /data xfs defaults 0 2';

/** Runs the step twice against a fresh root; returns the root and both outcomes, asserting the second is a byte-identical noop. */
async function runTwice(step: AnyStep, facts: HostFacts, seed: Record<string, SeedEntry>, params: unknown = {}) {
  const root = await makeTempRoot(seed);
  roots.push(root);
  const spawned: (readonly string[])[] = [];
  const options = runOptions(root, { facts, params, spawnObserver: (argv) => spawned.push(argv) });
  const first = await runStep(step, options);
  const afterFirst = await snapshotTree(root);
  const second = await runStep(step, options);
  expect(second.status).toBe('noop');
  expect(await snapshotTree(root)).toEqual(afterFirst);
  return { root, first, second, spawned };
}

describe.each(familyFacts)('steps run for real against a temp root ($os.id)', (facts) => {
  it('swap.off comments fstab swap lines, masks swap units, disables zram; then no-op', async () => {
    const { root, first, second, spawned } = await runTwice(swapOff, facts, {
      '/proc/swaps': 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n',
      '/etc/fstab': FSTAB,
      '/run/systemd/generator/dev-zram0.swap': '[Swap]\nWhat=/dev/zram0\n',
      '/usr/lib/systemd/system-generators/zram-generator': '#!binary\n',
      '/usr/lib/systemd/zram-generator.conf': '[zram0]\n',
    });
    expect(first.status).toBe('done');
    expect(spawned).toEqual([]);
    expect(await readFile(join(root, 'etc/fstab'), 'utf8')).toBe(
      FSTAB.replace('\tUUID=2222', `${SWAP_COMMENT_PREFIX}\tUUID=2222`),
    );
    expect(await readlink(join(root, 'etc/systemd/system/dev-zram0.swap'))).toBe('/dev/null');
    expect(await readlink(join(root, 'etc/systemd/system/dev-disk-by\\x2duuid-2222.swap'))).toBe('/dev/null');
    expect(await readFile(join(root, 'etc/systemd/zram-generator.conf'), 'utf8')).toBe(ZRAM_CONFIG_WITHOUT_DEVICES);
    expect(second).toMatchObject({ reason: expect.stringContaining('2 swap units masked') });
  });

  it('kernel.modules persists the modules; then no-op', async () => {
    const procModules = KUBERNETES_MODULES.map((name) => `${name} 1 0 - Live 0x0\n`).join('');
    const { root, first, spawned } = await runTwice(kernelModules, facts, { '/proc/modules': procModules });
    expect(first).toMatchObject({ status: 'done', planned: [expect.stringContaining(MODULES_LOAD_PATH)] });
    expect(spawned).toEqual([]);
    expect(await readFile(join(root, MODULES_LOAD_PATH), 'utf8')).toBe(MODULES_LOAD_CONTENT);
    expect((await stat(join(root, MODULES_LOAD_PATH))).mode & 0o777).toBe(0o644);
  });

  it('sysctl.kubernetes persists and applies the settings; then no-op', async () => {
    const { root, first, spawned } = await runTwice(sysctlKubernetes, facts, {
      '/proc/sys/net/bridge/bridge-nf-call-iptables': '0\n',
      '/proc/sys/net/bridge/bridge-nf-call-ip6tables': '1\n',
      '/proc/sys/net/ipv4/ip_forward': '0\n',
    });
    expect(first).toMatchObject({ status: 'done' });
    expect((first as { planned: string[] }).planned).toHaveLength(3);
    expect(spawned).toEqual([]);
    expect(await readFile(join(root, SYSCTL_CONF_PATH), 'utf8')).toBe(SYSCTL_CONF_CONTENT);
    for (const key of ['bridge/bridge-nf-call-iptables', 'bridge/bridge-nf-call-ip6tables', 'ipv4/ip_forward']) {
      expect(await readFile(join(root, 'proc/sys/net', key), 'utf8')).toBe('1\n');
    }
  });

  it('net.wait-tcp waits for a loopback listener that starts late; then no-op', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    setTimeout(() => {
      const server = createServer((socket) => socket.destroy());
      servers.push(server);
      server.listen(port, '127.0.0.1');
    }, 300);
    const { first, second } = await runTwice(netWaitTcp, facts, {}, { host: '127.0.0.1', port, timeoutSeconds: 10 });
    expect(first).toMatchObject({ status: 'done', planned: [expect.stringContaining(`wait for 127.0.0.1:${port}`)] });
    expect(second).toMatchObject({ reason: `127.0.0.1:${port} already accepts TCP connections` });
  });
});
