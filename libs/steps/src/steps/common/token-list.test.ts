import { describe, expect, it } from 'vitest';
import { parseKubeadmVersion } from './kubeadm-state';
import { parseJsonStream, parseTokenTable } from './token-list';

describe('kubeadm output parsing', () => {
  it('reads token ids and expiry from the JSON stream and from the table', () => {
    expect(parseJsonStream('{"token":"abcdef.x","a":{"b":"}"}}\n{"token":"ghijkl.y"}').map((item) => item['token'])).toEqual(['abcdef.x', 'ghijkl.y']);
    const table = [
      'TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION       EXTRA GROUPS',
      'k7x2pq.0123456789abcdef   1h          2026-11-27T12:00:00Z   authentication,signing   kumi join token   system:bootstrappers:kubeadm:default-node-token',
      'zzzzzz.0123456789abcdef   <forever>   <never>                signing                  <none>            <none>',
    ].join('\n');
    expect(parseTokenTable(table)).toEqual([
      { id: 'k7x2pq', expires: '2026-11-27T12:00:00Z', description: '' },
      { id: 'zzzzzz', expires: '', description: '' },
    ]);
  });

  it('reads the kubeadm version in short and long form', () => {
    expect(parseKubeadmVersion('v1.33.2\n')).toBe('1.33.2');
    expect(parseKubeadmVersion('kubeadm version: &version.Info{Major:"1", Minor:"34", GitVersion:"v1.34.2", Platform:"linux/amd64"}\n')).toBe('1.34.2');
  });
});
