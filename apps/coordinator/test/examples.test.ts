import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../src/plan';
import { loadSpec } from '../src/spec';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
const files = readdirSync(examples).filter((file) => file.endsWith('.yaml'));

describe('examples/', () => {
  it('has the seed cluster', () => {
    expect(files).toContain('seed-ha.yaml');
  });

  it.each(files)('%s is a valid spec without warnings and plans', async (file) => {
    const { spec, warnings } = await loadSpec(join(examples, file));
    expect(warnings).toEqual([]);
    expect(buildPlan(spec).stages.length).toBeGreaterThan(5);
  });
});
