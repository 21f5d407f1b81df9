import * as z from 'zod';
import { generateBootstrapToken, hashTokenSecret } from '@kumi/trust';
import { CliError } from '../cli/cli-error';
import { ExitCode } from '../cli/exit-codes';
import { readJsonIfExists, writePrivateFile } from './secure-files';
import { withFileLock } from './file-lock';

/** One bootstrap token as stored: the secret only as a hash. */
export const tokenRecordSchema = z.object({
  id: z.string().regex(/^[a-z0-9]{6}$/),
  /** hashTokenSecret(secret), hex. The secret itself is never stored. */
  secretHash: z.string().regex(/^[0-9a-f]+$/),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** Only this host may enroll with the token; null: any host. */
  host: z.string().nullable(),
  usedAt: z.string().nullable(),
  usedBy: z.string().nullable(),
});

/** A stored bootstrap token (no secret). */
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

const tokenFileSchema = z.object({ version: z.literal(1), tokens: z.array(tokenRecordSchema) });
type TokenFile = z.infer<typeof tokenFileSchema>;

/** A freshly created token: the only moment the secret exists outside the agent. */
export interface CreatedToken {
  record: TokenRecord;
  /** "id.secret", to print once and hand to one agent. */
  token: string;
}

/**
 * tokens.json (0600): hashed single-use bootstrap tokens. Every change happens under
 * the state folder's lock file, so concurrent kumi processes never lose a write.
 */
export class TokenStore {
  constructor(
    private readonly path: string,
    private readonly lockPath: string,
  ) {}

  /** Writes an empty store; used by `kumi init`. */
  async initialize(): Promise<void> {
    await writePrivateFile(this.path, serialize({ version: 1, tokens: [] }));
  }

  /** Mints a token valid for ttlMs, optionally bound to one host name. */
  async create(options: { ttlMs: number; host?: string; now?: Date }): Promise<CreatedToken> {
    const now = options.now ?? new Date();
    return this.update(async (file) => {
      let minted = generateBootstrapToken();
      // Ids must be unique: they are how a token is found, listed and deleted.
      for (let attempt = 0; file.tokens.some((t) => t.id === minted.id); attempt += 1) {
        if (attempt > 20) throw new Error('could not find a free token id');
        minted = generateBootstrapToken();
      }
      const record: TokenRecord = {
        id: minted.id,
        secretHash: hashTokenSecret(minted.secret),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
        host: options.host ?? null,
        usedAt: null,
        usedBy: null,
      };
      file.tokens.push(record);
      return { result: { record, token: minted.token }, changed: true };
    });
  }

  /** Every stored token, oldest first. */
  async list(): Promise<TokenRecord[]> {
    return (await this.read()).tokens;
  }

  /** Removes a token; false when no token has that id. */
  async delete(id: string): Promise<boolean> {
    return this.update(async (file) => {
      const before = file.tokens.length;
      file.tokens = file.tokens.filter((t) => t.id !== id);
      return { result: file.tokens.length !== before, changed: file.tokens.length !== before };
    });
  }

  /**
   * Runs fn on the current tokens under the lock and writes them back if it says so.
   * Enrollment uses this to check, sign and burn a token as one step.
   */
  async update<T>(fn: (file: TokenFile) => Promise<{ result: T; changed: boolean }>): Promise<T> {
    return withFileLock(this.lockPath, async () => {
      const file = await this.read();
      const { result, changed } = await fn(file);
      if (changed) await writePrivateFile(this.path, serialize(file));
      return result;
    });
  }

  private async read(): Promise<TokenFile> {
    const raw = await readJsonIfExists(this.path);
    if (raw === undefined) return { version: 1, tokens: [] };
    const parsed = tokenFileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new CliError(
        `${this.path} is not a valid token store (${parsed.error.issues[0]?.message}): restore it from a backup, or move it aside to start with no tokens`,
        ExitCode.STATE,
      );
    }
    return parsed.data;
  }
}

function serialize(file: TokenFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}
