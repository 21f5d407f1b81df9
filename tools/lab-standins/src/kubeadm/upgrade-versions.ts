import type { KubeApi } from '../common/kube-api';
import { resourceByRest } from '../common/resources';
import { KubeadmError } from './kubeadm-error';

const NODES = resourceByRest('', 'nodes');

/** "v1.33.2" → [1, 33, 2]; a KubeadmError for anything else (kubeadm's version.ParseSemantic). */
export function parseVersion(version: string): [number, number, number] {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match) throw new KubeadmError(`couldn't parse Kubernetes version "${version}": give an exact version such as "v1.34.2"`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** -1, 0 or 1 comparing two versions. */
export function compareVersions(a: string, b: string): number {
  const [pa, pb] = [parseVersion(a), parseVersion(b)];
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return Math.sign((pa[i] ?? 0) - (pb[i] ?? 0));
  return 0;
}

/** The versions kubeadm upgrade compares (kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/versiongetter.go). */
export interface ClusterVersions {
  /** The API server's /version (KubeVersionGetter.ClusterVersion: client.Discovery().ServerVersion()). */
  cluster: string;
  kubeadm: string;
  /** kubelet version → node names (KubeletVersions: every Node's status.nodeInfo.kubeletVersion). */
  kubelets: Map<string, string[]>;
}

/** Reads the cluster's and the kubelets' versions through the API. */
export async function readClusterVersions(api: KubeApi, kubeadmVersion: string): Promise<ClusterVersions> {
  const res = await api.client.request('GET', '/version');
  const cluster = (res.body as { gitVersion?: string } | undefined)?.gitVersion;
  if (res.status !== 200 || !cluster) throw new KubeadmError(`[upgrade/versions] FATAL: Unable to fetch cluster version: the server answered /version with ${res.status}`);
  const kubelets = new Map<string, string[]>();
  for (const node of await api.list(NODES)) {
    const version = (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion;
    if (version) kubelets.set(version, [...(kubelets.get(version) ?? []), node.metadata?.name ?? '']);
  }
  return { cluster, kubeadm: kubeadmVersion, kubelets };
}

/** What EnforceVersionPolicies found: fatal errors, and errors --force skips. */
export interface VersionSkewErrors {
  mandatory: string[];
  skippable: string[];
}

/** kubeadm's skew limits (policy.go MaximumAllowedMinorVersionUpgradeSkew, ...DowngradeSkew, ...KubeletSkew). */
const MAX_UPGRADE_SKEW = 1;
const MAX_DOWNGRADE_SKEW = 1;
const MAX_KUBELET_SKEW = 1;

/**
 * kubernetes/kubernetes cmd/kubeadm/app/phases/upgrade/policy.go EnforceVersionPolicies,
 * for released versions (no pre-release suffixes in the lab): at most one minor up or down,
 * kubeadm not older than the target (a newer minor is fatal, a newer patch skippable),
 * a kubeadm of a newer minor than the target and kubelets more than one minor behind are
 * skippable with --force.
 */
export function versionSkewErrors(versions: ClusterVersions, target: string): VersionSkewErrors {
  const errors: VersionSkewErrors = { mandatory: [], skippable: [] };
  const [, clusterMinor] = parseVersion(versions.cluster);
  const [kubeadmMajor, kubeadmMinor] = parseVersion(versions.kubeadm);
  const [targetMajor, targetMinor] = parseVersion(target);
  if (targetMinor > clusterMinor + MAX_UPGRADE_SKEW) errors.mandatory.push(`Specified version to upgrade to "${target}" is too high; kubeadm can upgrade only ${MAX_UPGRADE_SKEW} minor version at a time`);
  if (targetMinor < clusterMinor - MAX_DOWNGRADE_SKEW) errors.mandatory.push(`Specified version to downgrade to "${target}" is too low; kubeadm can downgrade only ${MAX_DOWNGRADE_SKEW} minor version at a time`);
  if (compareVersions(versions.kubeadm, target) < 0) {
    if (targetMinor > kubeadmMinor) {
      errors.mandatory.push(`Specified version to upgrade to "${target}" is at least one minor release higher than the kubeadm minor release (${targetMinor} > ${kubeadmMinor}). Such an upgrade is not supported`);
    } else {
      errors.skippable.push(`Specified version to upgrade to "${target}" is higher than the kubeadm version "${versions.kubeadm}". Upgrade kubeadm first using the tool you used to install kubeadm`);
    }
  }
  if (kubeadmMajor > targetMajor || kubeadmMinor > targetMinor) errors.skippable.push(`Kubeadm version ${versions.kubeadm} can only be used to upgrade to Kubernetes version ${kubeadmMajor}.${kubeadmMinor}`);
  const tooOld = [...versions.kubelets.keys()].filter((version) => targetMinor > parseVersion(version)[1] + MAX_KUBELET_SKEW);
  if (tooOld.length > 0) errors.skippable.push(`There are kubelets in this cluster that are too old that have these versions [${tooOld.join(' ')}]`);
  return errors;
}

/** kubeadmutil.FormatErrMsg: one "\t- message\n" per error. */
function formatErrMsg(errors: readonly string[]): string {
  return errors.map((error) => `\t- ${error}\n`).join('');
}

/** cmd/kubeadm/app/cmd/upgrade/apply.go's refusal: fatal errors always, skippable ones unless --force. */
export function enforceVersionPolicies(versions: ClusterVersions, target: string, force: boolean, log: (line: string) => void): void {
  const errors = versionSkewErrors(versions, target);
  if (errors.mandatory.length > 0) {
    throw new KubeadmError(`[upgrade/version] FATAL: the --version argument is invalid due to these fatal errors:\n\n${formatErrMsg(errors.mandatory)}\nPlease fix the misalignments highlighted above and try upgrading again`);
  }
  if (errors.skippable.length === 0) return;
  if (!force) throw new KubeadmError(`[upgrade/version] FATAL: the --version argument is invalid due to these errors:\n\n${formatErrMsg(errors.skippable)}\nCan be bypassed if you pass the --force flag`);
  log(`[upgrade/version] Found ${errors.skippable.length} potential version compatibility errors but skipping since the --force flag is set: \n\n${formatErrMsg(errors.skippable)}`);
}

/**
 * Go's text/tabwriter as kubeadm's upgrade plan sets it up (tabwriter.NewWriter(w, 10, 4, 3,
 * ' ', 0)): every cell but a line's last is padded to its column's widest cell plus 3, at
 * least 10.
 */
export function tabwrite(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Math.max(10, cell.length + 3))));
  return rows.map((row) => `${row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join('')}\n`).join('');
}
