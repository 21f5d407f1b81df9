import { chmod, mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** File names of the agent's identity inside the state folder. */
export const CREDENTIAL_FILES = { key: 'agent.key', cert: 'agent.crt', ca: 'ca.crt' } as const;

/** The agent's identity after enrollment (PEM). */
export interface AgentCredentials {
  keyPem: string;
  certPem: string;
  caPem: string;
}

/** Creates the state folder (0700) if needed and tightens it if it exists. */
export async function ensureStateDir(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o700);
}

/** The stored identity, or undefined before the first enrollment. */
export async function loadCredentials(stateDir: string): Promise<AgentCredentials | undefined> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      return await readFile(join(stateDir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const [keyPem, certPem, caPem] = await Promise.all([read(CREDENTIAL_FILES.key), read(CREDENTIAL_FILES.cert), read(CREDENTIAL_FILES.ca)]);
  if (keyPem === undefined || certPem === undefined || caPem === undefined) return undefined;
  return { keyPem, certPem, caPem };
}

/** Stores the identity: each file 0600, written to a temp file and renamed; the key last-but-one, the cert last. */
export async function saveCredentials(stateDir: string, credentials: AgentCredentials): Promise<void> {
  await ensureStateDir(stateDir);
  // The certificate goes last: its presence is what marks enrollment as complete.
  await writePrivate(join(stateDir, CREDENTIAL_FILES.ca), credentials.caPem);
  await writePrivate(join(stateDir, CREDENTIAL_FILES.key), credentials.keyPem);
  await writePrivate(join(stateDir, CREDENTIAL_FILES.cert), credentials.certPem);
}

async function writePrivate(path: string, content: string): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
