import { writeFileSync } from 'node:fs';
const r = (path, host, status = 'done', workflow = 'up') => JSON.stringify({ time: '2026-12-06T09:00:00Z', run: 'r1', workflow, path, host, status });
writeFileSync('/tmp/d2m-plan/state/journal.ndjson', [r('init/kubeadm.init', 'master1'), r('join-control-planes/kubeadm.join', 'master2'), r('join-control-planes/kubeadm.join', 'master3'), r('join-workers/kubeadm.join', 'worker1'), r('join-workers/kubeadm.join', 'worker2')].join('\n') + '\n');
