import fs from 'node:fs';
import { ApiClient } from '../common/api-client';
import { argPath, type HostEnv, hostPath, KubePaths } from '../common/host-env';
import { KubeApi } from '../common/kube-api';
import { loadKubeconfig } from '../common/kubeconfig';
import { flag, type ParsedArgs } from '../common/flags';

/** What each kubectl command gets. */
export interface KubectlContext {
  readonly api: KubeApi;
  readonly args: ParsedArgs;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readStdin: () => Promise<string>;
}

/** A kubectl failure; printed as "error: <message>" with exit code 1 unless told otherwise. */
export class KubectlError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly raw = false,
  ) {
    super(message);
    this.name = 'KubectlError';
  }
}

/** kubectl's kubeconfig choice: --kubeconfig, then $KUBECONFIG, then ~/.kube/config, then (lab hosts) /etc/kubernetes/admin.conf. */
export function resolveKubeconfig(args: ParsedArgs, host: HostEnv, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = flag(args, 'kubeconfig') ?? (env.KUBECONFIG && env.KUBECONFIG !== '' ? env.KUBECONFIG.split(':')[0] : undefined);
  if (explicit) return argPath(host, explicit);
  const home = hostPath(host, `${env.HOME ?? '/root'}/.kube/config`);
  if (fs.existsSync(home)) return home;
  const admin = hostPath(host, KubePaths.adminConf);
  if (fs.existsSync(admin)) return admin;
  throw new KubectlError('The connection to the server localhost:8080 was refused - did you specify the right host or port?', 1, true);
}

/** The API client for a kubeconfig file. */
export function apiFor(file: string): KubeApi {
  if (!fs.existsSync(file)) throw new KubectlError(`stat ${file}: no such file or directory`);
  return new KubeApi(new ApiClient(loadKubeconfig(file), { timeoutMs: 10_000 }));
}
