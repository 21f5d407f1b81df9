import { describe, expect, it } from 'vitest';
import { formatIpv4, networksOverlap, parseCidr, parseHostPort, parseIpv4, reservedUse } from './ipv4';

describe('ipv4 helpers', () => {
  it.each([
    ['192.0.2.11', 3221225995],
    ['0.0.0.0', 0],
    ['255.255.255.255', 4294967295],
    ['192.0.2', undefined],
    ['192.0.2.256', undefined],
    ['01.2.3.4', undefined],
    ['a.b.c.d', undefined],
  ])('parseIpv4(%s) = %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    if (value !== undefined) expect(formatIpv4(value)).toBe(text);
  });

  it('parses CIDRs and names the intended network when host bits are set', () => {
    expect(parseCidr('10.244.0.0/16')).toEqual({ network: { base: parseIpv4('10.244.0.0'), prefix: 16 } });
    expect(parseCidr('10.244.1.0/16')).toEqual({ reason: expect.stringContaining('10.244.0.0/16') });
    expect(parseCidr('10.244.0.0/33')).toHaveProperty('reason');
    expect(parseCidr('10.244.0.0')).toHaveProperty('reason');
  });

  it('detects overlaps in both directions and adjacency as no overlap', () => {
    const net = (text: string) => (parseCidr(text) as { network: { base: number; prefix: number } }).network;
    expect(networksOverlap(net('10.96.0.0/12'), net('10.100.0.0/16'))).toBe(true);
    expect(networksOverlap(net('10.100.0.0/16'), net('10.96.0.0/12'))).toBe(true);
    expect(networksOverlap(net('10.244.0.0/16'), net('10.245.0.0/16'))).toBe(false);
  });

  it('splits host:port and refuses bad ports', () => {
    expect(parseHostPort('192.0.2.100:6443')).toEqual({ host: '192.0.2.100', port: 6443 });
    expect(parseHostPort('192.0.2.100:0')).toHaveProperty('reason');
    expect(parseHostPort('192.0.2.100')).toHaveProperty('reason');
  });

  it('knows reserved ranges', () => {
    expect(reservedUse(parseIpv4('127.0.0.1') as number)).toMatch(/loopback/);
    expect(reservedUse(parseIpv4('224.0.0.18') as number)).toMatch(/multicast/);
    expect(reservedUse(parseIpv4('192.0.2.1') as number)).toBeUndefined();
  });
});
