import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { initDoneText, joinCommand, joinCommandOneLine, shortHumanDuration, tabulate } from '../src/kubeadm/output';

const fixture = fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'kubeadm-init-upload-certs.txt'), 'utf8');
const HASH = `sha256:${'0'.repeat(64)}`;
const KEY = '0123456789abcdef'.repeat(4);
const input = { endpoint: '192.0.2.100:6443', token: 'abcdef.0123456789abcdef', caCertHashes: [HASH] };

describe('kubeadm output format', () => {
  it('renders init --upload-certs exactly as kubeadm 1.21+ does', () => {
    const text = initDoneText({
      controlPlaneJoin: joinCommand({ ...input, controlPlane: true, certificateKey: KEY }),
      workerJoin: joinCommand({ ...input, controlPlane: false }),
      certificateKeyUploaded: true,
      hasControlPlaneEndpoint: true,
    });
    expect(text).toBe(fixture);
  });

  it('indents only the first line of the control-plane command by two spaces and continues with TABs', () => {
    const lines = joinCommand({ ...input, controlPlane: true, certificateKey: KEY }).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^kubeadm join \S+ --token \S+ \\$/);
    expect(lines[1]).toBe(`\t--discovery-token-ca-cert-hash ${HASH} \\`);
    expect(lines[2]).toBe(`\t--control-plane --certificate-key ${KEY}`);
  });

  it('keeps the trailing space after the hash of the worker command', () => {
    expect(joinCommand({ ...input, controlPlane: false }).endsWith(`${HASH} `)).toBe(true);
  });

  it('prints the token create --print-join-command form on one line', () => {
    expect(joinCommandOneLine({ ...input, controlPlane: false })).toBe(`kubeadm join 192.0.2.100:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${HASH} `);
  });

  it('says "by copying certificate authorities" when the certificates were not uploaded', () => {
    const text = initDoneText({ controlPlaneJoin: joinCommand({ ...input, controlPlane: true }), workerJoin: joinCommand({ ...input, controlPlane: false }), certificateKeyUploaded: false, hasControlPlaneEndpoint: true });
    expect(text).toContain('You can now join any number of control-plane nodes by copying certificate authorities');
    expect(text).toContain('\t--control-plane \n');
    expect(text).not.toContain('certificate-key');
  });

  it('formats token list TTLs and columns like kubeadm', () => {
    expect(shortHumanDuration(23 * 3_600_000 + 59 * 60_000)).toBe('23h');
    expect(shortHumanDuration(90_000)).toBe('90s');
    expect(shortHumanDuration(undefined)).toBe('<forever>');
    expect(tabulate([['TOKEN', 'TTL'], ['abcdef.0123456789abcdef', '23h']])).toBe('TOKEN                     TTL\nabcdef.0123456789abcdef   23h\n');
  });
});
