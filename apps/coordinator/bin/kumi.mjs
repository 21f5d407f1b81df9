#!/usr/bin/env node
// npm bin of `kumi`. In the repository it runs the TypeScript source through tsx; an
// installed package (npm pack) has no source and runs its bundle, dist/kumi.cjs.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  createRequire(import.meta.url)('../dist/kumi.cjs');
}
