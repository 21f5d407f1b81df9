import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudInitClusterDir } from './cluster-dir';

let home: string;
const clusters = () => join(home, '.kumi', 'clusters');

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'kumi-home-'));
  for (const name of ['seed-ha', 'other']) {
    await mkdir(join(clusters(), name), { recursive: true });
    await writeFile(join(clusters(), name, 'cluster.json'), '{}');
  }
});
afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('cloudInitClusterDir', () => {
  it('takes the cluster named like the spec when nothing else is said', () => {
    expect(cloudInitClusterDir({}, 'seed-ha', { HOME: home })).toBe(join(clusters(), 'seed-ha'));
  });

  it('prefers --cluster, KUMI_CLUSTER and --state-dir over the spec name', () => {
    expect(cloudInitClusterDir({ cluster: 'other' }, 'seed-ha', { HOME: home })).toBe(join(clusters(), 'other'));
    expect(cloudInitClusterDir({}, 'seed-ha', { HOME: home, KUMI_CLUSTER: 'other' })).toBe(join(clusters(), 'other'));
    expect(cloudInitClusterDir({ stateDir: join(clusters(), 'other') }, 'seed-ha', { HOME: home })).toBe(join(clusters(), 'other'));
  });

  it('asks to choose when the spec name matches no cluster and there are several', () => {
    expect(() => cloudInitClusterDir({}, 'nameless', { HOME: home })).toThrow(/several clusters .*--cluster NAME/);
  });
});
