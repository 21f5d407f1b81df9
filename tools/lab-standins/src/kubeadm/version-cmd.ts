import { goYaml } from '../common/go-yaml';
import { type InstalledPackage, installedPackages } from '../packages/package-db';
import { KubeadmError } from './kubeadm-error';

/** The version a kubeadm binary reports when no package says otherwise (loopback tests). */
export const DEFAULT_KUBEADM_VERSION = 'v1.34.2';

/** "v1.33.2" from the installed kubeadm package ("1.33.2-1.1" deb, "1.33.2-150500.1.1" rpm). */
export function kubeadmGitVersion(installed: Readonly<Record<string, InstalledPackage>>): string {
  const upstream = /^(\d+\.\d+\.\d+)/.exec(installed.kubeadm?.version ?? '')?.[1];
  return upstream ? `v${upstream}` : DEFAULT_KUBEADM_VERSION;
}

/** What a kubeadm binary knows of its build (GitCommit, BuildDate, GoVersion of version.Info). */
export interface BuildInfo {
  readonly gitCommit: string;
  readonly buildDate: string;
  readonly goVersion: string;
}

/** The lab's kubeadm has no real build: empty commit and date, as a `go build` without ldflags reports. */
const LAB_BUILD: BuildInfo = { gitCommit: '', buildDate: '', goVersion: 'go1.24.9' };

/**
 * `kubeadm version [-o short|json|yaml]`: the long `&version.Info{...}` line by default (Go's
 * %#v of k8s.io/apimachinery pkg/version Info; from v1.33 Info has the Emulation* and
 * MinCompatibility* fields, which json/yaml omit when empty), "vX.Y.Z" for short,
 * `{"clientVersion": {...}}` for json (2-space indent) and yaml.
 */
export function renderVersion(gitVersion: string, format: string | undefined, build: BuildInfo = LAB_BUILD): string {
  const [major = '', minor = ''] = gitVersion.replace(/^v/, '').split('.');
  const compatibility = Number(minor) >= 33 ? 'EmulationMajor:"", EmulationMinor:"", MinCompatibilityMajor:"", MinCompatibilityMinor:"", ' : '';
  const info = { major, minor, gitVersion, gitCommit: build.gitCommit, gitTreeState: 'clean', buildDate: build.buildDate, goVersion: build.goVersion, compiler: 'gc', platform: 'linux/amd64' };
  switch (format ?? '') {
    case '':
      return `kubeadm version: &version.Info{Major:"${major}", Minor:"${minor}", ${compatibility}GitVersion:"${gitVersion}", GitCommit:"${build.gitCommit}", GitTreeState:"clean", BuildDate:"${build.buildDate}", GoVersion:"${build.goVersion}", Compiler:"gc", Platform:"linux/amd64"}\n`;
    case 'short':
      return `${gitVersion}\n`;
    case 'json':
      return `${JSON.stringify({ clientVersion: info }, null, 2)}\n`;
    case 'yaml':
      return goYaml({ clientVersion: info });
    default:
      throw new KubeadmError(`invalid output format: ${format ?? ''}`);
  }
}

/**
 * This kubeadm's own version: the host's installed kubeadm package; a loopback host (no
 * package database of its own) names it in KUMI_STANDIN_KUBEADM_VERSION; else DEFAULT_KUBEADM_VERSION.
 */
export function installedKubeadmVersion(env: NodeJS.ProcessEnv = process.env): string {
  const loopback = env.KUMI_STANDIN_KUBEADM_VERSION;
  if (loopback !== undefined && /^v1\.\d+\.\d+$/.test(loopback)) return loopback;
  return kubeadmGitVersion(installedPackages());
}

/** `kubeadm version` for this host: the version of its installed kubeadm package. */
export function hostKubeadmVersion(format: string | undefined): string {
  return renderVersion(installedKubeadmVersion(), format);
}
