import type { HostFacts } from '../../facts';
import type { Action } from '../../plan';
import type { HostReader } from '../../step';
import type { PackageFamily } from './packages';
import { curlInstalled, installCurl } from './packages';

const APT_KEY_PATH = '/etc/apt/keyrings/docker.asc';
const APT_SOURCE_PATH = '/etc/apt/sources.list.d/docker.list';
const DNF_REPO_PATH = '/etc/yum.repos.d/docker-ce.repo';

/** What is on the host of Docker's package repository. */
export interface DockerRepoFacts {
  keyPresent: boolean;
  source: string | undefined;
  /** The source line or repo file kumi wants. */
  wanted: string;
  /** Docker's path for this OS, e.g. "debian", "rhel". */
  distro: string;
  /** Whether curl is installed (it fetches the signing key). */
  curl: boolean;
}

/** Reads the repository key and source/repo file. */
export async function readDockerRepo(host: HostReader, family: PackageFamily): Promise<DockerRepoFacts> {
  const wanted = dockerRepoContent(host.facts, family);
  const distro = dockerDistro(host.facts);
  const curl = await curlInstalled(host);
  if (family === 'apt') {
    return { keyPresent: await host.exists(APT_KEY_PATH), source: await host.readFile(APT_SOURCE_PATH), wanted, distro, curl };
  }
  return { keyPresent: true, source: await host.readFile(DNF_REPO_PATH), wanted, distro, curl };
}

/** Docker's download path for this OS: debian, ubuntu, fedora, or rhel for the rest of the family. */
export function dockerDistro(facts: HostFacts): string {
  if (facts.os.id === 'ubuntu' || facts.os.id === 'debian' || facts.os.id === 'fedora') return facts.os.id;
  return facts.os.family === 'debian' ? 'debian' : 'rhel';
}

/** dpkg's name of the host's architecture. */
export function debArch(facts: HostFacts): string {
  return ({ x86_64: 'amd64', aarch64: 'arm64' } as Record<string, string>)[facts.arch] ?? facts.arch;
}

/** The wanted apt source line or dnf repo file. */
export function dockerRepoContent(facts: HostFacts, family: PackageFamily): string {
  const base = `https://download.docker.com/linux/${dockerDistro(facts)}`;
  if (family === 'apt') {
    return `# Written by kumi: Docker's package repository.\ndeb [arch=${debArch(facts)} signed-by=${APT_KEY_PATH}] ${base} ${facts.os.codename} stable\n`;
  }
  return [
    '# Written by kumi: Docker\'s package repository.',
    '[docker-ce-stable]',
    'name=Docker CE Stable - $basearch',
    `baseurl=${base}/$releasever/$basearch/stable`,
    'enabled=1',
    'gpgcheck=1',
    `gpgkey=${base}/gpg`,
    '',
  ].join('\n');
}

/** Actions that add Docker's repository, or [] when it is there. */
export function dockerRepoActions(family: PackageFamily, repo: DockerRepoFacts): Action[] {
  const actions: Action[] = [];
  const wanted = repo.wanted;
  if (family === 'apt' && !repo.keyPresent) {
    if (!repo.curl) actions.push(...installCurl(family));
    actions.push(
      { kind: 'run', argv: ['install', '-m', '0755', '-d', '/etc/apt/keyrings'], why: 'apt keyrings folder' },
      {
        kind: 'run',
        argv: ['curl', '-fsSL', '--proto', '=https', '-o', APT_KEY_PATH, `https://download.docker.com/linux/${repo.distro}/gpg`],
        why: "Docker's repository signing key",
      },
    );
  }
  if (repo.source !== wanted) {
    actions.push({ kind: 'write', path: family === 'apt' ? APT_SOURCE_PATH : DNF_REPO_PATH, content: wanted, why: "Docker's package repository" });
  }
  if (family === 'apt' && actions.length > 0) actions.push({ kind: 'run', argv: ['apt-get', 'update'], why: "read Docker's repository" });
  return actions;
}
