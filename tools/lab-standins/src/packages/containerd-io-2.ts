import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Docker's containerd.io 2.x, the one a host gets from Docker's repository today: Docker ships
 * containerd.io 2.x for every distribution it supports and docker-ce requires containerd.io
 * >= 2.1.5 (docker/docker-ce-packaging#1334, docker/packaging#454). Its package installs the
 * `make binaries` output of containerd 2.x (containerd, containerd-shim-runc-v2, ctr: the 1.x
 * shims containerd-shim and containerd-shim-runc-v1 are gone in 2.0) plus runc into /usr/bin,
 * its unit and the same CRI-off config.toml as 1.x (docker/containerd-packaging debian/rules
 * override_dh_auto_install, rpm/containerd.spec; common/containerd.toml).
 *
 * The lab has no Docker build of containerd 2.x; the binaries are Debian's newest containerd
 * 2.x build, which tools/setup.sh unpacks into CONTAINERD2_CACHE without installing it (the
 * runc stays the machine's bookworm runc). A lab serves containerd.io 2.x only when built with
 * KUMI_LAB_CONTAINERD_IO=2; by default its containerd.io is 1.7.27 on the machine's containerd.
 */
export const CONTAINERD2_CACHE = '/var/cache/kumi-lab/containerd-2.x';

/** The commands containerd.io 2.x ships besides runc. */
const CONTAINERD2_COMMANDS = ['containerd', 'containerd-shim-runc-v2', 'ctr'];

/** The 1.x commands the machine's files (machine-packages.ts) bring that containerd.io 2.x does not ship. */
const GONE_IN_2 = ['containerd-shim', 'containerd-shim-runc-v1', 'containerd-stress'];

/** What the lab's Docker repository serves as containerd.io, recorded at lab build. */
export interface ContainerdIoChoice {
  series: '1.7' | '2';
  /** containerd 2.x version of the cached binaries ("2.1.9"), for series 2. */
  version?: string;
}

/** The lab dir file recording the choice. */
export function containerdIoFile(packagesDir: string): string {
  return path.join(packagesDir, 'containerd-io.json');
}

/** The containerd 2.x version the cached binary reports, or undefined when it is missing or does not run. */
export function cachedContainerd2Version(cache = CONTAINERD2_CACHE): string | undefined {
  const result = spawnSync(path.join(cache, 'usr/bin/containerd'), ['--version'], { encoding: 'utf8', timeout: 10_000 });
  // "containerd github.com/containerd/containerd/v2 2.1.9+unknown" (Debian), "containerd containerd.io v2.1.5 <sha>" (Docker)
  return result.status === 0 ? /\sv?(2\.\d+\.\d+)/.exec(result.stdout)?.[1] : undefined;
}

/**
 * Records KUMI_LAB_CONTAINERD_IO at lab build: unset or `1.7` (the default), or `2`, which needs
 * the cached containerd 2.x; anything else, or 2 without the cache, throws before the lab boots.
 */
export function recordContainerdIo(packagesDir: string, env: string | undefined, cache = CONTAINERD2_CACHE): ContainerdIoChoice {
  let choice: ContainerdIoChoice;
  if (env === undefined || env === '' || env === '1.7') choice = { series: '1.7' };
  else if (env === '2') {
    const version = cachedContainerd2Version(cache);
    if (version === undefined) {
      throw new Error(`KUMI_LAB_CONTAINERD_IO=2 needs a containerd 2.x build in ${cache}, which is missing or does not run. Fix: run tools/setup.sh as root (it unpacks Debian's newest containerd 2.x there), or leave KUMI_LAB_CONTAINERD_IO unset for containerd.io 1.7.`);
    }
    choice = { series: '2', version };
  } else throw new Error(`KUMI_LAB_CONTAINERD_IO=${env} is not a containerd.io series: use "1.7" (the default) or "2"`);
  writeFileSync(containerdIoFile(packagesDir), `${JSON.stringify(choice)}\n`);
  return choice;
}

/** The recorded choice; the default for a lab built before the file existed. */
export function readContainerdIo(packagesDir: string): ContainerdIoChoice {
  try {
    return JSON.parse(readFileSync(containerdIoFile(packagesDir), 'utf8')) as ContainerdIoChoice;
  } catch {
    return { series: '1.7' };
  }
}

/**
 * The containerd.io version the lab's Docker repository offers when it serves 2.x, in the
 * formats of Docker's 1.7.27 packages (deb "1.7.27-1", rpm "1.7.27-3.1.el9"); undefined for
 * any other package or series.
 */
export function containerdIo2Offer(name: string, kind: 'deb' | 'rpm', packagesDir: string): string | undefined {
  const choice = readContainerdIo(packagesDir);
  if (name !== 'containerd.io' || choice.series !== '2' || choice.version === undefined) return undefined;
  return kind === 'deb' ? `${choice.version}-1` : `${choice.version}-1.1.el9`;
}

/**
 * Inside a host, after the machine's files of containerd.io were placed: when the lab serves
 * 2.x, its commands become links to the cached 2.x build and the 1.x-only shims go, as the
 * containerd.io 2.x package lays them out (removal goes through the same paths).
 */
export function placeContainerdIo2(name: string, packagesDir: string, cache = CONTAINERD2_CACHE): void {
  if (containerdIo2Offer(name, 'deb', packagesDir) === undefined) return;
  for (const command of CONTAINERD2_COMMANDS) {
    const target = path.join(cache, 'usr/bin', command);
    if (!existsSync(target)) throw new Error(`containerd.io 2.x: ${target} is missing. Fix: run tools/setup.sh as root on the machine`);
    rmSync(`/usr/bin/${command}`, { force: true });
    symlinkSync(target, `/usr/bin/${command}`);
  }
  for (const command of GONE_IN_2) rmSync(`/usr/bin/${command}`, { force: true });
}
