import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../src/journal/secret-registry';
import { buildModel } from '../../src/report/build-model';
import { renderReportPage } from '../../src/report/render-html';
import { findSecretShapes } from '../../src/report/secret-shapes';
import { syntheticJournal } from './synthetic-journal';

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;
const page = (workers: number, options: { fail?: Set<string>; mono?: boolean } = {}) =>
  renderReportPage(buildModel(syntheticJournal({ workers, ...(options.fail ? { fail: options.fail } : {}) }), { open: false }), { cluster: 'seed-ha', mono: options.mono ?? false });

describe('renderReportPage', () => {
  it('is one self-contained page: inline style, no script, no URL to load, a policy that forbids loads', () => {
    const html = page(3);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:|src=|href=/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
  });

  it('has a row per host, a bar per step with its result, stage boundaries, the critical path, failures with stderr, totals', () => {
    const html = page(3, { fail: new Set(['worker2/kubeadm.join']) });
    expect(count(html, /class="row"/g)).toBe(6);
    const model = buildModel(syntheticJournal({ workers: 3, fail: new Set(['worker2/kubeadm.join']) }), { open: false });
    expect(count(html, /class="bar /g)).toBe(model.bars.length);
    expect(count(html, /data-result="failed"/g)).toBe(1);
    expect(count(html, /data-result="noop"/g)).toBe(6); // swap.off on each host
    expect(count(html, /class="bound"/g)).toBe(model.stages.length);
    expect(count(html, /data-critical="true"/g)).toBe(model.critical.length);
    expect(model.critical.length).toBeGreaterThan(5);
    expect(html).toContain('<pre class="stderr">E1206 06:00:01 simulated failure\nfatal: it broke</pre>');
    expect(html).toContain('command: <code>kubeadm.join --apply</code>, exit code 1');
    expect(html).toMatch(/<h2 id="h-stages">Per stage<\/h2>/);
    expect(html).toMatch(/<th scope="row">worker3<\/th>/);
    expect(html).toMatch(/title="join-workers\/kubeadm.join@worker2: failed\n/);
  });

  it('marks NO_COLOR pages black and white, and dense rows for many hosts', () => {
    expect(page(3, { mono: true })).toContain('<body class="mono">');
    expect(page(3)).toContain('<body>');
    expect(page(60)).toContain('<body class="dense">');
  });

  it('escapes journal text and scrubs secret values and secret shapes', () => {
    const records = syntheticJournal({ workers: 1, fail: new Set(['worker1/kubeadm.join']) });
    const failed = records.find((record) => record.status === 'failed')!;
    failed.error = { code: 'COMMAND_FAILED', message: '<img src=x onerror=alert(1)> token abcdef.0123456789abcdef', stderrTail: `key ${'0f'.repeat(32)} hash sha256:${'ab'.repeat(32)} pass hunter22hunter` };
    const secrets = new SecretRegistry();
    secrets.add('hunter22hunter');
    const html = renderReportPage(buildModel(records, { open: false }), { cluster: 'seed-ha', mono: false, secrets });
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(findSecretShapes(html)).toEqual([]);
    expect(html).not.toContain('hunter22hunter');
    expect(html).toContain(`sha256:${'ab'.repeat(32)}`);
  });

  it('grows linearly: 1,000 hosts take about 10 times the elements of 100 hosts, and fit one file', () => {
    const elements = (workers: number) => {
      const html = page(workers);
      return { tags: count(html, /<[a-z]/g), bars: count(html, /class="bar /g), bytes: html.length };
    };
    const small = elements(97);
    const large = elements(997);
    expect(large.bars - small.bars).toBe(900 * 6); // six steps per worker
    // Every element belongs to a host, a bar, a stage or the fixed frame: no pairwise growth.
    expect(large.tags / small.tags).toBeLessThan(10.5);
    expect(large.tags).toBeLessThan(3 * large.bars + 1_000 * 12 + 500);
    expect(large.bytes).toBeLessThan(12_000_000);
  });
});
