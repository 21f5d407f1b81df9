import type { Logger } from '../logging/logger';
import type { ServingMaterial } from '../state/cluster-state';
import { agentDirCandidates, findAgentFiles, NO_AGENT_FILES_FIX } from './agent-dir';
import { AGENT_FILES_PATH, agentFilesPort, startAgentFileServer } from './agent-file-server';

/** The agent files as `kumi serve` and `kumi up` offer them. */
export interface OfferedAgentFiles {
  /** One line for the person at the terminal: where the files are offered, or why not. */
  summary: string;
  close(): Promise<void>;
}

/** What offerAgentFiles needs from the coordinator that hosts it. */
export interface OfferAgentFilesOptions {
  material: ServingMaterial;
  /** The coordinator's TLS listen host and bound port; the files go on the next port. */
  host: string;
  tlsPort: number;
  /** --agent-dir, if given. */
  agentDir?: string;
  logger: Logger;
}

/**
 * Starts the agent file server beside a coordinator (see startAgentFileServer) on the
 * port after its TLS port. It never stops the coordinator from running: a port that is
 * taken or a folder without agent files becomes a summary saying what to do.
 */
export async function offerAgentFiles(options: OfferAgentFilesOptions): Promise<OfferedAgentFiles> {
  const files = findAgentFiles(agentDirCandidates(options.agentDir));
  const port = agentFilesPort(options.tlsPort);
  try {
    const server = await startAgentFileServer({ material: options.material, host: options.host, port, files, logger: options.logger });
    const where = `https://${options.host}:${server.port}${AGENT_FILES_PATH}`;
    const summary = files
      ? `agent files (${Object.keys(files.files).join(', ')}) on ${where} from ${files.dir}`
      : `no agent files to offer on ${where}: ${NO_AGENT_FILES_FIX}`;
    return { summary, close: () => server.close() };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    options.logger.warn({ port, code }, 'cannot offer the agent files');
    return {
      summary: `cannot offer the agent files on ${options.host}:${port} (${code}): hosts cannot download kumi-agent from this coordinator; free that port, or give \`kumi cloud-init\` --agent-url of a mirror`,
      close: async () => {},
    };
  }
}
