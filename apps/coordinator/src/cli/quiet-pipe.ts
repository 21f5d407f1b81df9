/**
 * Makes `kumi … | head` end quietly: when the reader of stdout goes away, the next write
 * fails with EPIPE; kumi then exits 0 without a stack trace, as `ls | head` does.
 * An EPIPE on stderr is ignored (there is nobody left to tell). Other stream errors are
 * real failures and are thrown again.
 */
export function endQuietlyOnClosedPipe(out: NodeJS.WriteStream = process.stdout, err: NodeJS.WriteStream = process.stderr, exit: (code: number) => void = (code) => process.exit(code)): void {
  out.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    exit(0);
  });
  err.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
