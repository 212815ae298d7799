// Lint enforces the process boundaries from DESIGN.md: the core (src/) never reaches for a
// UI or Electron, and the renderer never reaches for Node, Electron or SSH.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import globals from 'globals'

const uiAndElectron = [
  { name: 'electron', message: 'src/ is the plain-Node core: no Electron here (DESIGN.md, Layout).' },
  { name: 'react', message: 'src/ is the plain-Node core: no React here.' },
  { name: 'react-dom', message: 'src/ is the plain-Node core: no React here.' },
]

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'dist/**', 'coverage/**', 'bench/out/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: uiAndElectron,
        patterns: [
          { group: ['@mui/*'], message: 'src/ is the plain-Node core: no MUI here.' },
          { group: ['**/main/**', '**/renderer/**'], message: 'Dependencies point one way: src/ never imports main/ or renderer/.' },
        ],
      }],
    },
  },
  {
    // `bulk-upload serve` starts the web host, which is a host of the core and lives in main/
    // (DESIGN.md, Layout). This one command may load it; the rest of src/ may not.
    files: ['src/cli/commands/serve.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: uiAndElectron, patterns: [{ group: ['@mui/*'], message: 'src/ is the plain-Node core: no MUI here.' }] }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'electron', message: 'The renderer talks to the core only through the api.ts contract.' },
          { name: 'ssh2', message: 'The renderer talks to the core only through the api.ts contract.' },
          { name: 'ssh2-sftp-client', message: 'The renderer talks to the core only through the api.ts contract.' },
        ],
        patterns: [
          { group: ['node:*'], message: 'The renderer runs in a browser sandbox: no Node modules.' },
          { group: ['**/main/**'], message: 'The renderer talks to the core only through the api.ts contract.' },
          { group: ['**/src/**', '!**/src/api', '!**/src/api.ts', '!**/src/api-calls', '!**/src/api-calls.ts'], message: 'The renderer may import only the contract: src/api.ts and its call list src/api-calls.ts.' },
        ],
      }],
    },
  },
)
