import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Writes a file's dirty pages back, then asks the kernel to drop its pages from the page
 * cache (GNU dd's `iflag=nocache` with `count=0` advises POSIX_FADV_DONTNEED on the whole
 * file). The next start then reads the executable from disk, as after a reboot. Pages that
 * a running process still maps stay.
 */
export async function dropFromPageCache(path: string): Promise<void> {
  await run('sync', [path]);
  await run('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
}
