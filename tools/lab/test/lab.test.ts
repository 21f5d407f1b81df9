// The lab for real: namespaces, bridge, overlays, HAProxy + keepalived failover, stand-ins, and
// a clean teardown (also after the runner is killed mid-up). Root only; skipped loudly otherwise.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAnchorPids } from '../src/host-anchor';
import { parseClockShift, shiftLabClock } from '@kumi/lab-standins/host/lab-clock';
import { bootHost, killHost, setPartitioned } from '../src/host-lifecycle';
import { inCoordinator, inHost, startInHost, stopInHost, writeHostFile } from '../src/in-host';
import { labDown } from '../src/lab-down';
import { hostFilePath } from '../src/lab-paths';
import { readLabState } from '../src/lab-state';
import { labUp } from '../src/lab-up';
import { forwardGuardDrops, inSwitchArgv } from '../src/network';
import { run } from '../src/run-command';
import { bareSeedTopology, type Topology } from '../src/topology';
import { labNetNamespaces, labSkipReason, leftovers, machineSnapshot, type MachineSnapshot } from './lab-checks';

const skip = labSkipReason();
if (skip) console.warn(`\n*** SKIPPED: kumi lab tests (${skip}) ***\n`);

const LAB_DIR = `/var/tmp/kumi-lab-test-${process.pid}`;
process.env.KUMI_LAB_DIR = LAB_DIR;

function keepalivedConf(host: string, priority: number, state: 'MASTER' | 'BACKUP'): string {
  return [
    'global_defs {',
    `  router_id ${host}`,
    '}',
    'vrrp_instance VI_1 {',
    `  state ${state}`,
    '  interface eth0',
    '  virtual_router_id 51',
    `  priority ${priority}`,
    '  advert_int 1',
    '  virtual_ipaddress {',
    '    192.0.2.100/24',
    '  }',
    '}',
    '',
  ].join('\n');
}

function whoamiHaproxyConf(host: string): string {
  return [
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 5s',
    'frontend whoami',
    '  bind :8404',
    `  http-request return status 200 content-type text/plain string "${host}"`,
    '',
  ].join('\n');
}

/** Who answers on the VIP, seen from the coordinator side ('' when nobody). */
async function vipAnswer(): Promise<string> {
  const r = await inCoordinator(['curl', '-s', '-m', '0.25', 'http://192.0.2.100:8404/'], { timeoutMs: 3000 });
  return r.exitCode === 0 ? String(r.stdout).trim() : '';
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function sh(host: string, script: string): Promise<{ code: number; out: string; err: string }> {
  const r = await inHost(host, ['sh', '-c', script], { timeoutMs: 20_000 });
  return { code: r.exitCode ?? -1, out: String(r.stdout), err: String(r.stderr) };
}

/** The seed's hosts without firewalls; master3 is a Rocky 9 host, so both package managers are tried. */
const TOPOLOGY: Topology = (() => {
  const bare = bareSeedTopology();
  return { ...bare, hosts: bare.hosts.map((host) => (host.name === 'master3' ? { ...host, os: 'rocky-9' as const } : host)) };
})();

describe.skipIf(skip !== undefined).sequential('the lab (seed topology)', () => {
  let before: MachineSnapshot;
  let netNs = new Set<string>();
  let upMs = 0;

  beforeAll(async () => {
    before = machineSnapshot();
    await labDown();
    const result = await labUp({ topology: TOPOLOGY });
    upMs = result.ms;
    netNs = labNetNamespaces();
    console.log(`lab up (6 hosts): ${upMs} ms`);
  }, 60_000);

  afterAll(async () => {
    await labDown();
  }, 30_000);

  it('boots every host in its own namespaces: name, address, private /etc', async () => {
    const state = readLabState();
    expect(state?.phase).toBe('up');
    expect(Object.keys(state?.hosts ?? {}).sort()).toEqual(['lb1', 'lb2', 'master1', 'master2', 'master3', 'worker1']);
    expect(netNs.size).toBe(7);
    const m1 = await sh('master1', 'hostname; ip -4 -o addr show eth0; echo only-here > /etc/kumi-lab-probe; cat /etc/kumi-lab/host.json');
    expect(m1.out).toContain('master1\n');
    expect(m1.out).toContain('inet 192.0.2.21/24');
    expect(JSON.parse(m1.out.slice(m1.out.indexOf('{'))).vip).toBe('192.0.2.100');
    expect(existsSync('/etc/kumi-lab-probe')).toBe(false);
    expect(existsSync(hostFilePath('master1', '/etc/kumi-lab-probe'))).toBe(true);
    expect((await sh('master2', 'cat /etc/kumi-lab-probe')).code).not.toBe(0);
    // root's home is private too: kubeadm.admin-kubeconfig writes /root/.kube/config per host.
    await sh('master1', 'mkdir -p /root/.kube && echo master1 > /root/.kube/kumi-lab-probe');
    expect(existsSync('/root/.kube/kumi-lab-probe')).toBe(false);
    expect((await sh('master2', 'cat /root/.kube/kumi-lab-probe')).code).not.toBe(0);
    // Hosts reach each other and the coordinator side over the bridge.
    expect((await sh('worker1', 'curl -s -m 2 -o /dev/null http://192.0.2.21:1/ ; echo $?')).out.trim()).toBe('7');
  });

  it('keeps every packet on the bridge: only 192.0.2.0/24 routes, no uplink, guard counters at zero', async () => {
    for (const host of ['lb1', 'master1', 'worker1']) {
      const routes = await sh(host, 'ip -4 route show table main; echo ---; ip -4 route get 198.51.100.7 2>&1; ip -o link show | wc -l');
      const [main, rest] = routes.out.split('---\n') as [string, string];
      expect(main.trim()).toBe(`192.0.2.0/24 dev eth0 proto kernel scope link src ${host === 'lb1' ? '192.0.2.11' : host === 'master1' ? '192.0.2.21' : '192.0.2.31'}`);
      expect(rest).toContain('Network is unreachable');
      expect(rest.trim().split('\n').pop()).toBe('2'); // lo and eth0
    }
    const sw = readLabState()?.switch;
    expect(sw).toBeDefined();
    const swLinks = await run(inSwitchArgv(sw!.pid, ['ip', '-o', 'link', 'show']));
    const names = swLinks.split('\n').map((l) => l.split(':')[1]?.trim().split('@')[0]);
    expect(names.filter((n) => n !== 'lo' && n !== 'kumilab0' && !n?.startsWith('klab-'))).toEqual([]);
    expect((await run(inSwitchArgv(sw!.pid, ['ip', '-4', 'route', 'show', 'table', 'main']))).trim()).toBe('192.0.2.0/24 dev kumilab0 proto kernel scope link src 192.0.2.1');
    expect((await run(inSwitchArgv(sw!.pid, ['cat', '/proc/sys/net/ipv4/ip_forward']))).trim()).toBe('0');
    expect(await forwardGuardDrops(sw!.pid)).toBe(0);
    // Nothing of the lab in the machine's own namespace.
    expect(machineSnapshot().links).toBe(before.links);
    expect(machineSnapshot().routes).toBe(before.routes);
  });

  it('runs the stand-ins: systemctl over unit files, apt-get/apt-mark/dpkg-query/dnf, swapon/swapoff, lab clock', async () => {
    await writeHostFile('worker1', '/usr/lib/systemd/system/demo.service', '[Unit]\nDescription=demo\n[Service]\nExecStart=/usr/bin/sleep 300\n[Install]\nWantedBy=multi-user.target\n', 0o644);
    const svc = await sh(
      'worker1',
      [
        'systemctl is-active demo; systemctl enable --now demo 2>&1; systemctl is-active demo; systemctl is-enabled demo',
        'pid=$(systemctl show -p MainPID --value demo); tr "\\0" " " < /proc/$pid/cmdline; echo',
        'systemctl stop demo; systemctl is-active demo; systemctl mask demo 2>&1; systemctl start demo; echo "start-masked=$?"',
        'systemctl unmask demo 2>&1; systemctl start nosuch; echo "nosuch=$?"',
      ].join('\n'),
    );
    expect(svc.out).toContain('inactive\nCreated symlink /etc/systemd/system/multi-user.target.wants/demo.service → /usr/lib/systemd/system/demo.service.\nactive\nenabled\n');
    expect(svc.out).toContain('/usr/bin/sleep 300 \n');
    expect(svc.out).toContain('start-masked=1');
    expect(svc.err).toContain('Unit demo.service is masked.');
    expect(svc.out).toContain('nosuch=5');
    expect(svc.err).toContain('Failed to start nosuch.service: Unit nosuch.service not found.');

    const apt = await sh(
      'master1',
      [
        'apt-get install -y kubeadm; echo "no-repo=$?"',
        'echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /" > /etc/apt/sources.list.d/kubernetes.list',
        'apt-get update -qq; apt-get install -y kubelet kubeadm kubectl >/dev/null; apt-get install -y kubeadm; apt-mark hold kubelet kubeadm kubectl',
        "dpkg-query -W -f '${Package} ${Status} ${Version}\\n' kubeadm haproxy; apt-get install -y --allow-downgrades kubeadm=1.33.0-1.1; echo \"pin=$?\"",
      ].join('\n'),
    );
    expect(apt.out).toContain('no-repo=100');
    expect(apt.err).toContain('E: Unable to locate package kubeadm');
    expect(apt.out).toContain('kubeadm is already the newest version (1.34.2-1.1).\n0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.');
    expect(apt.out).toContain('kubeadm set on hold.');
    expect(apt.out).toContain('kubeadm hold ok installed 1.34.2-1.1');
    expect(apt.err).toContain('dpkg-query: no packages found matching haproxy');
    expect(apt.err).toContain("E: Version '1.33.0-1.1' for 'kubeadm' was not found");
    expect((await sh('master2', 'apt-mark showhold | wc -l')).out.trim()).toBe('0');

    const dnf = await sh(
      'master3',
      [
        'mkdir -p /etc/yum.repos.d',
        'printf "[kubernetes]\\nbaseurl=https://pkgs.k8s.io/core:/stable:/v1.34/rpm/\\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\\n" > /etc/yum.repos.d/kubernetes.repo',
        'dnf install -y kubeadm; echo "excluded=$?"; dnf install -y kubeadm --disableexcludes=kubernetes; dnf install -y kubeadm --disableexcludes=kubernetes',
      ].join('\n'),
    );
    expect(dnf.out).toContain('No match for argument: kubeadm');
    expect(dnf.out).toContain('excluded=1');
    // kubeadm 1.32+ depends on nothing (kubernetes/release cmd/krel/templates/latest/metadata.yaml).
    expect(dnf.out).toContain('Installed:\n  kubeadm-1.34.2-150500.1.1.x86_64\n\nComplete!');
    expect(dnf.out).toContain('Package kubeadm-1.34.2-150500.1.1.x86_64 is already installed.\nDependencies resolved.\nNothing to do.');

    const swap = await sh('master3', 'swapon --show; grep -c swap.img /proc/swaps; swapoff -a; swapon --show | wc -l; tail -n +2 /proc/swaps | wc -l');
    expect(swap.out).toBe('NAME      TYPE SIZE USED PRIO\n/swap.img file   2G   0B   -2\n1\n0\n0');

    // The lab clock file is at the same path inside every host.
    shiftLabClock(parseClockShift('+2h'));
    expect((await sh('master1', `cat ${LAB_DIR}/clock`)).out.trim()).toBe('7200000');
    shiftLabClock(0);
  });

  it('restarts a failing unit per Restart=on-failure until the start limit, then reports it failed', async () => {
    await writeHostFile('worker1', '/usr/lib/systemd/system/crashy.service', '[Service]\nExecStart=/bin/sh -c "exit 3"\nRestart=on-failure\nRestartSec=50ms\n', 0o644);
    const r = await sh('worker1', 'systemctl start crashy; for i in $(seq 50); do [ "$(systemctl is-active crashy)" = failed ] && break; sleep 0.1; done; systemctl is-active crashy; systemctl show -p NRestarts -p ExecMainStatus crashy');
    expect(r.out).toBe('failed\nNRestarts=4\nExecMainStatus=3');
  });

  it('starts and stops a background process in a host from outside (how the agent is started)', async () => {
    await startInHost('master3', 'kumi-agent', ['/bin/sh', '-c', 'cat /etc/kumi/agent.yaml; echo "env=$AGENT_MODE"; exec sleep 300'], {
      env: { AGENT_MODE: 'lab' },
      files: { '/etc/kumi/agent.yaml': 'coordinator: 192.0.2.1:7443\n' },
    });
    await waitFor('the agent log', 5000, async () => (await sh('master3', 'cat /var/log/kumi-lab/kumi-agent.log')).out.includes('env=lab'));
    expect((await sh('master3', 'cat /var/log/kumi-lab/kumi-agent.log; stat -c %a /etc/kumi/agent.yaml')).out).toBe('coordinator: 192.0.2.1:7443\nenv=lab\n600');
    expect((await sh('master3', 'pgrep -fx "sleep 300" | wc -l')).out.trim()).toBe('1');
    await stopInHost('master3', 'kumi-agent');
    expect((await sh('master3', 'pgrep -fx "sleep 300" | wc -l')).out.trim()).toBe('0');
  });

  it('partitions a host from the bridge and heals it', async () => {
    const reach = async () => (await inCoordinator(['curl', '-s', '-m', '1', '-o', '/dev/null', '-w', '%{http_code}', 'http://192.0.2.22:1/'], { timeoutMs: 5000 })).exitCode;
    expect(await reach()).toBe(7); // connection refused: the host answered
    await setPartitioned('master2', true);
    expect(await reach()).toBe(28); // timed out: nothing comes back
    await setPartitioned('master2', false);
    await waitFor('master2 to answer again', 5000, async () => (await reach()) === 7);
  });

  it('runs firewalld with its own D-Bus inside a host; nftables and iptables are per host', async () => {
    const fw = await sh('master2', 'systemctl start firewalld && firewall-cmd --state && firewall-cmd --permanent --add-port=6443/tcp && firewall-cmd --reload && firewall-cmd --list-ports && nft list tables');
    expect(fw.code, fw.err).toBe(0);
    expect(fw.out).toContain('running');
    expect(fw.out).toContain('6443/tcp');
    expect(fw.out).toContain('table inet firewalld');
    expect(machineSnapshot().nftTables).toBe(before.nftTables);
    // iptables too is per host: a rule in lb2 is neither on the machine nor in lb1.
    expect((await sh('lb2', 'iptables -A INPUT -p tcp --dport 9999 -j DROP && iptables -S INPUT')).out).toContain('--dport 9999 -j DROP');
    expect((await sh('lb1', 'iptables -S INPUT')).out).not.toContain('9999');
    expect(await run(['iptables', '-S', 'INPUT'])).not.toContain('9999');
  }, 30_000);

  it('moves the VIP from lb1 to lb2 within 5 s when lb1 dies (HAProxy + keepalived)', async () => {
    // High priorities keep the backup's skew time ((256 - priority) / 256 s) small.
    for (const [host, priority, state] of [['lb1', 250, 'MASTER'], ['lb2', 200, 'BACKUP']] as const) {
      // A fresh host has neither (the machine's are hidden); apt's postinst starts HAProxy on the package's config.
      const fresh = await sh(host, 'for c in haproxy keepalived; do command -v $c; done; apt-get install -y haproxy keepalived >/dev/null; for c in haproxy keepalived; do command -v $c; done; systemctl is-active haproxy');
      expect(fresh.out).toBe('/usr/sbin/haproxy\n/usr/sbin/keepalived\nactive');
      await writeHostFile(host, '/etc/keepalived/keepalived.conf', keepalivedConf(host, priority, state), 0o644);
      await writeHostFile(host, '/etc/haproxy/haproxy.cfg', whoamiHaproxyConf(host), 0o644);
      const r = await inHost(host, ['sh', '-c', 'systemctl enable keepalived haproxy && systemctl restart keepalived haproxy']);
      expect(r.exitCode, String(r.stderr)).toBe(0);
    }
    const reload = await inHost('lb1', ['sh', '-c', 'systemctl reload haproxy && systemctl is-active haproxy && journalctl -u haproxy -n 50']);
    expect(reload.exitCode, String(reload.stderr)).toBe(0);
    expect(String(reload.stdout)).toMatch(/^active\n[\s\S]*Loading success/);
    const electedMs = await waitFor('the VIP to answer on lb1', 15_000, async () => (await vipAnswer()) === 'lb1');
    console.log(`VIP answered on lb1 ${electedMs} ms after keepalived started`);
    const lb1 = readLabState()?.hosts.lb1;
    await killHost(lb1!);
    const killedAt = Date.now();
    const failoverMs = await waitFor('the VIP to answer on lb2', 10_000, async () => (await vipAnswer()) === 'lb2');
    console.log(`VRRP failover lb1 → lb2: ${Date.now() - killedAt} ms`);
    expect(failoverMs).toBeLessThan(5000);
    expect((await sh('lb2', 'ip -4 -o addr show eth0')).out).toContain('192.0.2.100/24');

    // Booted again, lb1 starts its enabled units and, with the higher priority, takes the VIP back.
    await bootHost(TOPOLOGY.hosts[0]!, TOPOLOGY, readLabState()!.switch!.pid);
    const backMs = await waitFor('the VIP to come back to lb1', 15_000, async () => (await vipAnswer()) === 'lb1');
    console.log(`lb1 rebooted, VIP back on lb1 after ${backMs} ms`);
  }, 60_000);

  it('down removes every namespace, process, mount and link, and the state dir', async () => {
    const downStarted = Date.now();
    await labDown();
    console.log(`lab down: ${Date.now() - downStarted} ms`);
    expect(leftovers(LAB_DIR, netNs, before)).toEqual([]);
    await labDown(); // idempotent
  }, 30_000);
});

describe.skipIf(skip !== undefined).sequential('the lab after its runner is killed mid-up', () => {
  const dir = `${LAB_DIR}-crash`;
  let before: MachineSnapshot;

  afterAll(async () => {
    process.env.KUMI_LAB_DIR = dir;
    await labDown().finally(() => {
      process.env.KUMI_LAB_DIR = LAB_DIR;
    });
  }, 30_000);

  it('down cleans up what a SIGKILLed `up` left', async () => {
    before = machineSnapshot();
    const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
    const runner = spawn(process.execPath, ['--import', 'tsx', cli, 'up'], { env: { ...process.env, KUMI_LAB_DIR: dir }, stdio: 'ignore' });
    process.env.KUMI_LAB_DIR = dir;
    try {
      const netNs = new Set<string>();
      await waitFor('the runner to boot some hosts', 30_000, async () => {
        for (const id of labNetNamespaces()) netNs.add(id);
        return Object.keys(readLabState()?.hosts ?? {}).length >= 2;
      });
      runner.kill('SIGKILL');
      // It may have exited already (e.g. up failed): then 'exit' never comes again.
      if (runner.exitCode === null && runner.signalCode === null) await new Promise((resolve) => runner.once('exit', resolve));
      for (const id of labNetNamespaces()) netNs.add(id);
      expect(findAnchorPids(dir).length).toBeGreaterThanOrEqual(3); // the switch and the booted hosts outlive the runner
      const result = await labDown();
      console.log(`crash cleanup: removed ${result.killedHosts.length} anchors in ${result.ms} ms`);
      expect(leftovers(dir, netNs, before)).toEqual([]);
    } finally {
      runner.kill('SIGKILL');
      process.env.KUMI_LAB_DIR = LAB_DIR;
    }
  }, 60_000);
});
