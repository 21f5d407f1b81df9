import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Every .ts file under src that ships: no tests, no contract rows (steps/<dir>/<dir>.contract.ts), nothing under src/testing. */
function productionSources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return relative(SRC, path) === 'testing' ? [] : productionSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.contract.ts') ? [relative(SRC, path)] : [];
  });
}

describe('libs/steps production sources', () => {
  it('holds no script entry point (test runners live under src/testing)', () => {
    const scripts = productionSources().filter((file) => /\bprocess\.argv\b/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(scripts).toEqual([]);
  });

  it('never imports from src/testing', () => {
    const importers = productionSources().filter((file) => /from '[^']*\/testing\//.test(readFileSync(join(SRC, file), 'utf8')));
    expect(importers).toEqual([]);
  });
});
