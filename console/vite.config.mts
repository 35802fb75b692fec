import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Served by the service at /console (routes/console.ts); every asset is bundled, nothing from a CDN.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 400 },
  logLevel: 'warn',
});
