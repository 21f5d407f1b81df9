import type { StepCases } from '../../contract/step-contract';
import { etcdSnapshot } from './etcd-snapshot';

const params = { name: 'etcd-20261206T093000Z.db' };

/** etcd.snapshot: none yet → take it; a good one of this name → noop; a broken file of this name → take it again. */
export const contract: StepCases = {
  step: etcdSnapshot,
  firstRun: { params, facts: { statusTool: 'etcdutl', existing: undefined } },
  noop: { params, facts: { statusTool: 'etcdutl', existing: { hash: 1, revision: 4021, totalKey: 911, totalSize: 2_392_064 } } },
  drift: { params, facts: { statusTool: 'etcdutl', existing: 'broken' } },
};
