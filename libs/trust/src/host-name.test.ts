import { describe, expect, it } from 'vitest';
import { isValidHostName } from './host-name';

describe('isValidHostName', () => {
  it('accepts lower-case DNS names', () => {
    expect(['cp1', 'node-a.lab.example', 'w10', 'a'.repeat(63)].filter((name) => !isValidHostName(name))).toEqual([]);
  });

  it('refuses upper case, other characters, empty labels and over-long names', () => {
    const label = 'a'.repeat(63);
    const bad = ['CP1', 'my_host', '-x', 'x-', 'a..b', '', 'a'.repeat(64), [label, label, label, label].join('.')];
    expect(bad.filter((name) => isValidHostName(name))).toEqual([]);
  });
});
