/**
 * Web first load (issue 14): what the sign-in page costs a browser that opens Latchkey for the
 * first time. The app is built from the current source, then served by the server's own
 * web-app routes twice in this run: as shipped (precompressed copies sent to browsers that
 * accept them) and, as the baseline, the same build with compression off (no copies, as before
 * precompression). Debian's Chromium loads the sign-in page with the cache disabled until its
 * form is visible; the bytes come from the DevTools protocol's network events, and the time from
 * navigation to the visible form on a throttled link (`Network.emulateNetworkConditions`).
 */
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { webAppRoutes } from '@latchkey/server/web-app';
import { launchChromium } from '@latchkey/web/testing';
import { check, row, type Section } from './report.ts';
import { fmt, median, REPO_ROOT } from './util.ts';

/** Issue 14: at most 250 kB of JavaScript (gzipped) for the sign-in page. */
const TARGET_JS_GZIP = 250_000;
const RUNS = 3;
const WEB_DIR = path.join(REPO_ROOT, 'packages/web');
const DIST = path.join(WEB_DIR, 'dist');

/** DevTools' "3G" preset (formerly "Fast 3G"): 1.6 Mbit/s down × 0.9, 750 kbit/s up × 0.9, 562.5 ms round trip. */
const THROTTLE = { offline: false, latency: 562.5, downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8, uploadThroughput: (750 * 1024 * 0.9) / 8 };

const kB = (bytes: number) => `${fmt(bytes / 1000, 1)} kB`;

interface Load {
  /** Bytes on the wire (headers included), scripts only and everything. */
  readonly jsWire: number;
  readonly allWire: number;
  /** Decoded body bytes of the scripts. */
  readonly jsRaw: number;
  readonly encodings: ReadonlySet<string>;
  readonly ms: number;
}

async function serve(distDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  await webAppRoutes(app, { distDir });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address, close: () => app.close() };
}

/** One cold load of the sign-in page, until its form is visible. */
async function loadSignIn(browser: Browser, url: string, throttled: boolean): Promise<Load> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    if (throttled) await cdp.send('Network.emulateNetworkConditions', THROTTLE);
    const requests = new Map<string, { script: boolean; encoding: string; raw: number; wire: number }>();
    cdp.on('Network.responseReceived', (event) => {
      const headers = Object.fromEntries(Object.entries(event.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      requests.set(event.requestId, {
        script: event.type === 'Script' || event.response.url.endsWith('.js'),
        encoding: headers['content-encoding'] ?? 'identity',
        raw: 0,
        wire: 0,
      });
    });
    cdp.on('Network.dataReceived', (event) => {
      const r = requests.get(event.requestId);
      if (r) r.raw += event.dataLength;
    });
    cdp.on('Network.loadingFinished', (event) => {
      const r = requests.get(event.requestId);
      if (r) r.wire = event.encodedDataLength;
    });
    const started = performance.now();
    await page.goto(url, { waitUntil: 'commit' });
    await page.getByLabel('Email address').waitFor({ state: 'visible', timeout: 120_000 });
    const ms = performance.now() - started;
    await page.waitForLoadState('networkidle');
    const all = [...requests.values()];
    const scripts = all.filter((r) => r.script);
    return {
      jsWire: scripts.reduce((n, r) => n + r.wire, 0),
      allWire: all.reduce((n, r) => n + r.wire, 0),
      jsRaw: scripts.reduce((n, r) => n + r.raw, 0),
      encodings: new Set(all.map((r) => r.encoding)),
      ms,
    };
  } finally {
    await context.close();
  }
}

/** The entry script and its static imports (what the sign-in page needs before it runs), from the built files. */
async function initialScripts(): Promise<string[]> {
  const html = await readFile(path.join(DIST, 'index.html'), 'utf8');
  const entries = [
    ...html.matchAll(/<script[^>]+type="module"[^>]+src="\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+)"/g),
  ].map((m) => m[1]!);
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = await readFile(path.join(DIST, file), 'utf8');
    for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*)["'](\.\/[^"']+\.js)["']/g)) await visit(path.posix.join(path.posix.dirname(file), m[1]!));
  };
  for (const entry of entries) await visit(entry);
  return [...seen];
}

const size = async (file: string) => (await stat(file)).size;

export async function benchWeb(): Promise<Section> {
  await build({ configFile: path.join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn' });
  const scripts = await initialScripts();
  let raw = 0;
  let gzip = 0;
  let brotli = 0;
  for (const file of scripts) {
    raw += await size(path.join(DIST, file));
    gzip += await size(path.join(DIST, `${file}.gz`));
    brotli += await size(path.join(DIST, `${file}.br`));
  }
  const assets = await readdir(path.join(DIST, 'assets'));
  const worker = assets.find((f) => /^key-derivation\.worker-.*\.js$/.test(f));
  const workerGzip = worker ? await size(path.join(DIST, 'assets', `${worker}.gz`)) : Number.NaN;

  // The baseline: the same build with its compressed copies removed (compression off).
  const plainDir = await mkdtemp(path.join(tmpdir(), 'latchkey-web-plain-'));
  await cp(DIST, plainDir, { recursive: true, filter: (source) => !/\.(br|gz)$/.test(source) });
  const compressed = await serve(DIST);
  const plain = await serve(plainDir);
  const browser = await launchChromium();
  try {
    const fast = { on: await loadSignIn(browser, compressed.url, false), off: await loadSignIn(browser, plain.url, false) };
    const on: Load[] = [];
    const off: Load[] = [];
    for (let i = 0; i < RUNS; i++) {
      on.push(await loadSignIn(browser, compressed.url, true));
      off.push(await loadSignIn(browser, plain.url, true));
    }
    const onMs = median(on.map((l) => l.ms));
    const offMs = median(off.map((l) => l.ms));
    return {
      title: 'Web first load (sign-in page)',
      rows: [
        row('Sign-in page JavaScript, gzipped (build)', {
          measured: kB(gzip),
          baseline: `${kB(raw)} uncompressed`,
          ratio: `${fmt((gzip / raw) * 100, 0)} %`,
          target: `≤ ${kB(TARGET_JS_GZIP)} gzipped`,
          status: check(gzip <= TARGET_JS_GZIP),
        }),
        row('Sign-in page JavaScript as transferred (Chromium)', {
          measured: `${kB(fast.on.jsWire)} (${[...fast.on.encodings].join(', ')})`,
          baseline: `${kB(fast.off.jsWire)} compression off`,
          ratio: `${fmt((fast.on.jsWire / fast.off.jsWire) * 100, 0)} %`,
          target: `≤ ${kB(TARGET_JS_GZIP)}`,
          status: check(fast.on.jsWire <= TARGET_JS_GZIP),
        }),
        row('Sign-in page, everything transferred (HTML, CSS, JS)', {
          measured: kB(fast.on.allWire),
          baseline: `${kB(fast.off.allWire)} compression off`,
          ratio: `${fmt((fast.on.allWire / fast.off.allWire) * 100, 0)} %`,
        }),
        row(`Time to the sign-in form, 3G-throttled, median of ${RUNS}`, {
          measured: `${fmt(onMs / 1000, 2)} s`,
          baseline: `${fmt(offMs / 1000, 2)} s compression off`,
          ratio: `${fmt(onMs / offMs, 2)}×`,
        }),
      ],
      notes: [
        `Built from the current source (vite, then \`precompress.ts\`: gzip -9 and Brotli 11 copies). The sign-in page's JavaScript is the entry script and its static imports: ${scripts.length} files, ${kB(raw)} raw, ${kB(gzip)} gzip, ${kB(brotli)} Brotli. Other pages, the PDF kits (pdf-lib) and the QR encoder load on demand; the OPAQUE WebAssembly module (base64 in the key-derivation worker, ${kB(workerGzip)} gzipped) loads only when someone signs in, unlocks or changes credentials.`,
        `Served by the server's web-app routes (packages/server/src/routes/web-app.ts) in this process, once from the build and once from a copy without its .gz/.br files (the baseline: compression off, what was served before). Debian's Chromium with the cache disabled and a fresh context per load; bytes are the DevTools protocol's encodedDataLength (body and headers on the wire); the encodings the server chose for what Chromium offered: ${[...fast.on.encodings].join(', ')}.`,
        `Throttled with Network.emulateNetworkConditions at DevTools' "3G" preset (${fmt((THROTTLE.downloadThroughput * 8) / 1e6, 2)} Mbit/s down, ${fmt(THROTTLE.latency, 0)} ms round trip); time from navigation to the visible sign-in form (the "Email address" field). Issue 14 measured ~6.9 s on a similar link for the build before this change (1.3 MB of JavaScript sent uncompressed).`,
      ],
    };
  } finally {
    await browser.close();
    await compressed.close();
    await plain.close();
    await rm(plainDir, { recursive: true, force: true });
  }
}
