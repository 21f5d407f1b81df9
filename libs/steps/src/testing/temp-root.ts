import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One entry to seed a temp root with: file text, a symbolic link, or an empty folder. */
export type SeedEntry = string | { link: string } | { dir: true };

/** A fresh folder standing in for "/"; remove it in afterEach. */
export async function makeTempRoot(seed: Readonly<Record<string, SeedEntry>> = {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'kumi-root-'));
  await seedRoot(root, seed);
  return root;
}

/** Writes files and links (absolute host paths) under root. */
export async function seedRoot(root: string, seed: Readonly<Record<string, SeedEntry>>): Promise<void> {
  for (const [hostPath, entry] of Object.entries(seed)) {
    const path = join(root, hostPath);
    await mkdir(dirname(path), { recursive: true });
    if (typeof entry === 'string') await writeFile(path, entry);
    else if ('link' in entry) await symlink(entry.link, path);
    else await mkdir(path, { recursive: true });
  }
}

export async function removeTempRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/**
 * Every entry under root with its kind, mode, content hash (files), link target and
 * modification time, so two snapshots are equal only when nothing was touched.
 */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const snapshot: Record<string, string> = {};
  const walk = async (folder: string, prefix: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const key = `${prefix}/${name}`;
      const info = await lstat(path);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) snapshot[key] = `link -> ${await readlink(path)}`;
      else if (info.isDirectory()) {
        snapshot[key] = `dir ${mode}`;
        await walk(path, key);
      } else {
        const hash = createHash('sha256').update(await readFile(path)).digest('hex');
        snapshot[key] = `file ${mode} ${hash} mtime=${info.mtimeMs} ino=${info.ino}`;
      }
    }
  };
  await walk(root, '');
  return snapshot;
}
