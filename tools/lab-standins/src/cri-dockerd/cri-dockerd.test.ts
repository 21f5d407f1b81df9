import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CriCallError, criStatus, criVersion, runtimeCgroupDriver } from '../crictl/cri-client';
import { serveCri, type CriDockerdServer } from './server';
import { SystemInfoCache } from './system-info-cache';

/** A Docker Engine API on a real unix socket: /version and /info as dockerd 20.10 answers them. */
function fakeDockerd(socket: string, cgroupDriver: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const body = req.url === '/version' ? { Version: '20.10.24+dfsg1', ApiVersion: '1.41' } : req.url === '/info' ? { CgroupDriver: cgroupDriver, DockerRootDir: '/var/lib/docker' } : undefined;
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body ?? { message: 'page not found' }));
  });
  return new Promise((resolve) => server.listen(socket, () => resolve(server)));
}

describe('the lab cri-dockerd over the Docker API', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const scratch = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cri-dockerd-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  const startDockerd = async (dir: string, cgroupDriver = 'systemd'): Promise<http.Server> => {
    const docker = await fakeDockerd(path.join(dir, 'docker.sock'), cgroupDriver);
    cleanups.push(() => new Promise<void>((resolve) => (docker.listening ? docker.close(() => resolve()) : resolve())));
    return docker;
  };
  const serve = async (dir: string, release: string, cgroupDriver = 'systemd', systemInfoCache?: SystemInfoCache): Promise<{ cri: string; docker: http.Server }> => {
    const docker = await startDockerd(dir, cgroupDriver);
    const cri = path.join(dir, 'cri-dockerd.sock');
    const server: CriDockerdServer = await serveCri(`unix://${cri}`, { dockerSocket: path.join(dir, 'docker.sock'), cgroupDriver, release, podSandboxImage: '', cniConfDir: path.join(dir, 'net.d'), systemInfoCache }, path.join(dir, 'private'));
    cleanups.push(() => server.close());
    return { cri, docker };
  };

  it('reports runtime docker, its version, and the cgroup driver Docker had at start (RuntimeConfig from 0.3.17)', async () => {
    const dir = scratch();
    const { cri } = await serve(dir, '0.3.17');
    expect(await criVersion(cri)).toEqual({ version: '0.1.0', runtime_name: 'docker', runtime_version: '20.10.24+dfsg1', runtime_api_version: 'v1' });
    expect(await runtimeCgroupDriver(cri)).toBe('systemd');
    const status = await criStatus(cri, true);
    expect(status.status?.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([['RuntimeReady', true, ''], ['NetworkReady', false, 'NetworkPluginNotReady']]);
    expect(JSON.parse(status.info['config'] ?? '{}')).toEqual({ sandboxImage: 'registry.k8s.io/pause:3.9' });
    mkdirSync(path.join(dir, 'net.d'));
    writeFileSync(path.join(dir, 'net.d', '10-flannel.conflist'), '{}');
    expect((await criStatus(cri, false)).status?.conditions.every((c) => c.status)).toBe(true);
  });

  it('0.3.16 has no RuntimeConfig: the kubelet gets Unimplemented and the verbose status names no driver', async () => {
    const { cri } = await serve(scratch(), '0.3.16', 'cgroupfs');
    await expect(runtimeCgroupDriver(cri)).rejects.toThrow(/reports no cgroup driver/);
  });

  it('RuntimeReady turns false once dockerd stops answering (nothing remembered yet)', async () => {
    const { cri, docker } = await serve(scratch(), '0.3.17');
    await new Promise<void>((resolve) => docker.close(() => resolve()));
    const ready = (await criStatus(cri, false)).status?.conditions.find((c) => c.type === 'RuntimeReady');
    expect(ready?.status).toBe(false);
    expect(ready?.reason).toBe('DockerDaemonNotReady');
    const failed = await criVersion(cri).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(CriCallError);
    expect((failed as CriCallError).message).toMatch(/failed to get docker version from dockerd: Cannot connect to the Docker daemon/);
  });

  it("remembers dockerd's version for a minute (plus the call's time) and does not remember a failure", async () => {
    let now = 1_000_000;
    const dir = scratch();
    const { cri, docker } = await serve(dir, '0.3.17', 'systemd', new SystemInfoCache(60_000, () => now));
    expect((await criVersion(cri)).runtime_version).toBe('20.10.24+dfsg1');
    await new Promise<void>((resolve) => docker.close(() => resolve()));
    now += 59_000;
    // dockerd is gone, but the answer is younger than a minute: Version and RuntimeReady still hold.
    expect((await criVersion(cri)).runtime_version).toBe('20.10.24+dfsg1');
    expect((await criStatus(cri, false)).status?.conditions.find((c) => c.type === 'RuntimeReady')?.status).toBe(true);
    now += 1_001;
    const failed = await criVersion(cri).catch((error: unknown) => error);
    expect((failed as CriCallError).message).toMatch(/failed to get docker version from dockerd: Cannot connect to the Docker daemon/);
    // The failure is not cached: with dockerd back, the very next call (same clock) answers.
    await startDockerd(dir);
    expect((await criVersion(cri)).runtime_version).toBe('20.10.24+dfsg1');
  });
});
