import { describe, expect, it } from 'vitest';
import { descriptorAdvice, openFilesLimit } from './descriptor-limit';

const limits = (soft: string, hard: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 ${hard}                files\n`;

describe('descriptorAdvice', () => {
  it('reads the open-files limit of /proc/self/limits', () => {
    expect(openFilesLimit(limits('1024', '524288'))).toEqual({ soft: 1024, hard: 524288 });
    expect(openFilesLimit(limits('unlimited', 'unlimited'))).toEqual({ soft: Number.POSITIVE_INFINITY, hard: Number.POSITIVE_INFINITY });
  });

  it('says nothing when the limit suffices, and how to raise it when it does not', () => {
    expect(descriptorAdvice(900, { soft: 1024, hard: 4096 })).toBeUndefined();
    expect(descriptorAdvice(5000, { soft: 1024, hard: 524288 })).toBe(
      'the open-files limit (1024) is below the 5064 descriptors 5000 attached agents need; raise it before starting kumi: `ulimit -n 5064` in the shell, or LimitNOFILE= in a systemd unit',
    );
    expect(descriptorAdvice(5000, { soft: 1024, hard: 2048 })).toMatch(/`ulimit -n 2048` in the shell \(the hard limit 2048 must be raised too, by root\)/);
  });
});
