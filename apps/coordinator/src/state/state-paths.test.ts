import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingClusterDir } from './state-paths';

let home: string;
const clusters = () => join(home, '.kumi', 'clusters');

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'kumi-state-paths-'));
  for (const name of ['alpha', 'beta']) {
    await mkdir(join(clusters(), name), { recursive: true });
    await writeFile(join(clusters(), name, 'cluster.json'), '{}');
  }
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('existingClusterDir', () => {
  it('lets --cluster win over an exported KUMI_STATE_DIR', () => {
    const env = { HOME: home, KUMI_STATE_DIR: join(clusters(), 'alpha') };
    expect(existingClusterDir({ cluster: 'beta' }, env)).toBe(join(clusters(), 'beta'));
  });

  it('lets --state-dir win over --cluster and the environment', () => {
    const env = { HOME: home, KUMI_STATE_DIR: join(clusters(), 'alpha'), KUMI_CLUSTER: 'alpha' };
    expect(existingClusterDir({ stateDir: join(clusters(), 'beta'), cluster: 'alpha' }, env)).toBe(join(clusters(), 'beta'));
  });

  it('falls back to KUMI_STATE_DIR, then KUMI_CLUSTER, when no flag is given', () => {
    expect(existingClusterDir({}, { HOME: home, KUMI_STATE_DIR: join(clusters(), 'alpha'), KUMI_CLUSTER: 'beta' })).toBe(join(clusters(), 'alpha'));
    expect(existingClusterDir({}, { HOME: home, KUMI_CLUSTER: 'beta' })).toBe(join(clusters(), 'beta'));
  });

  it('asks to choose when several clusters exist and nothing names one', () => {
    expect(() => existingClusterDir({}, { HOME: home })).toThrow(/several clusters .*--cluster NAME/);
  });
});
