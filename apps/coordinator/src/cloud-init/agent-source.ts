import { usageError } from '../cli/cli-error';

/** CPU architectures kumi-agent ships for, as named in its file names. */
export const AGENT_ARCHES = ['x64', 'arm64'] as const;

/** One of AGENT_ARCHES. */
export type AgentArch = (typeof AGENT_ARCHES)[number];

/** Placeholder in an agent URL that the host replaces with its architecture. */
export const ARCH_PLACEHOLDER = '{arch}';

/** Where a host downloads kumi-agent from and the digest the download must have. */
export interface AgentSource {
  /** http(s) URL; may contain {arch}, replaced on the host by x64 or arm64. */
  url: string;
  /**
   * sha256 (hex) per architecture when the URL has {arch}; otherwise one digest under
   * "any", for the single file the URL names.
   */
  sha256: Partial<Record<AgentArch | 'any', string>>;
  /**
   * PEM of the CA the download server's certificate must chain to (the cluster CA, when
   * the coordinator serves the agent); absent: the host's own trust store.
   */
  caCertPem?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** What the user gave on the command line. */
export interface AgentSourceFlags {
  url?: string;
  /** --agent-sha256 values: "HEX" or "ARCH=HEX". */
  sha256: string[];
  /** Content of the --agent-sums file (sha256sum format), if given. */
  sums?: { path: string; text: string };
}

/**
 * Validates the agent download flags of a mirror (--agent-url): an http(s) URL, and a digest for every file it can
 * name (one per architecture with {arch}, exactly one without). Throws a usage error
 * naming the flag and the fix.
 */
export function parseAgentSource(flags: AgentSourceFlags): AgentSource {
  if (!flags.url) {
    throw usageError(
      '--agent-sha256 and --agent-sums go with --agent-url (a mirror): without it, hosts download kumi-agent from the coordinator and the checksums come from its agent files (--agent-dir)',
    );
  }
  const url = checkUrl(flags.url);
  const perArch = url.includes(ARCH_PLACEHOLDER);
  const sha256: AgentSource['sha256'] = {};
  if (flags.sums) Object.assign(sha256, parseSha256Sums(flags.sums.text, flags.sums.path));
  for (const value of flags.sha256) {
    const [key, hex] = value.includes('=') ? (value.split('=', 2) as [string, string]) : ['any', value];
    const digest = hex.trim().toLowerCase();
    if (!SHA256.test(digest)) throw usageError(`invalid --agent-sha256 "${value}": use 64 hex digits, or ARCH=HEX with ARCH x64 or arm64 (see dist/SHA256SUMS)`);
    if (key !== 'any' && !(AGENT_ARCHES as readonly string[]).includes(key)) {
      throw usageError(`invalid --agent-sha256 "${value}": the architecture must be x64 or arm64`);
    }
    sha256[key as AgentArch | 'any'] = digest;
  }
  if (perArch) {
    if (sha256.any !== undefined) {
      throw usageError(`--agent-url contains ${ARCH_PLACEHOLDER}, so it names one file per architecture: give --agent-sha256 x64=HEX and/or arm64=HEX, or --agent-sums dist/SHA256SUMS, not one bare digest`);
    }
    if (sha256.x64 === undefined && sha256.arm64 === undefined) {
      throw usageError('missing agent checksums: give --agent-sums dist/SHA256SUMS, or --agent-sha256 x64=HEX / arm64=HEX; hosts refuse a download they cannot check');
    }
    return { url, sha256: { x64: sha256.x64, arm64: sha256.arm64 } };
  }
  if (sha256.any === undefined) {
    throw usageError(`missing --agent-sha256 HEX for ${url} (sha256sum of that file); hosts refuse a download they cannot check. Or put ${ARCH_PLACEHOLDER} in the URL and give --agent-sums dist/SHA256SUMS`);
  }
  return { url, sha256: { any: sha256.any } };
}

function checkUrl(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text.replaceAll(ARCH_PLACEHOLDER, 'x64'));
  } catch {
    throw usageError(`invalid --agent-url "${text}": give an absolute http:// or https:// URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw usageError(`invalid --agent-url "${text}": only http:// and https:// downloads are supported (curl or wget fetches it)`);
  }
  if (/[\s'"`$\\]/.test(text)) {
    throw usageError(`invalid --agent-url "${text}": it must not contain spaces, quotes, "$", "\`" or "\\"; percent-encode them`);
  }
  return text;
}

/** Reads "HEX  kumi-agent-linux-ARCH" lines (as written by the agent package build). */
export function parseSha256Sums(text: string, source: string): Partial<Record<AgentArch, string>> {
  const found: Partial<Record<AgentArch, string>> = {};
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64})\s+\*?(?:.*\/)?kumi-agent-linux-(x64|arm64)\s*$/.exec(line.trim());
    if (match) found[match[2] as AgentArch] = match[1] as string;
  }
  if (Object.keys(found).length === 0) {
    throw usageError(`${source} has no "HEX  kumi-agent-linux-x64|arm64" line: give the SHA256SUMS written by \`nx run agent:package\``);
  }
  return found;
}
