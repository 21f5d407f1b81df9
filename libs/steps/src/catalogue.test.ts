import { describe, expect, it } from 'vitest';
import { catalogue, findStep } from './catalogue';
import { swapOff } from './steps/swap-off/swap-off';

describe('catalogue', () => {
  it('holds the compiled-in steps by id', () => {
    expect([...catalogue.keys()]).toEqual(expect.arrayContaining(['swap.off', 'kernel.modules', 'sysctl.kubernetes', 'net.wait-tcp']));
    expect(findStep('swap.off')).toBe(swapOff);
    expect(findStep('shell.run')).toBeUndefined();
  });

  it.each([...catalogue.values()])('$id has a dotted id, a title, and a params schema that refuses what is not an object of its fields', (step) => {
    expect(step.id).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/);
    expect(step.title.length).toBeGreaterThan(5);
    // Behaviour (first run, noop, drift) is the step contract's job: contract/step-contract.test.ts.
    expect(step.params.safeParse(42).success).toBe(false);
    expect(step.params.safeParse({ notAParameterOfAnyStep: true }).success).toBe(false);
  });
});
