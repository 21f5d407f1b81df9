// The README's demo: the seed's HA cluster built by `kumi up` in the one-machine lab, then
// verified and put through the failover drill. Run as root from the repo root:
//   npx tsx tools/demo/lab-demo.ts [--keep] [--hosts seed|debian-seed]
// --hosts: the seed's own OSes (default: Rocky Linux 9 + firewalld control planes, a hardened
// nftables Debian worker) or the same firewalls on Debian hosts only.
// --keep leaves the lab up afterwards (and says how to explore it); otherwise it is torn down,
// also on Ctrl-C or a failure.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startLabCluster, type LabCluster } from '../lab/src/cluster';
import { etcdMemberNames, healthzThroughVip, nodeNames } from '../lab/src/e2e/cluster-facts';
import { describeFirewallChange, hostFirewallState, type HostFirewallState } from '../lab/src/e2e/host-firewall';
import { runKumiInteractive } from '../lab/src/e2e/kumi-interactive';
import { provisionSeedExtras } from '../lab/src/e2e/seed-extras';
import { labDown } from '../lab/src/lab-down';
import { debianSeedTopology, seedTopology } from '../lab/src/topology';

const args = process.argv.slice(2);
const keep = args.includes('--keep');
const hostsAt = args.indexOf('--hosts');
const hostsChoice = hostsAt >= 0 ? args[hostsAt + 1] : 'seed';
const unknown = args.filter((arg, i) => arg !== '--keep' && !(hostsAt >= 0 && (i === hostsAt || i === hostsAt + 1)));
if (unknown.length > 0 || (hostsChoice !== 'seed' && hostsChoice !== 'debian-seed')) {
  console.error(`lab demo: unknown argument ${[...unknown, hostsChoice].join(' ')}; options: --keep (leave the lab up afterwards), --hosts seed|debian-seed`);
  process.exit(2);
}
const topology = hostsChoice === 'seed' ? seedTopology() : debianSeedTopology();
if (process.getuid?.() !== 0) {
  console.error(
    'lab demo: refusing to run without root. The lab creates network namespaces, a private bridge, veth pairs,\n' +
      'overlay mounts and runs HAProxy, keepalived and etcd inside them; all of that needs root (CAP_SYS_ADMIN,\n' +
      'CAP_NET_ADMIN). Run it as root (e.g. `sudo npm run demo`), or run the foundation demo, which needs no root:\n' +
      '  bash tools/demo/agents-on-this-machine.sh',
  );
  process.exit(1);
}

// The default lab (so plain `npx kumi-lab ...` reaches it after --keep); tests use their own.
const labDir = process.env.KUMI_LAB_DIR ?? '/var/tmp/kumi-lab';
process.env.KUMI_LAB_DIR = labDir;
// kumi's state beside the lab's (the default lab: /var/tmp/kumi-lab-demo-state).
const stateDir = `${labDir}-demo-state`;
const spec = path.join(REPO_ROOT, 'examples/seed-ha.yaml');
const specArg = path.relative(process.cwd(), spec) || spec;
/** Where the demo keeps the report of its `kumi up` build. */
const buildReport = path.join(REPO_ROOT, 'dist/demo/seed-ha-build.html');

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
const say = (text: string) => console.log(`\n${bold(`== ${text}`)}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

let cluster: LabCluster | undefined;
let tearingDown = false;

async function tearDown(): Promise<void> {
  if (tearingDown) return;
  tearingDown = true;
  say('Lab down: every namespace, link, mount and process of the lab goes away');
  if (cluster) await cluster.stop();
  else await labDown({ log: (line) => console.log(line) });
}

function printExplore(): void {
  const lab = labDir === '/var/tmp/kumi-lab' ? '' : `KUMI_LAB_DIR=${labDir} `;
  console.log(
    [
      '',
      bold('The lab is still up (--keep). Explore it:'),
      `  ${lab}npx kumi-lab status`,
      `  ${lab}npx kumi-lab exec master1 -- kubectl get nodes`,
      `  ${lab}npx kumi-lab exec master2 -- kubectl get pods -A`,
      `  ${lab}npx kumi-lab exec coordinator -- curl -sk https://192.0.2.100:6443/healthz`,
      `  ${lab}npx kumi-lab kill lb1        # the VIP moves to lb2`,
      `kumi's journal, logs and cluster CA are in ${stateDir}.`,
      `Tear it down with: ${lab}npx kumi-lab down && rm -rf ${stateDir}`,
    ].join('\n'),
  );
}

/** Runs one kumi command with the terminal; throws naming it when it fails. */
async function kumi(args: string[]): Promise<number> {
  const started = Date.now();
  const code = await runKumiInteractive(cluster!.bundles.kumi, stateDir, args);
  if (code !== 0) throw new Error(`kumi ${args.join(' ')} failed (exit ${code}); its summary is above`);
  return Date.now() - started;
}

async function main(): Promise<void> {
  const timings: Array<[string, number]> = [];
  const oses = topology.hosts.map((host) => `${host.name} ${host.os ?? 'debian-12'}${host.firewall && host.firewall !== 'none' ? `+${host.firewall}` : ''}`).join(', ');
  say(`Lab up: the seed topology (${oses}) in namespaces on bridge 192.0.2.0/24, a kumi agent in each`);
  await labDown().catch(() => undefined); // leftovers of an earlier demo that was killed
  rmSync(stateDir, { recursive: true, force: true });
  const started = Date.now();
  cluster = await startLabCluster({ topology, stateDir, serve: false, removeStateDir: !keep, clusterName: 'seed-ha', log: (line) => console.log(`  ${line}`) });
  await provisionSeedExtras(cluster.topology);
  timings.push(['lab up, agents started', Date.now() - started]);
  // Each host's firewall as the host reports it, before kumi touches anything.
  const hosts = cluster.topology.hosts.map((host) => host.name);
  const firewallsBefore = new Map<string, HostFirewallState>(await Promise.all(hosts.map(async (host) => [host, await hostFirewallState(host)] as const)));

  say(`kumi up ${specArg}: the whole HA build, one line per host (kumi listens on 192.0.2.1:7443; the agents dial in)`);
  timings.push(['kumi up (build and verify)', await kumi(['up', spec, '--yes', '--skip', 'drill'])]);
  // The build's picture, written where it outlives the lab (the state folder goes with it).
  await kumi(['report', '--out', buildReport]);

  say('kumi verify: nodes Ready, control-plane pods, etcd health, API through the VIP, DNS from a pod');
  timings.push(['kumi verify', await kumi(['verify', spec])]);

  say('kumi drill: master1 goes down; the API through the VIP, DNS and etcd quorum must hold; then it comes back');
  timings.push(['kumi drill', await kumi(['drill', spec, '--yes'])]);

  const [members, nodes, healthz] = await Promise.all([etcdMemberNames('master2'), nodeNames('master2'), healthzThroughVip('192.0.2.100')]);
  const firewallsAfter = new Map<string, HostFirewallState>(await Promise.all(hosts.map(async (host) => [host, await hostFirewallState(host)] as const)));
  // Checked before anything is claimed: a broken cluster must not print "proven".
  const roles = cluster.topology.hosts.map((host) => host.role);
  const controlPlanes = roles.filter((role) => role === 'master').length;
  const kubernetesNodes = controlPlanes + roles.filter((role) => role === 'worker').length;
  if (healthz !== 'ok' || members.length !== controlPlanes || nodes.length !== kubernetesNodes) {
    throw new Error(`the cluster does not look whole after the drill: /healthz ${healthz || 'no answer'}, etcd members ${members.join(', ') || 'none'}, nodes ${nodes.join(', ') || 'none'}`);
  }
  say('Summary');
  for (const [what, ms] of timings) console.log(`  ${what.padEnd(28)} ${seconds(ms)}`);
  console.log(
    [
      '',
      '  Proven in this run:',
      `  - one spec, one command: kumi up built the cluster over 6 agents that dialled out (no SSH)`,
      `  - etcd members: ${members.join(', ')}; nodes: ${nodes.join(', ')}`,
      `  - API through the VIP 192.0.2.100:6443 (HAProxy + keepalived on lb1/lb2): /healthz = ${healthz || 'no answer'}`,
      '  - with master1 down, the API (through the VIP), cluster DNS and etcd quorum kept working (kumi drill)',
      `  - join secrets were minted by kumi and handed only to the joining host; kumi's journal and logs: ${stateDir}${keep ? '' : ' (removed with the lab; --keep keeps them)'}`,
      '',
      "  Each host's firewall (as the host reports it) and what kumi changed in it:",
      ...hosts.map((host) => `  - ${host.padEnd(8)} ${describeFirewallChange(firewallsBefore.get(host)!, firewallsAfter.get(host)!)}`),
      '',
      `  The build's report (one row per host, one bar per step, the critical path): ${path.relative(process.cwd(), buildReport) || buildReport}`,
    ].join('\n'),
  );
}

process.on('SIGINT', () => {
  console.error('\nlab demo: interrupted');
  void (keep ? Promise.resolve() : tearDown()).finally(() => process.exit(130));
});

let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  console.error(`\nlab demo failed: ${(error as Error).message}`);
}
if (keep && cluster) printExplore();
else await tearDown().catch((error: Error) => console.error(`lab down failed: ${error.message} (run \`KUMI_LAB_DIR=${labDir} npx kumi-lab down\`)`));
process.exit(failed ? 1 : 0);
