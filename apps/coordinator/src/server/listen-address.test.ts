import { describe, expect, it } from 'vitest';
import { formatListenAddress, parseListenAddress } from './listen-address';

describe('parseListenAddress', () => {
  it.each([
    ['0.0.0.0:7443', { host: '0.0.0.0', port: 7443 }, '0.0.0.0:7443'],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }, '127.0.0.1:0'],
    ['[::]:7443', { host: '::', port: 7443 }, '[::]:7443'],
    ['kumi.example:443', { host: 'kumi.example', port: 443 }, 'kumi.example:443'],
  ])('%s', (text, parsed, formatted) => {
    expect(parseListenAddress(text)).toEqual(parsed);
    expect(formatListenAddress(parsed)).toBe(formatted);
  });

  it.each(['7443', '0.0.0.0', 'host:99999', '::1:7443', 'a b:1'])('refuses "%s" with the expected form', (text) => {
    expect(() => parseListenAddress(text)).toThrow(/use HOST:PORT, e\.g\. 0\.0\.0\.0:7443/);
  });
});
