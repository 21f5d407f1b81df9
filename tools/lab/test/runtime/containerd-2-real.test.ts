// runtime.containerd against a REAL containerd 2.x (Debian's newest 2.x build, which tools/setup.sh
// unpacks into /var/cache/kumi-lab/containerd-2.x without installing it): the step's own check,
// plan and outputs run on this machine, their commands go to the 2.x binaries and to a scratch
// daemon (own root, state and sockets under /var/tmp), and `crictl` is the lab's crictl, which
// speaks the CRI to that daemon. Root only (containerd mounts); skipped loudly without the cache.
// Costs about 5 s.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse, stringify, type TomlTable } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { localHost } from '../../../../libs/steps/src/host-reader';
import { describeAction } from '../../../../libs/steps/src/plan';
import { CONTAINERD_KEY_PATHS, readPath } from '../../../../libs/steps/src/render/containerd-config';
import type { HostReader } from '../../../../libs/steps/src/step';
import { runtimeContainerdParams } from '../../../../libs/steps/src/steps/runtime-containerd/params';
import { runtimeContainerd, type RuntimeContainerdFacts } from '../../../../libs/steps/src/steps/runtime-containerd/runtime-containerd';
import { rhelFacts } from '../../../../libs/steps/src/testing/host-facts';
import { crictlMain } from '@kumi/lab-standins/crictl/crictl';
import { CONTAINERD2_CACHE, cachedContainerd2Version } from '@kumi/lab-standins/packages/containerd-io-2';

const version = process.getuid?.() === 0 ? cachedContainerd2Version() : undefined;
const skip = process.getuid?.() !== 0 ? 'not root' : version === undefined ? `no containerd 2.x in ${CONTAINERD2_CACHE} (run tools/setup.sh as root)` : undefined;
if (skip) console.warn(`\n*** SKIPPED: runtime.containerd on a real containerd 2.x (${skip}) ***\n`);

const BIN = path.join(CONTAINERD2_CACHE, 'usr/bin');
const SANDBOX = 'registry.k8s.io/pause:3.10';
/** containerd.io's shipped config.toml, the lab payload (docker/containerd-packaging common/containerd.toml). */
const CONTAINERD_IO_CONFIG = readFileSync(path.join(import.meta.dirname, '../../../lab-standins/src/packages/package/containerd.io/etc/containerd/config.toml'), 'utf8');

/** A containerd 2.x daemon on `dir/config.toml`, the paths it writes moved into `dir`. */
class ScratchDaemon {
  readonly dir = mkdtempSync('/var/tmp/kumi-containerd2-');
  readonly configPath = path.join(this.dir, 'config.toml');
  readonly socket = path.join(this.dir, 'containerd.sock');
  #child: ChildProcess | undefined;
  log = '';

  /** Writes `config` with the scratch paths set structurally (root, state, sockets, NRI, opt). */
  write(config: string): void {
    const table = parse(config);
    const section = (parent: TomlTable, key: string): TomlTable => (parent[key] ??= {}) as TomlTable;
    table['root'] = path.join(this.dir, 'root');
    table['state'] = path.join(this.dir, 'state');
    section(table, 'grpc')['address'] = this.socket;
    section(table, 'ttrpc')['address'] = `${this.socket}.ttrpc`;
    const plugins = section(table, 'plugins');
    section(plugins, 'io.containerd.nri.v1.nri')['socket_path'] = path.join(this.dir, 'nri.sock');
    section(plugins, 'io.containerd.internal.v1.opt')['path'] = path.join(this.dir, 'opt');
    writeFileSync(this.configPath, stringify(table));
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null;
  }

  /** (Re)starts the daemon on the file as it is now: what `systemctl restart containerd` does. */
  async restart(): Promise<void> {
    await this.stop();
    rmSync(this.socket, { force: true });
    const child = spawn(path.join(BIN, 'containerd'), ['--config', this.configPath], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PATH: `${BIN}:${process.env.PATH}` } });
    this.#child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.log = (this.log + chunk.toString()).slice(-20_000)));
    // Up to 10 s for the API socket (opened once every plugin has loaded).
    for (let tries = 0; tries < 100 && !existsSync(this.socket) && child.exitCode === null; tries += 1) await delay(100);
    if (!existsSync(this.socket)) throw new Error(`containerd 2.x did not start: ${this.log.slice(-600)}`);
  }

  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // containerd stops within a second or two; one that hangs gets SIGKILL after 5 s.
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * This machine as the step sees a Rocky host running this daemon as containerd.service: the
   * step's commands run for real, containerd/ctr are the 2.x binaries, the daemon's socket is
   * the scratch one, crictl is the lab's, systemctl answers for this daemon.
   */
  host(): HostReader {
    const local = localHost('/', rhelFacts);
    // containerd's socket as ctr (/run/...) and the CRI endpoint (unix:///var/run/...) name it.
    const socket = (arg: string): string => arg.replace(/(\/var)?\/run\/containerd\/containerd\.sock/, this.socket);
    return {
      ...local,
      probe: async (argv, stdin) => {
        const [command, ...rest] = argv.map(socket);
        if (command === 'systemctl') {
          const active = rest[0] === 'is-active' ? (this.running ? 'active' : 'inactive') : 'enabled';
          return { exitCode: active === 'inactive' ? 3 : 0, stdout: `${active}\n`, stderr: '' };
        }
        if (command === 'crictl') {
          if (rest[0] === '--version') return { exitCode: 0, stdout: 'crictl version v1.33.0\n', stderr: '' };
          let stdout = '';
          let stderr = '';
          const exitCode = await crictlMain(rest, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
          return { exitCode, stdout, stderr };
        }
        if (command === 'containerd' || command === 'ctr') return local.probe([path.join(BIN, command), ...rest], stdin);
        return local.probe([command ?? '', ...rest], stdin);
      },
    };
  }
}

/** The lab's crictl info of the daemon: the runc options it runs with. */
async function runcOptions(daemon: ScratchDaemon): Promise<Record<string, unknown>> {
  let out = '';
  const code = await crictlMain(['--runtime-endpoint', `unix://${daemon.socket}`, 'info'], { out: (t) => (out += t), err: () => undefined });
  expect(code).toBe(0);
  const info = JSON.parse(out) as { config: { containerd: { runtimes: { runc: { options: Record<string, unknown> } } } } };
  return info.config.containerd.runtimes.runc.options;
}

function dumpOf(file: string): TomlTable {
  return parse(execFileSync(path.join(BIN, 'containerd'), ['--config', file, 'config', 'dump'], { encoding: 'utf8' }));
}

describe.skipIf(skip !== undefined).sequential(`runtime.containerd on a real containerd ${version ?? '2.x'}`, () => {
  const daemons: ScratchDaemon[] = [];
  const daemon = (): ScratchDaemon => {
    const made = new ScratchDaemon();
    daemons.push(made);
    return made;
  };
  afterAll(async () => {
    for (const made of daemons) await made.remove();
  });

  it("a host running Docker's containerd.io 2.x on its package config: kumi writes version 3, 2.x validates it, serves the CRI with systemd cgroups", async () => {
    const running = daemon();
    running.write(CONTAINERD_IO_CONFIG);
    await running.restart();
    const host = running.host();
    const params = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', source: 'docker', sandboxImage: SANDBOX, configPath: running.configPath });
    const facts = await runtimeContainerd.check(host, params, {});
    expect(facts).toMatchObject({ containerdVersion: expect.stringMatching(/^2\./), daemon: { criServed: false, running: undefined } });
    expect(facts.defaults).toMatch(/^version = 3$/m);

    const plan = runtimeContainerd.plan(facts, params, {});
    expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual([`write ${running.configPath}`, 'run systemctl restart containerd']);
    const written = plan.actions[0]?.kind === 'write' ? String(plan.actions[0].content) : '';
    // The file exactly as kumi writes it: containerd 2.x reads it, with kumi's settings where 2.x looks for them.
    const literal = path.join(running.dir, 'as-written.toml');
    writeFileSync(literal, written);
    const dump = dumpOf(literal);
    expect(parse(written)['version']).toBe(3);
    expect(dump['version']).toBe(3);
    expect(readPath(dump, CONTAINERD_KEY_PATHS[3].systemdCgroup)).toBe(true);
    expect(readPath(dump, CONTAINERD_KEY_PATHS[3].runtimeType)).toBe('io.containerd.runc.v2');
    expect(readPath(dump, CONTAINERD_KEY_PATHS[3].sandboxImage)).toBe(SANDBOX);
    expect(dump['disabled_plugins']).toEqual([]);

    running.write(written);
    await running.restart();
    expect(await runcOptions(running)).toMatchObject({ SystemdCgroup: true });
    await expect(runtimeContainerd.outputs!(host, params, facts)).resolves.toMatchObject({ configVersion: 3, systemdCgroup: true, sandboxImage: SANDBOX, checkedThrough: 'crictl info' });
    // Running the plan and planning again gives an empty plan.
    expect(runtimeContainerd.plan(await runtimeContainerd.check(host, params, {}), params, {}).actions).toEqual([]);
    expect(running.log).not.toMatch(/Configuration migrated/);
  });

  it('the file kumi writes before installing (version 2, any containerd reads it): 2.x migrates it and runs runc with systemd cgroups', async () => {
    const params = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', sandboxImage: SANDBOX });
    const fresh: RuntimeContainerdFacts = {
      packages: 'dnf',
      containerdVersion: undefined,
      config: undefined,
      defaults: 'version = 2\n',
      sandboxImage: SANDBOX,
      dockerRepo: { keyPresent: true, source: undefined, wanted: '[docker-ce-stable]\n', distro: 'rhel', curl: true },
      service: { active: false, enabled: false },
      daemon: undefined,
    };
    const write = runtimeContainerd.plan(fresh, params, {}).actions.find((action) => action.kind === 'write' && action.path === params.configPath);
    const written = write?.kind === 'write' ? String(write.content) : '';
    expect(parse(written)['version']).toBe(2);

    const installed = daemon();
    installed.write(written);
    await installed.restart();
    expect(await runcOptions(installed)).toMatchObject({ SystemdCgroup: true });
    const host = installed.host();
    const onHost = { ...params, configPath: installed.configPath };
    const facts = await runtimeContainerd.check(host, onHost, {});
    // The outputs name the file's schema version, not the one config dump migrated it to.
    await expect(runtimeContainerd.outputs!(host, onHost, facts)).resolves.toMatchObject({ containerdVersion: expect.stringMatching(/^2\./), configVersion: 2, systemdCgroup: true, checkedThrough: 'crictl info' });
    // 2.x reads version 2: the next run keeps the file and the running daemon.
    expect(runtimeContainerd.plan(facts, onHost, {}).actions).toEqual([]);
    expect(installed.log).toMatch(/Configuration migrated from version 2/);
  });
});
