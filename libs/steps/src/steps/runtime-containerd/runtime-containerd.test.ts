import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { localHost } from '../../host-reader';
import type { HostReader } from '../../step';
import { describeAction } from '../../plan';
import { CONTAINERD_KEY_PATHS, readPath, renderContainerdConfig } from '../../render/containerd-config';
import { debianFacts, rhelFacts } from '../../testing/host-facts';
import { fakeHost } from '../common/fake-host';
import { containerdSource, runtimeContainerdParams } from './params';
import type { RuntimeContainerdFacts } from './runtime-containerd';
import { runtimeContainerd } from './runtime-containerd';
import { sandboxImageFor } from './sandbox-image';

const dir = mkdtempSync(join(tmpdir(), 'kumi-containerd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const realDefaults = execFileSync('containerd', ['config', 'default'], { encoding: 'utf8' });
const v2 = { version: 2 as const, sandboxImage: 'registry.k8s.io/pause:3.10' };

function dumpOf(config: string): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, config);
  return execFileSync('containerd', ['--config', file, 'config', 'dump'], { encoding: 'utf8' });
}

describe('containerd configuration rendering', () => {
  it("version 2 from Debian's containerd 1.6 defaults: config dump shows SystemdCgroup = true", () => {
    expect(realDefaults).toMatch(/SystemdCgroup = false/);
    const dump = dumpOf(renderContainerdConfig(undefined, realDefaults, v2));
    expect(dump).toMatch(/^\s*SystemdCgroup = true$/m);
    expect(dump).not.toMatch(/SystemdCgroup = false/);
    expect(dump).toMatch(/^\s*sandbox_image = "registry.k8s.io\/pause:3.10"$/m);
    expect(readPath(parse(dump), CONTAINERD_KEY_PATHS[2].systemdCgroup)).toBe(true);
  });

  it('keeps local settings of an existing version 2 file and sets only what is missing', () => {
    const local = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n';
    const rendered = parse(renderContainerdConfig(local, realDefaults, v2));
    expect(readPath(rendered, ['plugins', 'io.containerd.grpc.v1.cri', 'registry', 'config_path'])).toBe('/etc/containerd/certs.d');
    expect(readPath(rendered, CONTAINERD_KEY_PATHS[2].systemdCgroup)).toBe(true);
  });

  it("re-enables CRI in containerd.io's shipped config (disabled_plugins = [\"cri\"], no version)", () => {
    const shipped = 'disabled_plugins = ["cri"]\n';
    const dump = dumpOf(renderContainerdConfig(shipped, realDefaults, v2));
    expect(dump).toMatch(/^disabled_plugins = \[\]$/m);
    expect(dump).toMatch(/^\s*SystemdCgroup = true$/m);
  });

  it('version 3 (containerd 2.x, whose defaults print no SystemdCgroup line) sets the exact key paths', () => {
    const v3Defaults = [
      'version = 3',
      'disabled_plugins = ["io.containerd.cri.v1.runtime"]',
      "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
      "  runtime_type = 'io.containerd.runc.v2'",
      "  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
      "    BinaryName = ''",
      '',
    ].join('\n');
    expect(v3Defaults).not.toContain('SystemdCgroup');
    const rendered = parse(renderContainerdConfig(undefined, v3Defaults, { version: 3, sandboxImage: 'registry.k8s.io/pause:3.10.1' }));
    const runc = (((rendered['plugins'] as Record<string, unknown>)['io.containerd.cri.v1.runtime'] as Record<string, unknown>)['containerd'] as Record<string, unknown>)['runtimes'] as Record<string, Record<string, Record<string, unknown>>>;
    expect(runc['runc']?.['options']?.['SystemdCgroup']).toBe(true);
    expect(runc['runc']?.['options']?.['BinaryName']).toBe('');
    expect(readPath(rendered, ['plugins', 'io.containerd.cri.v1.images', 'pinned_images', 'sandbox'])).toBe('registry.k8s.io/pause:3.10.1');
    expect(rendered['disabled_plugins']).toEqual([]);
    expect(rendered['version']).toBe(3);
  });

  it('matches the pause tag to the Kubernetes minor', () => {
    expect(sandboxImageFor('1.30.4')).toBe('registry.k8s.io/pause:3.9');
    expect(sandboxImageFor('1.33.2')).toBe('registry.k8s.io/pause:3.10');
    expect(sandboxImageFor('1.35.0')).toBe('registry.k8s.io/pause:3.10.1');
  });
});

describe('runtime.containerd plan', () => {
  const params = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2' });
  const configured = renderContainerdConfig(undefined, realDefaults, v2);
  const settled: RuntimeContainerdFacts = {
    packages: 'apt',
    containerdVersion: '1.6.20~ds1',
    config: configured,
    defaults: realDefaults,
    sandboxImage: 'registry.k8s.io/pause:3.10',
    dockerRepo: undefined,
    service: { active: true, enabled: true },
    daemon: { criServed: true, running: { runtimeReady: true, cgroupDriver: 'systemd', sandboxImage: 'registry.k8s.io/pause:3.10' } },
  };
  const lines = (facts: RuntimeContainerdFacts, p = params): string[] =>
    runtimeContainerd.plan(facts, p, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');

  // Facts taken before the install: not installed, not running. apt's postinst starts the
  // daemon on the package config, so only a restart makes it read kumi's file.
  it("first run on Debian: install (postinst starts containerd on the package's config), write, restart", () => {
    const fresh = { ...settled, containerdVersion: undefined, config: undefined, defaults: 'version = 2\n', service: { active: false, enabled: false }, daemon: undefined };
    expect(lines(fresh)).toEqual([
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages containerd',
      'write /etc/containerd/config.toml',
      'run systemctl restart containerd',
    ]);
  });

  it("first run on Debian from Docker's repository: containerd.io's postinst starts it with CRI disabled, so restart", () => {
    const docker = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', source: 'docker' });
    const fresh: RuntimeContainerdFacts = {
      ...settled,
      containerdVersion: undefined,
      config: undefined,
      defaults: 'version = 2\n',
      dockerRepo: { keyPresent: true, source: undefined, wanted: 'deb ...', distro: 'debian', curl: true },
      service: { active: false, enabled: false },
      daemon: undefined,
    };
    expect(lines(fresh, docker)).toEqual([
      'write /etc/apt/sources.list.d/docker.list',
      'run apt-get update',
      'run env DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-change-held-packages containerd.io',
      'write /etc/containerd/config.toml',
      'run systemctl restart containerd',
    ]);
  });

  it('file already right but the daemon still runs the package config: restart only, saying why', () => {
    const cases: Array<[RuntimeContainerdFacts['daemon'], string]> = [
      [{ criServed: false, running: undefined }, 'the running containerd has its CRI plugin disabled (started on an older configuration)'],
      [{ criServed: true, running: { runtimeReady: true, cgroupDriver: 'cgroupfs', sandboxImage: 'registry.k8s.io/pause:3.6' } }, 'the running containerd still uses the cgroupfs cgroup driver (started on an older configuration)'],
    ];
    for (const packages of ['apt', 'dnf'] as const) {
      for (const [daemon, why] of cases) {
        const plan = runtimeContainerd.plan({ ...settled, packages, daemon }, params, {});
        expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual(['run systemctl restart containerd']);
        expect(plan.actions[0]?.why).toBe(why);
      }
    }
  });

  it("first run on RHEL from Docker's repository: dnf starts nothing (presets), so enable and start", () => {
    const docker = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', source: 'docker' });
    const fresh: RuntimeContainerdFacts = {
      ...settled,
      packages: 'dnf',
      containerdVersion: undefined,
      config: 'disabled_plugins = ["cri"]\n',
      defaults: 'version = 2\n',
      dockerRepo: { keyPresent: true, source: undefined, wanted: 'repo', distro: 'rhel', curl: true },
      service: { active: false, enabled: false },
      daemon: undefined,
    };
    expect(lines(fresh, docker)).toEqual([
      'write /etc/yum.repos.d/docker-ce.repo',
      'run dnf install -y containerd.io',
      'write /etc/containerd/config.toml',
      'run systemctl enable containerd',
      'run systemctl start containerd',
    ]);
  });

  it('second run is a noop with its reason on both families', () => {
    for (const packages of ['apt', 'dnf'] as const) {
      const plan = runtimeContainerd.plan({ ...settled, packages }, params, {});
      expect(plan.actions).toEqual([]);
      expect(plan.noop).toBe('containerd 1.6.20~ds1 already running with SystemdCgroup = true, CRI enabled and sandbox registry.k8s.io/pause:3.10');
    }
  });

  it('SystemdCgroup switched off by hand: rewrite and restart, nothing else', () => {
    const plan = runtimeContainerd.plan({ ...settled, config: configured.replace('SystemdCgroup = true', 'SystemdCgroup = false') }, params, {});
    expect(plan.actions.map((action) => describeAction(action).split('  #')[0])).toEqual([
      'write /etc/containerd/config.toml',
      'run systemctl restart containerd',
    ]);
    expect(plan.actions[0]?.why).toBe('containerd lacks SystemdCgroup = true');
  });

  it('containerd 2.x keeps a valid version 2 file (2.x reads it) instead of churning', () => {
    expect(lines({ ...settled, containerdVersion: '2.1.3' })).toEqual([]);
  });

  /**
   * The real containerd binary reads the file (`config dump`); the daemon's answers are the
   * real ones of containerd 1.6.20 (testdata: `ctr plugins ls` and crictl info captured from
   * daemons started on each config with tools/lab-standins' crictl, which speaks the CRI).
   */
  const testdata = (name: string): string => readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8');
  const withDaemon = (host: HostReader, ctrPlugins: string, crictlInfo: string | undefined): HostReader => ({
    ...host,
    probe: (argv, stdin) => {
      if (argv[0] === 'ctr') return Promise.resolve({ exitCode: 0, stdout: testdata(ctrPlugins), stderr: '' });
      if (argv[0] === 'crictl' && crictlInfo === undefined) return Promise.resolve({ exitCode: -1, stdout: '', stderr: 'crictl: Command failed with ENOENT' });
      if (argv.join(' ') === 'crictl --version') return Promise.resolve({ exitCode: 0, stdout: 'crictl version v1.33.0\n', stderr: '' });
      if (argv[0] === 'crictl') return Promise.resolve({ exitCode: 0, stdout: testdata(crictlInfo ?? ''), stderr: '' });
      return host.probe(argv, stdin);
    },
  });

  it('check reads the running daemon; outputs check the file and the daemon through its CRI', async () => {
    const configPath = join(dir, 'real.toml');
    writeFileSync(configPath, configured);
    const real = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', configPath, sandboxImage: 'registry.k8s.io/pause:3.10' });
    const local = localHost('/', debianFacts);
    const host = withDaemon(local, 'ctr-plugins-ls-kumi.txt', 'crictl-info-kumi.json');
    const facts = { ...(await runtimeContainerd.check(host, real, {})), service: { active: true, enabled: true } };
    expect(facts.containerdVersion).toMatch(/^1\.6\./);
    expect(facts.config).toBe(configured);
    const outputs = await runtimeContainerd.outputs!(host, real, facts);
    expect(outputs).toMatchObject({ configVersion: 2, systemdCgroup: true, sandboxImage: 'registry.k8s.io/pause:3.10', checkedThrough: 'crictl info' });
    await expect(runtimeContainerd.outputs!(withDaemon(local, 'ctr-plugins-ls-kumi.txt', undefined), real, facts)).resolves.toMatchObject({ checkedThrough: 'ctr plugins ls' });
    // The file is right, the daemon is not: it still runs the package's config.
    await expect(runtimeContainerd.outputs!(withDaemon(local, 'ctr-plugins-ls-debian-package.txt', 'crictl-info-debian-package.json'), real, facts)).rejects.toThrow(
      /crictl info of the running containerd: runc runs with the cgroupfs cgroup driver, not systemd \(the kubelet's\); its sandbox image is registry.k8s.io\/pause:3.6/,
    );
    await expect(runtimeContainerd.outputs!(withDaemon(local, 'ctr-plugins-ls-containerd-io-package.txt', undefined), real, facts)).rejects.toThrow(/no CRI plugin loaded .*\[ERROR CRI\]/);
    writeFileSync(configPath, configured.replace('SystemdCgroup = true', 'SystemdCgroup = false'));
    await expect(runtimeContainerd.outputs!(host, real, facts)).rejects.toThrow(/SystemdCgroup = false/);
  });

  it("containerd 2.x with kumi's first-run file (version 2): outputs name the file's version, not the migrated dump's", async () => {
    // Real answers of containerd 2.1.9 (Debian's build) on the file the first run writes before
    // the install, when the version is not known yet: its config dump migrates it to version 3.
    const firstRun = renderContainerdConfig(undefined, 'version = 2\n', v2);
    const configPath = join(dir, 'first-run.toml');
    writeFileSync(configPath, firstRun);
    const real = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', configPath, sandboxImage: 'registry.k8s.io/pause:3.10' });
    const host = fakeHost(rhelFacts, { [configPath]: firstRun }, {
      'containerd --version': 'containerd github.com/containerd/containerd/v2 2.1.9+unknown \n',
      [`containerd --config ${configPath} config dump`]: testdata('config-dump-containerd-2.1.9-of-kumi-v2.toml'),
      'ctr --address /run/containerd/containerd.sock plugins ls': testdata('ctr-plugins-ls-kumi-containerd-2.1.9.txt'),
      'crictl --version': 'crictl version v1.33.0\n',
      'crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock info': testdata('crictl-info-kumi-containerd-2.1.9.json'),
    });
    const facts: RuntimeContainerdFacts = { ...settled, packages: 'dnf', containerdVersion: '2.1.9+unknown', config: firstRun };
    expect(parse(testdata('config-dump-containerd-2.1.9-of-kumi-v2.toml'))['version']).toBe(3);
    await expect(runtimeContainerd.outputs!(host, real, facts)).resolves.toEqual({
      containerdVersion: '2.1.9+unknown',
      configVersion: 2,
      systemdCgroup: true,
      sandboxImage: 'registry.k8s.io/pause:3.10',
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      checkedThrough: 'crictl info',
    });
  });

  it('refuses explicit distro containerd on RHEL with a fix', async () => {
    const distro = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2', source: 'distro' });
    await expect(runtimeContainerd.check(fakeHost(rhelFacts), distro, {})).rejects.toThrow(/Fix: set source: docker or auto/);
  });

  it("source auto (the default): Docker's repository on dnf hosts, the distribution on apt hosts", async () => {
    expect(params.source).toBe('auto');
    expect(containerdSource('dnf', 'auto')).toBe('docker');
    expect(containerdSource('apt', 'auto')).toBe('distro');
    expect(containerdSource('dnf', 'distro')).toBe('distro');
    expect(containerdSource('apt', 'docker')).toBe('docker');
    const rocky = await runtimeContainerd.check(fakeHost(rhelFacts), { ...params, sandboxImage: 'registry.k8s.io/pause:3.10' }, {});
    expect(rocky).toMatchObject({ packages: 'dnf', containerdVersion: undefined, dockerRepo: { distro: 'rhel', source: undefined } });
    expect(rocky.dockerRepo?.wanted).toContain('baseurl=https://download.docker.com/linux/rhel/$releasever/$basearch/stable');
    const debian = await runtimeContainerd.check(fakeHost(debianFacts), { ...params, sandboxImage: 'registry.k8s.io/pause:3.10' }, {});
    expect(debian.dockerRepo).toBeUndefined();
  });
});

/** Rocky 9 with the default source (auto): the seed's control planes. */
describe('runtime.containerd plan on a dnf host, source auto', () => {
  const params = runtimeContainerdParams.parse({ kubernetesVersion: '1.33.2' });
  const configured = renderContainerdConfig(undefined, realDefaults, v2);
  const repo = { keyPresent: true, source: undefined, wanted: '[docker-ce-stable]\n', distro: 'rhel', curl: true };
  const settled: RuntimeContainerdFacts = {
    packages: 'dnf',
    containerdVersion: '1.7.27',
    config: configured,
    defaults: realDefaults,
    sandboxImage: 'registry.k8s.io/pause:3.10',
    dockerRepo: { ...repo, source: repo.wanted },
    service: { active: true, enabled: true },
    daemon: { criServed: true, running: { runtimeReady: true, cgroupDriver: 'systemd', sandboxImage: 'registry.k8s.io/pause:3.10' } },
  };
  const lines = (facts: RuntimeContainerdFacts): string[] => runtimeContainerd.plan(facts, params, {}).actions.map((action) => describeAction(action).split('  #')[0] ?? '');

  it("first run: Docker's repo, dnf install containerd.io (starts nothing), write the config, enable and start", () => {
    const fresh: RuntimeContainerdFacts = { ...settled, containerdVersion: undefined, config: undefined, defaults: 'version = 2\n', dockerRepo: repo, service: { active: false, enabled: false }, daemon: undefined };
    expect(lines(fresh)).toEqual([
      'write /etc/yum.repos.d/docker-ce.repo',
      'run dnf install -y containerd.io',
      'write /etc/containerd/config.toml',
      'run systemctl enable containerd',
      'run systemctl start containerd',
    ]);
  });

  it('second run: noop', () => {
    const plan = runtimeContainerd.plan(settled, params, {});
    expect(plan.actions).toEqual([]);
    expect(plan.noop).toMatch(/^containerd 1\.7\.27 already running with SystemdCgroup = true/);
  });

  it("drift: containerd.io's shipped config back in place on a running daemon: rewrite and restart", () => {
    const shipped = { ...settled, config: 'disabled_plugins = ["cri"]\n', daemon: { criServed: false, running: undefined } };
    expect(lines(shipped)).toEqual(['write /etc/containerd/config.toml', 'run systemctl restart containerd']);
  });

  it('drift: stopped and disabled by hand: enable and start, no rewrite', () => {
    expect(lines({ ...settled, service: { active: false, enabled: false }, daemon: undefined })).toEqual(['run systemctl enable containerd', 'run systemctl start containerd']);
  });
});
