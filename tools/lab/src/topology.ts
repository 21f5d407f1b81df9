import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import * as z from 'zod';

/** A lab host's role; decides its default address block. */
export type HostRole = 'lb' | 'master' | 'worker';

/** One host of a lab topology. */
export interface LabHost {
  name: string;
  role: HostRole;
  address: string;
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
    .array(z.object({ name: hostName, role: z.enum(['lb', 'master', 'worker']), address: labAddress.optional() }))
    .min(1),
});

const ROLE_BASE: Record<HostRole, number> = { lb: 10, master: 20, worker: 30 };

/** The seed's topology: two load balancers, three control planes, one worker. */
export function seedTopology(): Topology {
  return buildTopology({
    hosts: [
      { name: 'lb1', role: 'lb' },
      { name: 'lb2', role: 'lb' },
      { name: 'master1', role: 'master' },
      { name: 'master2', role: 'master' },
      { name: 'master3', role: 'master' },
      { name: 'worker1', role: 'worker' },
    ],
  });
}

/** Reads `seed` or a YAML/JSON topology file: `{ vip?, hosts: [{ name, role, address? }] }`. */
export function loadTopology(spec: string): Topology {
  if (spec === 'seed') return seedTopology();
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
    return { name: h.name, role: h.role, address: h.address ?? `192.0.2.${ROLE_BASE[h.role] + counters[h.role]}` };
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
