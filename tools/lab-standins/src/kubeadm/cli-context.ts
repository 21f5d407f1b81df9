import fs from 'node:fs';
import { ApiClient } from '../common/api-client';
import { type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { KubeApi } from '../common/kube-api';
import { loadKubeconfig } from '../common/kubeconfig';
import { labNow } from '../host/lab-clock';
import { KubeadmError } from './kubeadm-error';

/** What every kubeadm subcommand gets: the host, the lab clock, and where to print. */
export interface KubeadmContext {
  readonly host: HostEnv;
  readonly now: () => Date;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Opens the API from a kubeconfig file (tests put an in-memory API here); default: HTTPS to its server. */
  readonly connect?: (kubeconfigFile: string, server?: string) => KubeApi;
}

/** The default context: process env, lab clock, stdout/stderr. */
export function defaultContext(host: HostEnv): KubeadmContext {
  return { host, now: () => labNow(), out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
}

/** An API client from a kubeconfig file (default /etc/kubernetes/admin.conf), optionally aimed at another server. */
export function adminApi(ctx: KubeadmContext, kubeconfig?: string, server?: string): KubeApi {
  const file = kubeconfig ?? hostPath(ctx.host, KubePaths.adminConf);
  if (!fs.existsSync(file)) throw new KubeadmError(`failed to load admin kubeconfig: open ${file}: no such file or directory`);
  if (ctx.connect) return ctx.connect(file, server);
  const creds = loadKubeconfig(file);
  return new KubeApi(new ApiClient(server ? { ...creds, server } : creds));
}
