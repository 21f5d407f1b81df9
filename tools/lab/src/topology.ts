import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import * as z from 'zod';

/** A lab host's role; decides its default address block. */
export type HostRole = 'lb' | 'master' | 'worker';

/** The operating system a lab host presents (its os-release, package manager and boot firewall). */
export type HostOs = 'debian-12' | 'ubuntu-22.04' | 'rocky-9' | 'almalinux-9';
/** The firewall running from a host's boot: firewalld (RHEL's default), a native nftables rule set with a drop policy, or none. */
export type HostFirewall = 'none' | 'firewalld' | 'nftables';

/** One host of a lab topology. */
export interface LabHost {
  name: string;
  role: HostRole;
  address: string;
  /** Default debian-12. */
  os?: HostOs;
  /** Default none. */
  firewall?: HostFirewall;
}

/** What `kumi-lab up` builds. */
export interface Topology {
  hosts: LabHost[];
  vip: string;
}

const hostName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,9}$/, 'host names are 1-10 characters of a-z, 0-9 and -, starting with a letter (they become interface names)');
const labAddress = z
  .string()
  .regex(/^192\.0\.2\.(\d{1,3})$/, 'addresses must be in 192.0.2.0/24')
  .refine((a) => {
    const last = Number(a.split('.')[3]);
    return last >= 2 && last <= 254;
  }, '192.0.2.1 is the bridge (coordinator); use .2-.254');

const topologyFile = z.object({
  vip: labAddress.optional(),
  hosts: z
    .array(
      z.object({
        name: hostName,
        role: z.enum(['lb', 'master', 'worker']),
        address: labAddress.optional(),
        os: z.enum(['debian-12', 'ubuntu-22.04', 'rocky-9', 'almalinux-9']).optional(),
        firewall: z.enum(['none', 'firewalld', 'nftables']).optional(),
      }),
    )
    .min(1),
});

const ROLE_BASE: Record<HostRole, number> = { lb: 10, master: 20, worker: 30 };

/**
 * The seed's topology: two load balancers, three control planes, one worker, with the seed's
 * operating systems and their firewalls on: Rocky Linux 9 control planes with firewalld
 * running (the seed ran CentOS with firewalld), a Debian 12 worker with a hardened nftables
 * rule set (input and forward policy drop), Debian 12 load balancers without a firewall.
 */
export function seedTopology(): Topology {
  return buildTopology({
    hosts: [
      { name: 'lb1', role: 'lb', os: 'debian-12' },
      { name: 'lb2', role: 'lb', os: 'debian-12' },
      { name: 'master1', role: 'master', os: 'rocky-9', firewall: 'firewalld' },
      { name: 'master2', role: 'master', os: 'rocky-9', firewall: 'firewalld' },
      { name: 'master3', role: 'master', os: 'rocky-9', firewall: 'firewalld' },
      { name: 'worker1', role: 'worker', os: 'debian-12', firewall: 'nftables' },
    ],
  });
}

/**
 * The seed's hosts and firewalls on Debian 12 only: firewalld (Debian's own package, the same
 * firewalld 1.3 as Rocky 9's) on the control planes, the hardened nftables rule set on the worker.
 */
export function debianSeedTopology(): Topology {
  const seed = seedTopology();
  return { vip: seed.vip, hosts: seed.hosts.map((host) => ({ ...host, os: 'debian-12' })) };
}

/** The seed's hosts on plain Debian 12 without any firewall: for tests of the lab's own machinery. */
export function bareSeedTopology(): Topology {
  const seed = seedTopology();
  return { vip: seed.vip, hosts: seed.hosts.map(({ name, role, address }) => ({ name, role, address })) };
}

/** Reads `seed`, `debian-seed`, `bare-seed` or a YAML/JSON topology file: `{ vip?, hosts: [{ name, role, address?, os?, firewall? }] }`. */
export function loadTopology(spec: string): Topology {
  if (spec === 'seed') return seedTopology();
  if (spec === 'bare-seed') return bareSeedTopology();
  if (spec === 'debian-seed') return debianSeedTopology();
  let raw: unknown;
  try {
    raw = parse(readFileSync(spec, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read topology ${spec}: ${(err as Error).message} (give "seed" or a YAML file with hosts: [{name, role}])`);
  }
  const parsed = topologyFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new Error(`topology ${spec} is invalid: ${issues}`);
  }
  return buildTopology(parsed.data);
}

function buildTopology(input: z.infer<typeof topologyFile>): Topology {
  const counters: Record<HostRole, number> = { lb: 0, master: 0, worker: 0 };
  const hosts = input.hosts.map((h) => {
    counters[h.role] += 1;
    const host: LabHost = { name: h.name, role: h.role, address: h.address ?? `192.0.2.${ROLE_BASE[h.role] + counters[h.role]}` };
    if (h.os) host.os = h.os;
    if (h.firewall) host.firewall = h.firewall;
    return host;
  });
  const vip = input.vip ?? '192.0.2.100';
  const seen = new Map<string, string>();
  for (const h of hosts) {
    for (const key of [`name ${h.name}`, `address ${h.address}`]) {
      if (seen.has(key)) throw new Error(`topology: duplicate ${key} (hosts ${seen.get(key)} and ${h.name})`);
      seen.set(key, h.name);
    }
    if (h.address === vip) throw new Error(`topology: host ${h.name} uses the VIP ${vip} as its address`);
  }
  return { hosts, vip };
}
