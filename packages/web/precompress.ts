/**
 * A Vite plugin that writes a gzip (`.gz`) and a Brotli (`.br`) copy next to every text asset
 * of the build (scripts, styles, HTML, SVG, WebAssembly), at the highest levels, once at build
 * time. The server sends the copy the browser asks for (`Accept-Encoding`) with
 * `Content-Encoding` and `Vary: accept-encoding`, so no request pays for compression. A copy
 * that would not be smaller is not written. Uses only node:zlib.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|wasm|txt)$/;

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

/** Writes `file.gz` and `file.br` beside each compressible file under `dir`; returns how many copies were written. */
export async function precompressDirectory(dir: string): Promise<number> {
  let written = 0;
  for await (const file of files(dir)) {
    if (!COMPRESSIBLE.test(file)) continue;
    const raw = await readFile(file);
    const copies: [string, Buffer][] = [
      ['.gz', gzipSync(raw, { level: 9 })],
      ['.br', brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })],
    ];
    for (const [extension, compressed] of copies) {
      if (compressed.length >= raw.length) continue;
      await writeFile(file + extension, compressed);
      written++;
    }
  }
  return written;
}

export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'latchkey-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDirectory(outDir);
    },
  };
}
