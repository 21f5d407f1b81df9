import { describe, expect, it } from 'vitest';
import { debianFacts } from '../../testing/host-facts';
import { fakeHost } from './fake-host';
import { probeVersion } from './probe-version';

describe('probeVersion', () => {
  it.each([
    ['stdout', { stdout: 'HAProxy version 2.6.12-1 2023/04/01\n' }, '2.6.12-1'],
    ['stderr', { stderr: 'Keepalived v2.2.7 (01/16,2022)\n' }, '2.2.7'],
    ['unparsed output of a working command', { stdout: 'something new\n' }, 'unknown'],
    ['a failing command', { exitCode: 127, stderr: 'not found' }, undefined],
  ] as const)('reads the version from %s', async (_case, answer, expected) => {
    const host = fakeHost(debianFacts, {}, { 'tool --version': answer });
    expect(await probeVersion(host, ['tool', '--version'], /(?:version|v)\s?(\d\S*)/i)).toBe(expected);
  });
});
