/**
 * Test helpers for the QR codes on kit PDFs: read the drawn QR code back into its module matrix
 * (from the paths `extractPdfPaths` recovers) and build the matrix a text must give straight from
 * the qrcode package, independent of the kit builder's `qrModules`. Used by the Emergency Kit and
 * the recovery share-card tests; a malformed drawing fails the calling test.
 */
import QRCode from 'qrcode';
import { expect } from 'vitest';
import type { PdfPath } from '../../src/testing/pdf-text.ts';

/** The path with the most rectangles is the QR code; rasterize it back into modules. */
export function readQr(paths: PdfPath[]): boolean[][] {
  const qr = paths.reduce((best, p) => (p.rectangles.length > best.rectangles.length ? p : best));
  expect(qr.paint).toBe('f');
  expect(qr.otherSegments).toBe(0);
  const module = Math.min(...qr.rectangles.map((r) => r.height));
  const left = Math.min(...qr.rectangles.map((r) => r.x));
  const top = Math.max(...qr.rectangles.map((r) => r.y + r.height));
  const right = Math.max(...qr.rectangles.map((r) => r.x + r.width));
  const size = Math.round((right - left) / module);
  const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
  for (const r of qr.rectangles) {
    expect(r.height).toBeCloseTo(module, 3);
    const row = Math.round((top - (r.y + r.height)) / module);
    const col = Math.round((r.x - left) / module);
    const width = Math.round(r.width / module);
    expect(r.width).toBeCloseTo(width * module, 3);
    for (let c = col; c < col + width; c++) {
      expect(grid[row]![c], 'a module is drawn twice').toBe(false);
      grid[row]![c] = true;
    }
  }
  return grid;
}

/** The module matrix straight from the qrcode package (error correction M), independent of the kit builder. */
export function expectedModules(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  return Array.from({ length: modules.size }, (_, row) => Array.from({ length: modules.size }, (_, col) => modules.get(row, col) === 1));
}
