import { execa } from 'execa';
import type { TargetArch } from './node-runtimes';

/** strip programs that can read an ELF of each architecture, best first. */
const STRIP_TOOLS: Readonly<Record<TargetArch, readonly string[]>> = {
  x64: ['x86_64-linux-gnu-strip', 'llvm-strip'],
  arm64: ['aarch64-linux-gnu-strip', 'llvm-strip'],
};

/** The Debian package that brings each architecture's strip (tools/setup.sh installs both). */
const STRIP_PACKAGES: Readonly<Record<TargetArch, string>> = {
  x64: 'binutils-x86-64-linux-gnu',
  arm64: 'binutils-aarch64-linux-gnu',
};

/**
 * Removes debug information and the static symbol table from a Node binary in place
 * (the registry's binaries carry ~12 MB of them). The dynamic symbol table, which native
 * addons link against, stays. Done before the blob is injected: stripping afterwards
 * would rewrite the file postject just laid out.
 */
export async function stripBinary(path: string, arch: TargetArch): Promise<string> {
  for (const tool of STRIP_TOOLS[arch]) {
    const found = await execa('sh', ['-c', 'command -v "$1"', 'sh', tool], { reject: false });
    if (found.exitCode !== 0) continue;
    await execa(tool, ['--strip-all', path]);
    return tool;
  }
  throw new Error(
    `no strip program for ${arch} ELF files (looked for ${STRIP_TOOLS[arch].join(', ')}): ` +
      `install one with \`apt-get install ${STRIP_PACKAGES[arch]}\` (tools/setup.sh does)`,
  );
}
