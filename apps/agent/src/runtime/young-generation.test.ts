import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
let workDir = '';
let moduleFile = '';

beforeAll(async () => {
  // Plain JS for a fresh Node: a TS loader would itself grow the new space before the flag is set.
  workDir = await mkdtemp(join(os.tmpdir(), 'kumi-young-generation-'));
  moduleFile = join(workDir, 'young-generation.cjs');
  await build({ entryPoints: [fileURLToPath(new URL('./young-generation.ts', import.meta.url))], outfile: moduleFile, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/**
 * A fresh Node allocates ~60 MiB in objects that survive a few scavenges (what loading a
 * bundle looks like to V8) and reports the new space's capacity, with and without the flag.
 */
async function newSpaceMiB(limit: boolean): Promise<number> {
  const script = `
    const v8 = require('node:v8');
    ${limit ? `require(${JSON.stringify(moduleFile)}).keepYoungGenerationSmall();` : ''}
    let keep = [];
    for (let round = 0; round < 600; round += 1) {
      keep.push(Array.from({ length: 1000 }, (_, index) => ({ round, index })));
      if (keep.length > 40) keep = keep.slice(20);
    }
    const space = v8.getHeapSpaceStatistics().find((entry) => entry.space_name === 'new_space');
    console.log('new_space_mib=' + space.space_size / 2 ** 20);
  `;
  const scriptFile = join(workDir, `allocate-${limit ? 'kept' : 'grown'}.cjs`);
  await writeFile(scriptFile, script);
  // Without the NODE_OPTIONS of the test runner: the child must be a plain, fresh Node.
  const { stdout } = await run(process.execPath, [scriptFile], { timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } });
  const reported = /^new_space_mib=(\S+)$/m.exec(stdout)?.[1];
  if (reported === undefined) throw new Error(`the child Node printed no new_space_mib line:\n${stdout}`);
  return Number(reported);
}

describe('keepYoungGenerationSmall', () => {
  it('stops V8 from growing the new space beyond its initial two 1 MiB semi-spaces', async () => {
    const [grown, kept] = await Promise.all([newSpaceMiB(false), newSpaceMiB(true)]);
    expect(grown).toBeGreaterThan(2);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(2);
  });
});
