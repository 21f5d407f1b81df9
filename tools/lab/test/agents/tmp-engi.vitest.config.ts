import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { root: '/work/main/tools/lab', include: ['test/agents/tmp-engi-nodrill.ts'], testTimeout: 30_000 } });
