/** Inputs of kubeadm's join command template. */
export interface JoinCommandInput {
  readonly endpoint: string;
  readonly token: string;
  readonly caCertHashes: readonly string[];
  readonly controlPlane: boolean;
  readonly certificateKey?: string;
}

/**
 * kubeadm's join command (cmd/kubeadm/app/cmd/util/join.go, 1.21+): ` \` + newline + TAB
 * continuation lines, a space after each hash, `--control-plane ` then the key.
 */
export function joinCommand(input: JoinCommandInput): string {
  const hashes = input.caCertHashes.map((h) => `--discovery-token-ca-cert-hash ${h} `).join('');
  let text = `kubeadm join ${input.endpoint} --token ${input.token} \\\n\t${hashes}`;
  if (input.controlPlane) text += `\\\n\t--control-plane ${input.certificateKey ? `--certificate-key ${input.certificateKey}` : ''}`;
  return text;
}

/** The one-line form `kubeadm token create --print-join-command` prints. */
export function joinCommandOneLine(input: JoinCommandInput): string {
  return joinCommand(input).replace(/\\\n\t/g, '');
}

/** Inputs of kubeadm init's closing message. */
export interface InitDoneInput {
  readonly controlPlaneJoin: string;
  readonly workerJoin: string;
  readonly certificateKeyUploaded: boolean;
  readonly hasControlPlaneEndpoint: boolean;
}

/** kubeadm init's success text (cmd/kubeadm/app/cmd/init.go initDoneTempl). */
export function initDoneText(input: InitDoneInput): string {
  const lines = [
    'Your Kubernetes control-plane has initialized successfully!',
    '',
    'To start using your cluster, you need to run the following as a regular user:',
    '',
    '  mkdir -p $HOME/.kube',
    '  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config',
    '  sudo chown $(id -u):$(id -g) $HOME/.kube/config',
    '',
    'Alternatively, if you are the root user, you can run:',
    '',
    '  export KUBECONFIG=/etc/kubernetes/admin.conf',
    '',
    'You should now deploy a pod network to the cluster.',
    'Run "kubectl apply -f [podnetwork].yaml" with one of the options listed at:',
    '  https://kubernetes.io/docs/concepts/cluster-administration/addons/',
    '',
  ];
  if (input.hasControlPlaneEndpoint) {
    if (input.certificateKeyUploaded) {
      lines.push('You can now join any number of control-plane nodes running the following command on each as root:', '', `  ${input.controlPlaneJoin}`, '');
      lines.push('Please note that the certificate-key gives access to cluster sensitive data, keep it secret!');
      lines.push('As a safeguard, uploaded-certs will be deleted in two hours; If necessary, you can use');
      lines.push('"kubeadm init phase upload-certs --upload-certs" to reload certs afterward.', '');
    } else {
      lines.push('You can now join any number of control-plane nodes by copying certificate authorities');
      lines.push('and service account keys on each node and then running the following as root:', '', `  ${input.controlPlaneJoin}`, '');
    }
  }
  lines.push('Then you can join any number of worker nodes by running the following on each as root:', '', input.workerJoin);
  return `${lines.join('\n')}\n`;
}

/** kubeadm join's success text for a worker. */
export const WORKER_JOIN_DONE = `
This node has joined the cluster:
* Certificate signing request was sent to apiserver and a response was received.
* The Kubelet was informed of the new secure connection details.

Run 'kubectl get nodes' on the control-plane to see this node join the cluster.
`;

/** kubeadm join's success text for a control plane. */
export const CONTROL_PLANE_JOIN_DONE = `
This node has joined the cluster and a new control plane instance was created:

* Certificate signing request was sent to apiserver and approval was received.
* The Kubelet was informed of the new secure connection details.
* Control plane label and taint were applied to the new node.
* The Kubernetes control plane instances scaled up.
* A new etcd member was added to the local/stacked etcd cluster.

To start administering your cluster from this node, you need to run the following as a regular user:

\tmkdir -p $HOME/.kube
\tsudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config
\tsudo chown $(id -u):$(id -g) $HOME/.kube/config

Run 'kubectl get nodes' to see this node join the cluster.
`;

/** What `kubeadm reset` says it leaves behind. */
export const RESET_LEFTOVERS = `
The reset process does not clean CNI configuration. To do so, you must remove /etc/cni/net.d

The reset process does not reset or clean up iptables rules or IPVS tables.
If you wish to reset iptables, you must do so manually by using the "iptables" command.

If your cluster was setup to utilize IPVS, run ipvsadm --clear (or similar)
to reset your system's IPVS tables.

The reset process does not clean your kubeconfig files and you must remove them manually.
Please, check the contents of the $HOME/.kube/config file.
`;

/** Go's tabwriter with minwidth 10, tabwidth 4, padding 3, as kubeadm token list uses. */
export function tabulate(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(Math.max(10, (widths[i] ?? 0) + 3)))).join(''))
    .join('\n')
    .concat('\n');
}

/** Kubernetes' ShortHumanDuration ("23h", "59m", "2d"), "<forever>" for no expiry. */
export function shortHumanDuration(ms: number | undefined): string {
  if (ms === undefined) return '<forever>';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 365 * 8 ? `${d}d` : `${Math.floor(d / 365)}y`;
}
