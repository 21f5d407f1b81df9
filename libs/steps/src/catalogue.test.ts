import { describe, expect, it } from 'vitest';
import { catalogue, findStep } from './catalogue';
import { swapOff } from './steps/swap-off/swap-off';

describe('catalogue', () => {
  it('holds the compiled-in steps by id', () => {
    expect([...catalogue.keys()]).toEqual(expect.arrayContaining(['swap.off', 'kernel.modules', 'sysctl.kubernetes', 'net.wait-tcp']));
    expect(findStep('swap.off')).toBe(swapOff);
    expect(findStep('shell.run')).toBeUndefined();
  });

  it.each([...catalogue.values()])('$id has a dotted id, a title, a params schema, check and plan', (step) => {
    expect(step.id).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/);
    expect(step.title.length).toBeGreaterThan(5);
    expect(typeof step.params.safeParse).toBe('function');
    expect(typeof step.check).toBe('function');
    expect(typeof step.plan).toBe('function');
  });
});
