import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';

const calls: { renew: unknown[]; check: unknown[] } = { renew: [], check: [] };
vi.mock('../up/run-certs', () => ({
  runCertsRenew: async (options: unknown) => void calls.renew.push(options),
  runCertsCheck: async (options: unknown) => void calls.check.push(options),
}));

const { register } = await import('./certs');

async function parse(...argv: string[]): Promise<void> {
  const program = new Command().exitOverride();
  register(program);
  await program.parseAsync(argv, { from: 'user' });
}

describe('kumi certs / kumi certs renew options', () => {
  it('reads the shared options after `renew` too (commander hands them to `certs`)', async () => {
    await parse('certs', 'renew', 'spec.yaml', '--json', '--force', '--attach-timeout', '90s', '--only', 'renew-certs/*@master2');
    expect(calls.renew[0]).toMatchObject({ specPath: 'spec.yaml', json: true, force: true, attachTimeoutMs: 90_000, only: ['renew-certs/*@master2'] });
    await parse('certs', 'spec.yaml', '--json');
    expect(calls.check[0]).toMatchObject({ specPath: 'spec.yaml', json: true, attachTimeoutMs: 600_000 });
    await expect(parse('certs', 'renew', 'spec.yaml', '--min-residual-days', '-3')).rejects.toThrow(/use a whole number of days from 0 to 3650/);
  });
});
