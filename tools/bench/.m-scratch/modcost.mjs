const mod = process.argv[2];
global.gc(); const before = process.memoryUsage();
const t = performance.now();
await import(mod);
const ms = performance.now() - t;
global.gc(); const after = process.memoryUsage();
console.log(`${mod.padEnd(28)} heapUsed +${((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(2)} MiB  rss +${((after.rss - before.rss) / 2 ** 20).toFixed(1)}  ${ms.toFixed(0)} ms`);
