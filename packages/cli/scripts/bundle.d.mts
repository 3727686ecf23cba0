import type { Metafile } from 'esbuild';
/** Builds dist/latchkey.mjs and dist/latchkey-server.mjs, or to the paths given; with `metafile`, what went into each. */
export declare function buildBundles(to?: {
  cli?: string;
  server?: string;
  metafile?: boolean;
}): Promise<{ cli: Metafile | undefined; server: Metafile | undefined }>;
