import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { crictlMain } from './crictl';
import { runtimeCgroupDriver } from './cri-client';
import type { ScratchContainerd } from './real-containerd';
import { scratchConfig, startScratchContainerd } from './real-containerd';

// Costs about 3 s: real containerd daemons (the machine's Debian 1.6.20) started in /var/tmp.
// Debian's conffile must be the package's own (dpkg's md5 for containerd 1.6.20~ds1-1+deb12u3).
const haveContainerd = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('containerd', ['--version'], { stdio: 'pipe' });
    return createHash('md5').update(readFileSync('/etc/containerd/config.toml')).digest('hex') === '773cf1c5a249197a8ef37a08ac168414';
  } catch {
    return false;
  }
})();

async function crictl(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await crictlMain(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const SYSTEMD = [
  'version = 2',
  '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
  '  SystemdCgroup = true',
].join('\n');

describe.skipIf(!haveContainerd)('crictl over the CRI of the real containerd', () => {
  const daemons: ScratchContainerd[] = [];
  afterAll(async () => {
    for (const daemon of daemons) await daemon.remove();
  });

  it("info prints crictl's JSON; the runtime keeps the config it started with until it restarts", async () => {
    // Debian's package config (bookworm's containerd conffile, as on this machine): CRI on, runc without SystemdCgroup (so cgroupfs).
    const daemon = await startScratchContainerd(readFileSync('/etc/containerd/config.toml', 'utf8'));
    daemons.push(daemon);
    const endpoint = `unix://${daemon.socket}`;
    const first = await crictl(['--runtime-endpoint', endpoint, 'info']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const info = JSON.parse(first.out) as Record<string, unknown> & { status: { conditions: { type: string; status: boolean }[] }; config: { containerd: { runtimes: { runc: { options: { SystemdCgroup: boolean } } } }; sandboxImage: string } };
    // Keys sorted as Go's encoding/json writes a map; two-space indent.
    expect(Object.keys(info)).toEqual([...Object.keys(info)].sort());
    expect(first.out).toMatch(/^{\n {2}"cniconfig": {/);
    expect(info.status.conditions.find((c) => c.type === 'RuntimeReady')?.status).toBe(true);
    expect(info.config.containerd.runtimes.runc.options.SystemdCgroup).toBe(false);
    expect(info.config.sandboxImage).toBe('registry.k8s.io/pause:3.6');
    expect(await runtimeCgroupDriver(daemon.socket)).toBe('cgroupfs');

    writeFileSync(daemon.configPath, scratchConfig(daemon.dir, SYSTEMD));
    expect(await runtimeCgroupDriver(daemon.socket)).toBe('cgroupfs');
    await daemon.restart();
    expect(await runtimeCgroupDriver(daemon.socket)).toBe('systemd');

    const version = await crictl(['-r', endpoint, 'version']);
    expect(version.out).toMatch(/^Version: {2}0\.1\.0\nRuntimeName: {2}containerd\nRuntimeVersion: {2}1\.6\.\S+\nRuntimeApiVersion: {2}v1\n$/);
  });

  it("with containerd.io's shipped config (disabled_plugins = [\"cri\"]) the CRI does not answer and crictl fails as the real one", async () => {
    // The lab's containerd.io payload: no version line (version 1, where the short plugin name is valid).
    const payload = fileURLToPath(new URL('../packages/package/containerd.io/etc/containerd/config.toml', import.meta.url));
    const daemon = await startScratchContainerd(readFileSync(payload, 'utf8'));
    daemons.push(daemon);
    const result = await crictl(['--runtime-endpoint', `unix://${daemon.socket}`, 'info']);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toMatch(
      /^time="[^"]+" level=error msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:\/\/\S+containerd.sock\\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"\n$/,
    );
    await expect(runtimeCgroupDriver(daemon.socket)).rejects.toThrow(/Unimplemented/);
  });
});
