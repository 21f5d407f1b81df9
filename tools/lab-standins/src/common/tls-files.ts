import fs from 'node:fs';

/** PEM material for a mutual-TLS client or server. */
export interface TlsMaterial {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Reads a CA, certificate and key from PEM files. */
export function readTlsFiles(caFile: string, certFile: string, keyFile: string): TlsMaterial {
  return { ca: fs.readFileSync(caFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}
