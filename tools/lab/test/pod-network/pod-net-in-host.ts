// Runs the lab kubelet's pod-network code inside a lab host (bundled by the pod-network test and
// started with nsenter there): flanneld's node setup, its peers, and pod sandboxes through CNI.
// usage: node pod-net-in-host.cjs node NETWORK SUBNET NODE_IP | peers JSON | pod-add ID | pod-del ID
// Prints one JSON line with the result.
import { hostEnv } from '@kumi/lab-standins/common/host-env';
import { ensureVxlanDevice, syncVxlanPeers, type VxlanPeer } from '@kumi/lab-standins/kubelet/flannel-vxlan';
import { CNI_CONF_DIR, writeFlannelFiles } from '@kumi/lab-standins/kubelet/network';
import { addPodNetwork, removePodNetwork } from '@kumi/lab-standins/kubelet/pod-network';

async function main(argv: string[]): Promise<unknown> {
  const [command, ...args] = argv;
  switch (command) {
    case 'node': {
      const [network = '', subnet = '', nodeIp = ''] = args;
      writeFlannelFiles(hostEnv(), network, subnet);
      return { mac: await ensureVxlanDevice({ nodeIp, uplink: 'eth0', subnet, uplinkMtu: 1500 }) };
    }
    case 'peers':
      await syncVxlanPeers(JSON.parse(args[0] ?? '[]') as VxlanPeer[]);
      return {};
    case 'pod-add':
      return addPodNetwork(args[0] ?? '', CNI_CONF_DIR);
    case 'pod-del':
      await removePodNetwork(args[0] ?? '', CNI_CONF_DIR);
      return {};
    default:
      throw new Error(`unknown command ${command ?? '(none)'}`);
  }
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`pod-net-in-host: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
