/**
 * Builds the web app into `dist/`, which the server serves at `/`. The Web Worker that runs
 * the slow key derivation is bundled as its own ES module chunk (same origin, so the
 * Content-Security-Policy can stay `worker-src 'self'`). No inline scripts are emitted.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The OPAQUE WebAssembly module is inlined by @serenity-kit/opaque; the bundle is large by design.
    chunkSizeWarningLimit: 4096,
    // Never inline assets as data: URLs into scripts; keeps the CSP simple and the output reviewable.
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev -w @latchkey/web` next to `npm start`: the API is proxied to the server.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
