import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts', 'src/sqlite.ts', 'src/xstate.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
  // An optional peer: never bundled, loaded only by the `./sqlite` entry.
  external: ['better-sqlite3'],
});
