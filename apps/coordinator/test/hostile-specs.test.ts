import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatSpecPath, parseSpecText, SpecError } from '../src/spec';
import { HOSTILE_SPECS, type HostileSpec, hostileText, writeHostileSpecs } from './hostile-spec-edits';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function problemsOf(spec: HostileSpec) {
  try {
    parseSpecText(hostileText(spec), `${spec.name}.yaml`);
  } catch (error) {
    if (error instanceof SpecError) return error.problems.filter((problem) => problem.severity === 'error');
    throw error;
  }
  throw new Error(`${spec.name} loaded without an error`);
}

describe('hostile specs', () => {
  it('has at least 15 rows, each with its own name, and the seed itself is valid', () => {
    expect(HOSTILE_SPECS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(HOSTILE_SPECS.map((spec) => spec.name)).size).toBe(HOSTILE_SPECS.length);
    expect(() => parseSpecText(hostileText({ name: 'seed', edits: [], path: '', message: /./ }), 'seed-ha.yaml')).not.toThrow();
  });

  it.each(HOSTILE_SPECS.map((spec) => [spec.name, spec] as const))('%s fails naming its path, the problem, a fix and a line', (_name, spec) => {
    const problems = problemsOf(spec);
    const match = problems.find((problem) => formatSpecPath(problem.path) === spec.path && spec.message.test(problem.message));
    expect(match, JSON.stringify(problems, null, 2)).toBeDefined();
    expect(match?.fix.length).toBeGreaterThan(5);
    expect(match?.line).toBeGreaterThan(1);
  });

  it('`kumi plan` exits 2 on a hostile spec, lists the problem and prints no plan', async () => {
    const run = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), 'kumi-hostile-'));
    const spec = writeHostileSpecs(dir).find((path) => path.endsWith('/duplicate-host-address.yaml')) as string;
    const result = await run('npx', ['tsx', 'apps/coordinator/src/main.ts', 'plan', spec], { cwd: repoRoot, timeout: 30_000 }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/spec\.hosts\[5\]\.address: duplicate host address "192\.0\.2\.23"/);
    expect(result.stderr).toMatch(/fix: give every host its own address/);
    expect(result.stdout).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });
});
