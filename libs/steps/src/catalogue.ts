import type { AnyStep } from './step';
import { kernelModules } from './steps/kernel-modules/kernel-modules';
import { netWaitTcp } from './steps/net-wait-tcp/net-wait-tcp';
import { swapOff } from './steps/swap-off/swap-off';
import { sysctlKubernetes } from './steps/sysctl-kubernetes/sysctl-kubernetes';

/** Every compiled-in step. Add a step by adding one line here. */
const allSteps: readonly AnyStep[] = [
  swapOff,
  kernelModules,
  sysctlKubernetes,
  netWaitTcp,
];

/** The steps an agent may run, by id. Nothing outside it can be run. */
export const catalogue: ReadonlyMap<string, AnyStep> = catalogueOf(allSteps);

/** The step with this id, or undefined when the catalogue has none. */
export function findStep(id: string): AnyStep | undefined {
  return catalogue.get(id);
}

function catalogueOf(steps: readonly AnyStep[]): ReadonlyMap<string, AnyStep> {
  const byId = new Map<string, AnyStep>();
  for (const step of steps) {
    if (byId.has(step.id)) throw new Error(`two steps share the id "${step.id}": step ids must be unique`);
    byId.set(step.id, step);
  }
  return byId;
}
