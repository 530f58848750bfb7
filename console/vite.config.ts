import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';

// Served by Gatehouse under /console/ (src/console/console-routes.ts), from dist/console-app (dist/console is tsc's output of src/console).
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react(), precompress()],
  build: {
    outDir: '../dist/console-app',
    emptyOutDir: true,
    // Every asset is a file of its own: the CSP has no data: for scripts or fonts.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
