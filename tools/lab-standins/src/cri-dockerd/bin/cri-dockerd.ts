// The lab's cri-dockerd (Mirantis/cri-dockerd cmd/server.go and core/docker_service.go, v0.3.16):
// the CRI for the real dockerd of a lab host. It reads Docker's cgroup driver once at start
// and exits when dockerd does not answer, as NewDockerService does.
import { flag, parseArgs } from '../../common/flags';
import { installedPackages } from '../../packages/package-db';
import { notifyReady } from '../notify';
import { dockerInfo } from '../docker-api';
import { serveCri } from '../server';

/** Version of the installed cri-dockerd package ("0.3.16.3-0.debian-bookworm" → "0.3.16"). */
function release(): string {
  const installed = installedPackages()['cri-dockerd']?.version ?? '0.3.16';
  return /^(?:\d+:)?(\d+\.\d+\.\d+)/.exec(installed)?.[1] ?? installed;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['version', 'buildinfo', 'help', 'h']));
  if (flag(args, 'version') !== undefined) {
    // cmd/server.go: fmt.Fprintf("%s %s\n", PlatformName, FullVersion()), FullVersion = "Version (GitCommit)".
    process.stdout.write(`cri-dockerd ${release()} (lab)\n`);
    return 0;
  }
  const endpoint = flag(args, 'container-runtime-endpoint') ?? 'unix:///var/run/cri-dockerd.sock';
  const dockerEndpoint = flag(args, 'docker-endpoint') ?? 'unix:///var/run/docker.sock';
  const dockerSocket = dockerEndpoint.replace(/^unix:\/\//, '');
  const log = (level: string, msg: string): void => {
    process.stderr.write(`time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}\n`);
  };
  log('info', `Starting cri-dockerd ${release()} (lab)`);
  let info;
  try {
    info = await dockerInfo(dockerSocket);
  } catch (error) {
    // core/docker_service.go NewDockerService: the Info() call fails, cmd/server.go exits 1.
    log('fatal', `Failed to execute Info() call to the Docker client: ${(error as Error).message}`);
    return 1;
  }
  const cgroupDriver = info.CgroupDriver === '' ? 'cgroupfs' : info.CgroupDriver;
  log('info', `Setting cgroupDriver ${cgroupDriver}`);
  const server = await serveCri(endpoint, {
    dockerSocket,
    cgroupDriver,
    release: release(),
    podSandboxImage: flag(args, 'pod-infra-container-image') ?? '',
    cniConfDir: flag(args, 'cni-conf-dir') ?? '/etc/cni/net.d',
  }, '/run/cri-dockerd-lab');
  log('info', `Start cri-dockerd grpc backend on ${endpoint}`);
  await notifyReady();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`time="${new Date().toISOString()}" level=fatal msg=${JSON.stringify((error as Error).message)}\n`);
    process.exit(1);
  },
);
