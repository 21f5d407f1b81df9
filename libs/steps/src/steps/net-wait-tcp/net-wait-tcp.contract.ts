import type { StepCases } from '../../contract/step-contract';
import { netWaitTcp } from './net-wait-tcp';

const waitParams = { host: '192.0.2.100', port: 6443, timeoutSeconds: 300 };

/** net.wait-tcp: the endpoint not accepting yet; accepting; gone away again (wait as the first time). */
export const contract: StepCases = {
  step: netWaitTcp,
  firstRun: { params: waitParams, facts: { accepting: false } },
  noop: { params: waitParams, facts: { accepting: true } },
  drift: { params: waitParams, facts: { accepting: false } },
};
