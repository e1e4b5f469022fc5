import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'path';
import { fileURLToPath } from 'url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

export default defineConfig({
  root: here,
  plugins: [react()],
  resolve: {
    alias: {
      // Without the zod schemas (ADR 0080); the type checks read index.ts.
      '@bu/contracts': resolve(root, 'libs/contracts/src/browser.ts'),
      '@bu/dashboards': resolve(root, 'dashboards/src/index.ts'),
    },
  },
  build: { outDir: resolve(root, 'dist/web'), emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
