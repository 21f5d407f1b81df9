import YAML from 'yaml';
import { type InstalledPackage, installedPackages } from '../packages/package-db';
import { KubeadmError } from './kubeadm-error';

/** The version a kubeadm binary reports when no package says otherwise (loopback tests). */
export const DEFAULT_KUBEADM_VERSION = 'v1.34.2';

/** "v1.33.2" from the installed kubeadm package ("1.33.2-1.1" deb, "1.33.2-150500.1.1" rpm). */
export function kubeadmGitVersion(installed: Readonly<Record<string, InstalledPackage>>): string {
  const upstream = /^(\d+\.\d+\.\d+)/.exec(installed.kubeadm?.version ?? '')?.[1];
  return upstream ? `v${upstream}` : DEFAULT_KUBEADM_VERSION;
}

/**
 * `kubeadm version [-o short|json|yaml]`: the long `&version.Info{...}` line by default,
 * "vX.Y.Z" for short, `{"clientVersion": {...}}` for json (2-space indent) and yaml.
 */
export function renderVersion(gitVersion: string, format: string | undefined): string {
  const [major = '', minor = ''] = gitVersion.replace(/^v/, '').split('.');
  const info = { major, minor, gitVersion, gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: 'go1.24.9', compiler: 'gc', platform: 'linux/amd64' };
  switch (format ?? '') {
    case '':
      return `kubeadm version: &version.Info{Major:"${major}", Minor:"${minor}", GitVersion:"${gitVersion}", GitCommit:"", GitTreeState:"clean", BuildDate:"", GoVersion:"go1.24.9", Compiler:"gc", Platform:"linux/amd64"}\n`;
    case 'short':
      return `${gitVersion}\n`;
    case 'json':
      return `${JSON.stringify({ clientVersion: info }, null, 2)}\n`;
    case 'yaml':
      return YAML.stringify({ clientVersion: info });
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
