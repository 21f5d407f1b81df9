import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ClusterSpec, parseSpecText } from '../src/spec';

const seedText = readFileSync(fileURLToPath(new URL('../../../examples/seed-ha.yaml', import.meta.url)), 'utf8');

/** The seed cluster spec, optionally edited as text first (for tests). */
export function seedSpec(edit: (text: string) => string = (text) => text): ClusterSpec {
  return parseSpecText(edit(seedText), 'seed-ha.yaml').spec;
}

/** The seed with `count` workers worker1..workerN at 192.0.2.31.. (for tests). */
export function seedWithWorkers(count: number, edit: (text: string) => string = (text) => text): ClusterSpec {
  const workers = Array.from({ length: count }, (_, index) => `    - { name: worker${index + 1}, address: 192.0.2.${31 + index}, roles: [worker] }`).join('\n');
  return seedSpec((text) => edit(text.replace(/ {4}- \{ name: worker1.*/, workers)));
}
