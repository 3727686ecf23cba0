/**
 * A small builder for one-page A4 "kit" PDFs: the Emergency Kit, the Recovery Kit, recovery
 * share cards and the backup-codes sheet. A kit is described as data (title, intro, sections,
 * footer advice) and drawn with pdf-lib.
 *
 * Why it is built this way:
 * - Only the standard PDF fonts (Helvetica, Courier) are used, so nothing is embedded and the
 *   text stays extractable by ordinary tools (pdftotext, screen readers, copy and paste).
 * - QR codes are drawn as vector rectangles from the `qrcode` module matrix, with no PNG and
 *   no canvas, so the same code runs in Node (CLI) and in the browser (web app).
 * - It returns bytes; it never writes a file. Where a kit goes is the user's explicit choice.
 * - No node: imports: this module must bundle for the browser.
 */
import { PDFDocument, StandardFonts, fill, popGraphicsState, pushGraphicsState, rectangle, rgb, setFillingColor, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { LatchkeyError } from '@latchkey/core/errors';

/** A4 in PDF points (1/72 inch). */
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 56; // about 20 mm: inside every printer's unprintable border
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

const INK = rgb(0.07, 0.07, 0.09);
const MUTED = rgb(0.36, 0.37, 0.4);
const RULE = rgb(0.75, 0.76, 0.79);
/** Pure black for QR modules: maximum contrast for cameras, and it prints on any printer. */
const QR_INK = rgb(0, 0, 0);

/** Courier glyphs are all 600/1000 em wide; wrapping monospace values relies on it. */
const COURIER_ADVANCE = 0.6;

export type KitSection =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  /** A bulleted list (advice, steps). */
  | { kind: 'list'; items: readonly string[] }
  /**
   * A label with a value in a monospace font. `prominent` draws it larger and bold (for the
   * one thing a person must copy exactly). `keepTogether` shrinks the font rather than wrap,
   * so the value stays one contiguous string for copying and text extraction. `secret`
   * marks values that must never reach the PDF metadata (the builder checks).
   */
  | { kind: 'field'; label: string; value: string; prominent?: boolean; keepTogether?: boolean; secret?: boolean }
  /** A label and an empty line to write on by hand (e.g. the account password). */
  | { kind: 'blank'; label: string; note?: string }
  /** A QR code with a caption beside it. `secret` as for fields (the text usually is). */
  | { kind: 'qr'; text: string; caption: string; secret?: boolean };

export interface KitDocument {
  title: string;
  /** A short line under the title, e.g. who the kit is for and when it was made. */
  subtitle?: string;
  intro: string;
  sections: readonly KitSection[];
  /** Advice drawn at the foot of the page, under a rule. */
  footer: { heading?: string; items: readonly string[] };
  /**
   * Document properties shown by viewers and indexed by desktop search: never a secret, and
   * better nothing personal either (the builder refuses any value marked `secret`).
   */
  metadata: { title: string; subject: string };
  /** Recorded as the PDF creation date; defaults to now. */
  createdAt?: Date;
  /** BCP 47 language of the text, for screen readers; defaults to "en". */
  language?: string;
}

/**
 * The dark/light module matrix of the QR code for `text` (row-major, row 0 at the top, `true`
 * is dark), at error-correction level M: it survives some smudging or a fold in the paper
 * while keeping the code small enough to scan from a printed page. Used for drawing and
 * exported so tests can check the drawn code against an independent `QRCode.create`.
 */
export function qrModules(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const rows: boolean[][] = [];
  for (let row = 0; row < modules.size; row++) {
    const cells: boolean[] = [];
    for (let col = 0; col < modules.size; col++) cells.push(modules.get(row, col) !== 0);
    rows.push(cells);
  }
  return rows;
}

/**
 * The kit does not fit on one page (`kit_overflow`). Thrown rather than cutting content off: a
 * kit that silently lost its last lines could lose the one line that matters. Kits with a
 * compact layout catch it and try that; what still does not fit reaches the caller.
 */
export class KitOverflowError extends LatchkeyError {
  constructor() {
    super('kit_overflow', 'This does not fit on one printed page: an address, email or name is too long.');
    this.name = 'KitOverflowError';
  }
}

/**
 * Renders the first layout that fits on one page: kits are laid out for ordinary addresses, and
 * a very long sign-in address or email falls back to a more compact layout (smaller type,
 * shorter explanations) rather than failing to print. Only absurd input still throws.
 */
export async function createFirstFittingKitPdf(layouts: readonly (() => KitDocument)[]): Promise<Uint8Array> {
  let overflow: KitOverflowError | undefined;
  for (const layout of layouts) {
    try {
      return await createKitPdf(layout());
    } catch (error) {
      if (!(error instanceof KitOverflowError)) throw error;
      overflow = error;
    }
  }
  throw overflow ?? new KitOverflowError();
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
  monoBold: PDFFont;
}

/** Maps characters the standard fonts cannot encode (WinAnsi only) to "?" instead of throwing. */
function encodable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  // Line breaks are layout, kept for the wrapper; anything else the font lacks becomes '?'.
  return Array.from(text.replace(/\t/g, ' '), (c) => (c === '\n' || supported.has(c.codePointAt(0)!) ? c : '?')).join('');
}

/** Greedy word wrap for proportional text; a word longer than the line is broken by characters. */
function wrapWords(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = word;
      while (font.widthOfTextAtSize(line, size) > width && line.length > 1) {
        let cut = line.length - 1;
        while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
        lines.push(line.slice(0, cut));
        line = line.slice(cut);
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Wraps a monospace value (URL, email, code) to `columns` characters, preferring to break
 * after a separator in the second half of the line so a URL splits at a "/" or "." rather
 * than mid-word.
 */
function wrapMonospace(value: string, columns: number): string[] {
  const lines: string[] = [];
  for (let rest of value.split('\n')) {
    while (rest.length > columns) {
      let cut = columns;
      for (let i = columns; i > columns / 2; i--) {
        if ('/.@-_?&=:, '.includes(rest[i - 1]!)) {
          cut = i;
          break;
        }
      }
      lines.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    lines.push(rest);
  }
  return lines;
}

/** Draws top-down; `y` is the top of the next thing to draw. Throws rather than overflow. */
class Cursor {
  y = PAGE_HEIGHT - MARGIN;

  constructor(
    private readonly page: PDFPage,
    private readonly fonts: Fonts,
    /** Lowest y the flowing content may reach (the footer starts below it). */
    private readonly floor: number,
  ) {}

  private need(height: number): void {
    if (this.y - height < this.floor) throw new KitOverflowError();
  }

  space(points: number): void {
    this.y -= points;
  }

  /** Draws lines of text with the first baseline `size` below the cursor. */
  lines(lines: readonly string[], font: PDFFont, size: number, options: { x?: number; color?: typeof INK; leading?: number } = {}): void {
    const leading = options.leading ?? size * 1.35;
    this.need(size + leading * (lines.length - 1) + size * 0.3);
    let baseline = this.y - size;
    for (const line of lines) {
      if (line !== '') {
        this.page.drawText(line, { x: options.x ?? MARGIN, y: baseline, size, font, color: options.color ?? INK });
      }
      baseline -= leading;
    }
    this.y = baseline + leading - size * 0.3;
  }

  text(text: string, font: PDFFont, size: number, options: { x?: number; width?: number; color?: typeof INK } = {}): void {
    const safe = encodable(font, text);
    this.lines(wrapWords(safe, font, size, options.width ?? CONTENT_WIDTH), font, size, options);
  }

  rule(color = RULE): void {
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + CONTENT_WIDTH, y: this.y }, thickness: 0.6, color });
  }

  label(text: string): void {
    this.text(text, this.fonts.bold, 9, { color: MUTED });
    this.space(4);
  }

  field(section: Extract<KitSection, { kind: 'field' }>): void {
    this.label(section.label);
    const font = section.prominent ? this.fonts.monoBold : this.fonts.mono;
    let size = section.prominent ? 15 : 11.5;
    const value = encodable(font, section.value);
    const longest = Math.max(...value.split('\n').map((l) => l.length));
    if (section.keepTogether) {
      // Shrink to fit one line (down to a still-legible size) so the value stays contiguous.
      size = Math.max(8, Math.min(size, CONTENT_WIDTH / (longest * COURIER_ADVANCE)));
    }
    const columns = Math.max(1, Math.floor(CONTENT_WIDTH / (size * COURIER_ADVANCE)));
    this.lines(wrapMonospace(value, columns), font, size, { leading: size * 1.3 });
  }

  blank(section: Extract<KitSection, { kind: 'blank' }>): void {
    this.label(section.label);
    // Room for handwriting: roughly 9 mm between the label and the line.
    const gap = 26;
    this.need(gap);
    this.y -= gap;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: MARGIN + CONTENT_WIDTH, y: this.y }, thickness: 0.8, color: INK });
    if (section.note !== undefined) {
      this.space(4);
      this.text(section.note, this.fonts.regular, 8.5, { color: MUTED });
    }
  }

  qr(section: Extract<KitSection, { kind: 'qr' }>): void {
    const matrix = qrModules(section.text);
    const modules = matrix.length;
    const side = 144; // 2 inches: a setup code (version 7-10) gets modules of 1 mm or more
    const module = side / modules;
    // Four modules of quiet zone on every side (the QR specification's minimum) stay blank:
    // the page margin provides it on the left, spacing above, below and beside the caption.
    const quiet = 4 * module;
    this.need(side + 2 * quiet);
    const top = this.y - quiet;
    const left = MARGIN;
    const ops = [pushGraphicsState(), setFillingColor(QR_INK)];
    for (let row = 0; row < modules; row++) {
      const cells = matrix[row]!;
      // One rectangle per horizontal run of dark modules, all filled as a single path: fewer
      // operators, and no hairline seams between neighbouring modules in anti-aliasing viewers.
      for (let col = 0; col < modules; ) {
        if (!cells[col]) {
          col++;
          continue;
        }
        let end = col;
        while (end < modules && cells[end]) end++;
        ops.push(rectangle(left + col * module, top - (row + 1) * module, (end - col) * module, module));
        col = end;
      }
    }
    ops.push(fill(), popGraphicsState());
    this.page.pushOperators(...ops);

    const captionX = left + side + Math.max(quiet, 18);
    const afterQr = top - side - quiet;
    this.y = top;
    this.text(section.caption, this.fonts.regular, 10, { x: captionX, width: MARGIN + CONTENT_WIDTH - captionX });
    this.y = Math.min(this.y, afterQr);
  }
}

function footerHeight(footer: KitDocument['footer'], fonts: Fonts): number {
  const size = 8.5;
  const lineCount = footer.items.reduce((n, item) => n + wrapWords(encodable(fonts.regular, item), fonts.regular, size, CONTENT_WIDTH - 12).length, 0);
  return 14 + (footer.heading !== undefined ? 16 : 0) + lineCount * size * 1.35 + footer.items.length * 3;
}

function drawFooter(page: PDFPage, fonts: Fonts, footer: KitDocument['footer'], top: number): void {
  const cursor = new Cursor(page, fonts, MARGIN - 1);
  cursor.y = top;
  cursor.rule();
  cursor.space(10);
  if (footer.heading !== undefined) {
    cursor.text(footer.heading, fonts.bold, 10);
    cursor.space(5);
  }
  for (const item of footer.items) {
    const size = 8.5;
    // The bullet is drawn first so it also comes first in extracted text.
    page.drawText('\u2022', { x: MARGIN + 2, y: cursor.y - size, size, font: fonts.regular, color: INK });
    cursor.text(item, fonts.regular, size, { x: MARGIN + 12, width: CONTENT_WIDTH - 12 });
    cursor.space(3);
  }
}

/** Refuses metadata that repeats any value marked secret: viewers and desktop search index it. */
function checkMetadata(doc: KitDocument): void {
  const secrets = doc.sections.flatMap((s) => ((s.kind === 'field' || s.kind === 'qr') && s.secret ? [s.kind === 'field' ? s.value : s.text] : []));
  const metadata = [doc.metadata.title, doc.metadata.subject];
  for (const secret of secrets) {
    const needle = secret.trim();
    if (needle !== '' && metadata.some((m) => m.includes(needle))) {
      throw new Error('Kit metadata must not contain a secret value.');
    }
  }
}

/** Renders a one-page A4 kit PDF and returns its bytes (the caller decides where they go). */
export async function createKitPdf(doc: KitDocument): Promise<Uint8Array> {
  checkMetadata(doc);
  const pdf = await PDFDocument.create();
  const createdAt = doc.createdAt ?? new Date();
  pdf.setTitle(doc.metadata.title, { showInWindowTitleBar: true });
  pdf.setSubject(doc.metadata.subject);
  pdf.setCreator('Latchkey');
  pdf.setProducer('Latchkey');
  pdf.setLanguage(doc.language ?? 'en');
  pdf.setCreationDate(createdAt);
  pdf.setModificationDate(createdAt);

  const fonts: Fonts = {
    regular: await pdf.embedFont(StandardFonts.Helvetica),
    bold: await pdf.embedFont(StandardFonts.HelveticaBold),
    mono: await pdf.embedFont(StandardFonts.Courier),
    monoBold: await pdf.embedFont(StandardFonts.CourierBold),
  };
  const page = pdf.addPage([PAGE_WIDTH, PAGE_HEIGHT]);

  const footerTop = MARGIN + footerHeight(doc.footer, fonts);
  const cursor = new Cursor(page, fonts, footerTop + 12);

  cursor.text(doc.title, fonts.bold, 22);
  if (doc.subtitle !== undefined) {
    cursor.space(6);
    cursor.text(doc.subtitle, fonts.regular, 10, { color: MUTED });
  }
  cursor.space(12);
  cursor.rule();
  cursor.space(14);
  cursor.text(doc.intro, fonts.regular, 10.5);

  for (const section of doc.sections) {
    cursor.space(section.kind === 'heading' ? 20 : 16);
    switch (section.kind) {
      case 'heading':
        cursor.text(section.text, fonts.bold, 13);
        break;
      case 'paragraph':
        cursor.text(section.text, fonts.regular, 10.5);
        break;
      case 'list':
        for (const item of section.items) {
          page.drawText('\u2022', { x: MARGIN + 3, y: cursor.y - 10.5, size: 10.5, font: fonts.regular, color: INK });
          cursor.text(item, fonts.regular, 10.5, { x: MARGIN + 14, width: CONTENT_WIDTH - 14 });
          cursor.space(3);
        }
        break;
      case 'field':
        cursor.field(section);
        break;
      case 'blank':
        cursor.blank(section);
        break;
      case 'qr':
        cursor.qr(section);
        break;
    }
  }

  drawFooter(page, fonts, doc.footer, footerTop);
  // No object streams: the file then reads in older and simpler PDF tools (printer firmware,
  // minimal viewers) at a cost of a few hundred bytes.
  return pdf.save({ useObjectStreams: false });
}
