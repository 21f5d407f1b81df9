import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesFor } from '../src/kubeadm/images';
import { renderTokenList } from '../src/kubeadm/token-output';
import { renderVersion } from '../src/kubeadm/version-cmd';

// Where kumi parses a tool's output, the stand-in prints what the real tool prints: golden
// files from the upstream sources (fixtures/upstream/README.md names each one's origin).

const golden = (name: string): string => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', 'upstream', name), 'utf8');
const token = { token: 'abcdef.1234567890123456', description: 'valid bootstrap tooken', usages: ['signing', 'authentication'], groups: ['system:bootstrappers:kubeadm:default-node-token'] };

describe('kubeadm output against upstream goldens', () => {
  it('token list -o json and -o yaml: kubeadm TestTokenOutput', () => {
    expect(renderTokenList([token], 'json', new Date())).toBe(golden('kubeadm-token-list.json'));
    expect(renderTokenList([token], 'yaml', new Date())).toBe(golden('kubeadm-token-list.yaml'));
  });

  it('version: the v1.33 Info line (with Emulation* fields), short form for kumi', () => {
    expect(renderVersion('v1.33.2', undefined, { gitCommit: 'a57b6f7709f6c2722b92f07b8b4c48210a51fc40', buildDate: '2025-06-17T18:39:42Z', goVersion: 'go1.24.4' })).toBe(golden('kubeadm-version-v1.33.2.txt'));
    expect(renderVersion('v1.32.4', undefined)).not.toContain('EmulationMajor');
    expect(renderVersion('v1.33.2', 'short')).toBe('v1.33.2\n');
  });

  it('config images list: one image per line in kubeadm\'s order', () => {
    expect(`${imagesFor('v1.33.2').join('\n')}\n`).toBe(golden('kubeadm-config-images-list-v1.33.2.txt'));
  });
});
