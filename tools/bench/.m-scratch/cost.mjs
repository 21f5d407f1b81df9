import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const entries = {
  base: "",
  steps: "import * as s from '@kumi/steps'; import * as e from '@kumi/steps/executor'; globalThis.k=[s,e];",
  trust: "import * as t from '@kumi/trust'; globalThis.k=[t];",
  zod: "import { z } from 'zod'; globalThis.k=[z];",
  grpcproto: "import * as p from '@kumi/proto'; import * as g from '@grpc/grpc-js'; globalThis.k=[p.kumiV1(), g];",
  si: "import si from 'systeminformation'; globalThis.k=[si];",
  execa: "import { execa } from 'execa'; globalThis.k=[execa];",
  yaml: "import * as y from 'yaml'; globalThis.k=[y];",
  pino: "import { pino } from 'pino'; globalThis.k=[pino];",
};
for (const [name, code] of Object.entries(entries)) {
  writeFileSync(`/tmp/m-cost-${name}.ts`, code + `\nglobalThis.gc(); const m = process.memoryUsage(); console.log(${JSON.stringify(name)}, (m.heapUsed/2**20).toFixed(2), (m.rss/2**20).toFixed(1));`);
  await build({ entryPoints: [`/tmp/m-cost-${name}.ts`], outfile: `/tmp/m-cost-${name}.cjs`, bundle: true, platform: 'node', format: 'cjs', minifyWhitespace: true, minifySyntax: true, logLevel: 'silent', nodePaths: ['/work/main/node_modules'], define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' }, absWorkingDir: '/work/main' });
  process.stdout.write(execFileSync(process.execPath, ['--expose-gc', `/tmp/m-cost-${name}.cjs`]).toString());
}
