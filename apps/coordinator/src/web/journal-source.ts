import { statSync } from 'node:fs';
import { Journal } from '../journal/journal';
import { SecretRegistry } from '../journal/secret-registry';
import { buildModel, type BuildModel } from '../report/build-model';

/** Where the live page gets its picture: a cluster's journal, read through its module. */
export interface JournalSource {
  model(open: boolean): BuildModel;
  /** Changes whenever the journal grows (it is append-only). */
  version(): string;
}

/** The picture of `run` (default: the latest) in the journal of the state folder dir. */
export function journalSource(dir: string, run?: string): JournalSource {
  const journal = new Journal(dir, new SecretRegistry());
  return {
    model: (open) => buildModel(journal.read(), { open, ...(run ? { run } : {}) }),
    version: () => {
      try {
        const stat = statSync(journal.file);
        return `${stat.size}:${stat.mtimeMs}`;
      } catch {
        return 'none';
      }
    },
  };
}
