#!/usr/bin/env node
// Regenerates src/generated from proto/: TypeScript types (proto-loader-gen-types) and a
// JSON descriptor that the runtime loads, so no .proto file has to ship beside a binary.
// usage: generate.mjs [OUT_DIR]   (default: src/generated)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const protobuf = require('protobufjs');

const libRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(libRoot, 'proto');
const protoFile = 'kumi/v1/kumi.proto';
const outDir = resolve(process.argv[2] ?? join(libRoot, 'src/generated'));

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const genTypes = require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
execFileSync(
  process.execPath,
  [
    genTypes,
    '--grpcLib=@grpc/grpc-js',
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--includeComments',
    `--includeDirs=${protoDir}`,
    `--outDir=${outDir}`,
    protoFile,
  ],
  { stdio: 'inherit' },
);

// The generator writes the absolute path of the .proto into each file; make it relative
// so that output does not depend on where the repository was cloned.
for (const file of listFiles(outDir)) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replaceAll(protoDir, 'libs/proto/proto'));
}

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync(protoFile, { keepCase: false });
writeFileSync(join(outDir, 'descriptor.json'), JSON.stringify(root.toJSON(), null, 2) + '\n');

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
