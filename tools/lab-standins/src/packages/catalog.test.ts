import { describe, expect, it } from 'vitest';
import { compareUpstream } from './catalog';

describe('compareUpstream', () => {
  it("compares x.y.z by each component's leading digits: epochs, ~ and + suffixes never give NaN", () => {
    expect(compareUpstream('5:20.10.24~3-0~debian-bookworm', '20.10.24')).toBe(0);
    expect(compareUpstream('5:20.10.24~3-0~debian-bookworm', '20.10.23')).toBe(1);
    expect(compareUpstream('5:20.10.24~3-0~debian-bookworm', '20.10.25')).toBe(-1);
    expect(compareUpstream('1.7.1+dfsg', '1.7.1')).toBe(0);
    expect(compareUpstream('1.7.1+dfsg', '1.7.0')).toBe(1);
    expect(compareUpstream('1.7.1+dfsg', '1.7.2')).toBe(-1);
    expect(compareUpstream('1:1.7.1-150500.1.1', '1.33.2-1.1')).toBe(-1);
  });
});
