import { describe, expect, it } from 'vitest';
import { serverSans } from './cluster-init';

describe('serverSans', () => {
  it('splits IPs from DNS names and always adds localhost and 127.0.0.1', () => {
    expect(serverSans(['192.0.2.10', 'Kumi.Example', '2001:db8::1', '127.0.0.1'])).toEqual({
      dnsNames: ['localhost', 'kumi.example'],
      ipAddresses: ['127.0.0.1', '192.0.2.10', '2001:db8::1'],
    });
  });

  it.each(['192.0.2.10:7443', 'https://kumi', 'bad_name', ''])('refuses "%s"', (address) => {
    expect(() => serverSans([address])).toThrow(/invalid --address .*IP address or a DNS name/);
  });
});
