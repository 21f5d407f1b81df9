// One flat config for the monorepo. The import restrictions keep the layout telling the
// architecture: steps never speak gRPC, the proto package never runs commands, and the
// coordinator never runs host commands itself.
import tseslint from 'typescript-eslint';

const noGrpc = {
  group: ['@grpc/*', '@kumi/proto'],
  message: 'libs/steps is transport-free: the agent maps steps onto the wire.',
};
const noCommands = {
  group: ['execa', 'node:child_process', 'child_process'],
  message: 'This package must not run host commands.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/generated/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['libs/steps/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noGrpc] }] },
  },
  {
    files: ['libs/proto/src/**/*.ts', 'libs/trust/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCommands] }] },
  },
  {
    files: ['apps/coordinator/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noCommands, { group: ['@kumi/steps/executor'], message: 'The coordinator never runs host commands.' }] }] },
  },
);
