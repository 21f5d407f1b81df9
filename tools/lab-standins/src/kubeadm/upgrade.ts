import type { ParsedArgs } from '../common/flags';
import type { KubeadmContext } from './cli-context';
import { KubeadmError } from './kubeadm-error';
import { runUpgradeApply } from './upgrade-apply';
import { runUpgradeNode } from './upgrade-node';
import { runUpgradePlan } from './upgrade-plan';

/** `kubeadm upgrade plan|apply|node` (cmd/kubeadm/app/cmd/upgrade/upgrade.go); `diff` is not in the lab. */
export async function runUpgrade(args: ParsedArgs, ctx: KubeadmContext): Promise<void> {
  const [sub, ...rest] = args.positionals;
  const next = { ...args, positionals: rest };
  if (sub === 'plan') await runUpgradePlan(next, ctx);
  else if (sub === 'apply') await runUpgradeApply(next, ctx);
  else if (sub === 'node') await runUpgradeNode(next, ctx);
  else throw new KubeadmError(`unknown command "${sub ?? ''}" for "kubeadm upgrade"\nRun 'kubeadm upgrade --help' for usage.`);
}
