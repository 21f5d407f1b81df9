import { build } from 'esbuild';
const r = await build({ entryPoints: ['apps/agent/src/main.ts'], outfile: '/tmp/m-agent.cjs', bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'bundle', minifyWhitespace: true, minifySyntax: true, metafile: true, logLevel: 'silent', define: { 'import.meta.url': 'importMetaUrl' }, banner: { js: 'const importMetaUrl = require("node:url").pathToFileURL(__filename).href;' } });
const by = {};
for (const [f, i] of Object.entries(Object.values(r.metafile.outputs)[0].inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f); const k = m ? m[1] : f.split('/').slice(0, 3).join('/');
  by[k] = (by[k] || 0) + i.bytesInOutput;
}
for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1024).toFixed(0).padStart(6), 'KiB', k);
