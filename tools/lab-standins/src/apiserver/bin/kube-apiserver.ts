import { EtcdClient } from '../../common/etcd-client';
import { flag, parseArgs } from '../../common/flags';
import { labNow } from '../../host/lab-clock';
import { readTlsFiles } from '../../common/tls-files';
import { ApiServer } from '../server';

/**
 * kube-apiserver stand-in. Takes kube-apiserver's own flags (the subset kubeadm's manifest
 * uses): --advertise-address, --bind-address, --secure-port, --etcd-servers, --etcd-cafile,
 * --etcd-certfile, --etcd-keyfile, --tls-cert-file, --tls-private-key-file, --client-ca-file,
 * plus the controller-manager's --cluster-signing-cert-file/--cluster-signing-key-file.
 */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), new Set());
  const need = (name: string): string => {
    const value = flag(args, name);
    if (!value) throw new Error(`kube-apiserver: missing required flag --${name}`);
    return value;
  };
  const etcdTls = readTlsFiles(need('etcd-cafile'), need('etcd-certfile'), need('etcd-keyfile'));
  const etcd = new EtcdClient(need('etcd-servers').split(','), etcdTls, 2000);
  const server = new ApiServer({
    bindAddress: flag(args, 'bind-address') ?? flag(args, 'advertise-address') ?? '0.0.0.0',
    port: Number(flag(args, 'secure-port') ?? '6443'),
    tlsCertFile: need('tls-cert-file'),
    tlsKeyFile: need('tls-private-key-file'),
    clientCaFile: need('client-ca-file'),
    signingCa: { certFile: need('cluster-signing-cert-file'), keyFile: need('cluster-signing-key-file') },
    etcd,
    etcdTls,
    now: () => labNow(),
    kubernetesVersion: flag(args, 'kubernetes-version') ?? 'v1.33.0',
  });
  await server.listen();
  process.stdout.write(`kube-apiserver stand-in serving on ${flag(args, 'bind-address') ?? flag(args, 'advertise-address')}:${flag(args, 'secure-port') ?? '6443'}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
