import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const libRoot = join(import.meta.dirname, '..');
const committed = join(libRoot, 'src/generated');
const fresh = mkdtempSync(join(tmpdir(), 'kumi-proto-gen-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

describe('generated types', () => {
  it('match what the .proto generates today (run `npm run gen -w @kumi/proto` after editing it)', () => {
    execFileSync(process.execPath, [join(libRoot, 'scripts/generate.mjs'), fresh], { stdio: 'pipe' });
    expect(files(committed)).toEqual(files(fresh));
    for (const file of files(fresh)) {
      expect(readFileSync(join(committed, file), 'utf8'), file).toBe(readFileSync(join(fresh, file), 'utf8'));
    }
  });
});
