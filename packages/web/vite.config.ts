/**
 * Builds the web app into `dist/`, which the server serves at `/`. The Web Worker that runs
 * OPAQUE and the slow key derivation is bundled as its own ES module chunk (same origin, so the
 * Content-Security-Policy can stay `worker-src 'self'`); it is the only chunk that carries the
 * OPAQUE WebAssembly module. Pages other than sign-in and unlock, the PDF kits and the QR
 * encoder are chunks loaded on demand. Every text asset also gets `.gz` and `.br` copies
 * (`precompress.ts`) that the server sends to browsers that accept them. No inline scripts
 * are emitted.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress.ts';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // @serenity-kit/opaque inlines its WebAssembly module (base64) into the worker chunk, and
    // pdf-lib is large: both load only when needed. The first load's budget is tested instead
    // (test/server-web-app.test.ts).
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
