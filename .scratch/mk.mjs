import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
const s = parse(readFileSync('examples/seed-ha.yaml', 'utf8'));
s.spec.hosts = s.spec.hosts.filter((h) => ['lb1', 'lb2', 'master1', 'master2', 'master4', 'worker1'].includes(h.name));
s.spec.hosts.push({ name: 'master4', address: '192.0.2.24', roles: ['control-plane'] });
s.spec.drill = { enabled: false };
writeFileSync('/tmp/d2m-plan/spec.yaml', stringify(s));
