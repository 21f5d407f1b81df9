import { checkReportDom, type ReportDom } from '@kumi/browser-test';
import { describe, expect, it } from 'vitest';
import { findSecretShapes as secretShapes } from '../../src/report/secret-shapes';

const bar = (host: string, path: string, result = 'done', critical = false) => ({ host, path: `${path}@${host}`, result, critical, title: `${path}@${host}: ${result}`, widthPx: 20 });
const dom = (): ReportDom => ({
  title: 'kumi build',
  outcome: 'failed',
  hosts: ['m1', 'w1'],
  bars: [bar('m1', 'preflight/preflight', 'done', true), bar('w1', 'preflight/preflight'), bar('w1', 'join-workers/kubeadm.join', 'failed', true)],
  problems: ['join-workers/kubeadm.join@w1'],
  stderr: ['fatal'],
  stageBounds: ['preflight', 'join-workers'],
  criticalList: ['preflight/preflight@m1', 'join-workers/kubeadm.join@w1'],
  totals: { stages: ['preflight', 'join-workers'], hosts: ['m1', 'w1'] },
  legend: ['done', 'noop', 'failed', 'interrupted', 'running', 'planned', 'critical path'],
  elements: 40,
});

describe('checkReportDom (what the browser tests and the lab assert)', () => {
  it('accepts a consistent report', () => {
    expect(checkReportDom(dom(), '<main></main>', { hosts: ['m1', 'w1'], secretShapes })).toMatchObject({ outcome: 'failed' });
  });

  it('names each thing that is wrong', () => {
    const wrong = dom();
    wrong.bars[1]!.critical = true; // marked, but not in the list
    wrong.problems = []; // a failed bar with no failure entry
    wrong.stageBounds = ['preflight'];
    const check = () => checkReportDom(wrong, 'token abcdef.0123456789abcdef and hunter22hunter', { hosts: ['m1', 'w1', 'lb1'], secrets: ['hunter22hunter'], secretShapes });
    expect(check).toThrow(/no row for host\(s\) lb1/);
    expect(check).toThrow(/the critical path list differs from the marked bars/);
    expect(check).toThrow(/failures listed \(\) differ from failed bars \(join-workers\/kubeadm.join@w1\)/);
    expect(check).toThrow(/stage boundaries preflight do not match/);
    expect(check).toThrow(/1 secret-shaped string\(s\) in the page; 1 known secret value\(s\) in the page/);
  });
});
