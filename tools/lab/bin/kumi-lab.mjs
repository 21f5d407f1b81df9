#!/usr/bin/env node
// npm bin for the lab CLI: runs the TypeScript source through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
