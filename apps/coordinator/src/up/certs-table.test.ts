import { describe, expect, it } from 'vitest';
import { certsTable, earliestOf, type HostCerts } from './certs-table';

const cert = (name: string, days: number, extra: Partial<HostCerts['certificates'][number]> = {}) => ({
  name,
  expires: new Date(Date.UTC(2027, 0, 1) + days * 86_400_000).toISOString().replace('.000Z', 'Z'),
  residualSeconds: days * 86_400,
  ca: 'ca',
  externallyManaged: false,
  missing: false,
  ...extra,
});
const hosts: HostCerts[] = [
  { host: 'master2', certificates: [cert('admin.conf', 300), cert('apiserver', 12), cert('super-admin.conf', 0, { missing: true, expires: undefined, ca: undefined })], authorities: [cert('ca', 3600, { ca: undefined })] },
  { host: 'master1', certificates: [cert('admin.conf', 200), cert('apiserver', 200)], authorities: [] },
];
const plain = { bold: (t: string) => t, red: (t: string) => `RED[${t}]`, yellow: (t: string) => t };

describe('the kumi certs table', () => {
  it('one row per host and certificate, hosts sorted, the earliest present certificate marked (red under 30 days) and named below', () => {
    expect(earliestOf(hosts)).toEqual({ host: 'master2', name: 'apiserver', expires: '2027-01-13T00:00:00Z', residualSeconds: 12 * 86_400 });
    expect(certsTable(hosts, plain).split('\n')).toEqual([
      'HOST     CERTIFICATE       EXPIRES               RESIDUAL  CA',
      'master1  admin.conf        2027-07-20T00:00:00Z  200d      ca',
      'master1  apiserver         2027-07-20T00:00:00Z  200d      ca',
      'master2  admin.conf        2027-10-28T00:00:00Z  300d      ca',
      'RED[master2  apiserver         2027-01-13T00:00:00Z  12d       ca  <- earliest]',
      'master2  super-admin.conf  MISSING',
      '',
      'HOST     CERTIFICATE AUTHORITY  EXPIRES               RESIDUAL',
      'master2  ca                     2036-11-09T00:00:00Z  3600d',
      '',
      'earliest: apiserver on master2 expires 2027-01-13T00:00:00Z (12d left); renew with `kumi certs renew SPEC`',
      '',
    ]);
  });

  it('says so when no control plane reported a certificate', () => {
    expect(earliestOf([])).toBeUndefined();
    expect(certsTable([], plain)).toContain('no certificate found');
  });
});
