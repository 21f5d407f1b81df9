import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSha256Sums, type AgentArch } from '../cloud-init/agent-source';

/** Environment variable naming the folder of the agent files (as --agent-dir does). */
export const AGENT_DIR_ENV = 'KUMI_AGENT_DIR';

/** The file of each architecture inside the agent folder, as `nx run agent:package` names it. */
export function agentFileName(arch: AgentArch): string {
  return `kumi-agent-linux-${arch}`;
}

/** The agent files a folder offers: per architecture the file and its sha256 from SHA256SUMS. */
export interface AgentFiles {
  dir: string;
  /** Architectures whose file exists and has a line in SHA256SUMS. */
  files: Partial<Record<AgentArch, { path: string; sha256: string }>>;
  /** The SHA256SUMS lines of those files (what GET /v1/agent/SHA256SUMS answers). */
  sums: string;
}

/**
 * Where the agent files are: --agent-dir, else $KUMI_AGENT_DIR, else beside the running
 * single-file kumi (dist/ holds kumi-linux-* and kumi-agent-linux-* together), else the
 * repository's dist/ when kumi runs from source (npx kumi in a clone).
 */
export function agentDirCandidates(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (flag) return [resolve(flag)];
  if (env[AGENT_DIR_ENV]) return [resolve(env[AGENT_DIR_ENV] as string)];
  const candidates: string[] = [];
  if (isSingleExecutable()) candidates.push(dirname(process.execPath));
  // From source this file is apps/coordinator/src/agent-files/agent-dir.ts; in a bundle the
  // path leads nowhere useful and the folder simply holds no agent files.
  candidates.push(resolve(dirname(fileURLToPath(import.meta.url)), '../../../../dist'));
  return candidates;
}

function isSingleExecutable(): boolean {
  try {
    // node:sea exists from Node 20.12; getBuiltinModule keeps it out of the bundle's imports.
    return (process.getBuiltinModule?.('node:sea') as { isSea(): boolean } | undefined)?.isSea() ?? false;
  } catch {
    return false;
  }
}

/**
 * The agent files of the first candidate folder that has any: SHA256SUMS lines
 * "HEX  kumi-agent-linux-ARCH" whose file exists. Undefined when no folder has one.
 */
export function findAgentFiles(candidates: readonly string[]): AgentFiles | undefined {
  for (const dir of candidates) {
    const found = readAgentFiles(dir);
    if (found) return found;
  }
  return undefined;
}

/** The agent files of one folder (see findAgentFiles), or undefined. */
export function readAgentFiles(dir: string): AgentFiles | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, 'SHA256SUMS'), 'utf8');
  } catch {
    return undefined;
  }
  let digests: Partial<Record<AgentArch, string>>;
  try {
    digests = parseSha256Sums(text, 'SHA256SUMS');
  } catch {
    return undefined; // no agent lines at all (e.g. only kumi's)
  }
  const files: AgentFiles['files'] = {};
  const lines: string[] = [];
  for (const [arch, sha256] of Object.entries(digests) as [AgentArch, string][]) {
    const path = join(dir, agentFileName(arch));
    if (!existsSync(path)) continue;
    files[arch] = { path, sha256 };
    lines.push(`${sha256}  ${agentFileName(arch)}\n`);
  }
  return lines.length > 0 ? { dir, files, sums: lines.join('') } : undefined;
}

/** The hint every "no agent files" message ends with. */
export const NO_AGENT_FILES_FIX =
  'build them with `nx run agent:package` (writes dist/kumi-agent-linux-* and dist/SHA256SUMS), or point --agent-dir or KUMI_AGENT_DIR at a folder holding them and their SHA256SUMS';
