import type { JournalRecord } from '../../src/journal/journal';

/** Options of syntheticJournal. */
export interface SyntheticOptions {
  workers: number;
  run?: string;
  /** `host/step` pairs that fail (with a stderr tail). */
  fail?: ReadonlySet<string>;
}

/**
 * The records a seed-shaped build of 3 control planes and `workers` workers would journal,
 * with the scheduler's ordering: stages in order, lanes in parallel (one at a time for the
 * control-plane joins), every step of a host after the previous one. Deterministic.
 */
export function syntheticJournal(options: SyntheticOptions): JournalRecord[] {
  const run = options.run ?? 'synthetic-run';
  const t0 = Date.parse('2026-12-06T06:00:00.000Z');
  const masters = ['master1', 'master2', 'master3'];
  const workers = Array.from({ length: options.workers }, (_, index) => `worker${index + 1}`);
  const hosts = [...masters, ...workers];
  const records: JournalRecord[] = [];
  const push = (ms: number, path: string, host: string, status: JournalRecord['status'], extra: Partial<JournalRecord> = {}) =>
    records.push({ time: new Date(t0 + ms).toISOString(), run, path, host, status, ...extra });
  let now = 0;
  const lane = (stage: string, host: string, steps: ReadonlyArray<[string, number]>, start: number): number => {
    let at = start;
    for (const [step, ms] of steps) {
      push(at, `${stage}/${step}`, host, 'started');
      at += ms;
      const failed = options.fail?.has(`${host}/${step}`);
      push(at, `${stage}/${step}`, host, failed ? 'failed' : ms < 20 ? 'noop' : 'done', failed ? { error: { code: 'COMMAND_FAILED', message: `${step} exited 1`, exitCode: 1, command: `${step} --apply`, stderrTail: 'E1206 06:00:01 simulated failure\nfatal: it broke' } } : {});
    }
    return at;
  };
  const parallel = (stage: string, of: readonly string[], steps: (host: string, index: number) => ReadonlyArray<[string, number]>) => {
    now = Math.max(...of.map((host, index) => lane(stage, host, steps(host, index), now))) + 5;
  };
  parallel('preflight', hosts, (_, index) => [['preflight', 300 + (index % 7) * 40]]);
  parallel('prepare', hosts, (_, index) => [['swap.off', 10], ['kernel.modules', 120 + (index % 5) * 30], ['runtime.containerd', 900 + (index % 11) * 60], ['kubeadm.install', 700 + (index % 3) * 90]]);
  parallel('init', ['master1'], () => [['kubeadm.init', 2_400], ['kubeadm.admin-kubeconfig', 40]]);
  parallel('pod-network', ['master1'], () => [['cni.flannel', 600]]);
  for (const master of masters.slice(1)) now = lane('join-control-planes', master, [['kubeadm.join', 1_800], ['kubeadm.admin-kubeconfig', 30]], now) + 3;
  now += 2;
  parallel('join-workers', workers, (_, index) => [['kubeadm.join', 700 + (index % 9) * 50]]);
  parallel('verify', ['master1'], () => [['verify', 350]]);
  return records;
}
