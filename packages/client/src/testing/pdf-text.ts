/**
 * Test helpers that read back what a PDF draws, without poppler or a canvas: pdf-lib loads
 * the file and inflates the page content streams, and a small content-stream tokenizer
 * recovers the text shown (Tj/TJ/'/") and the filled rectangles (re). Pure JS, so the
 * Emergency Kit, Recovery Kit and share-card tests can use it in Node and in browser tests.
 *
 * Scope: PDFs that use the standard 14 fonts with WinAnsiEncoding (what pdf-lib writes for
 * StandardFonts). Coordinates are in user space as written: the helper does not apply `cm`.
 */
import { PDFArray, PDFContentStream, PDFDocument, PDFRawStream, decodePDFRawStream, type PDFPage } from 'pdf-lib';

/** WinAnsiEncoding differs from Latin-1 only in 0x80–0x9F. */
const WIN_ANSI_80_9F: Record<number, string> = {
  128: '\u20ac',
  130: '\u201a',
  131: '\u0192',
  132: '\u201e',
  133: '\u2026',
  134: '\u2020',
  135: '\u2021',
  136: '\u02c6',
  137: '\u2030',
  138: '\u0160',
  139: '\u2039',
  140: '\u0152',
  142: '\u017d',
  145: '\u2018',
  146: '\u2019',
  147: '\u201c',
  148: '\u201d',
  149: '\u2022',
  150: '\u2013',
  151: '\u2014',
  152: '\u02dc',
  153: '\u2122',
  154: '\u0161',
  155: '\u203a',
  156: '\u0153',
  158: '\u017e',
  159: '\u0178',
};

const decodeWinAnsi = (bytes: readonly number[]): string => bytes.map((b) => WIN_ANSI_80_9F[b] ?? String.fromCharCode(b)).join('');

type Operand = number | string | { name: string } | { bytes: number[] } | Operand[] | null;

interface Operation {
  operator: string;
  operands: Operand[];
}

const isWhite = (c: number) => c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
const isDelimiter = (c: number) => '()<>[]{}/%'.includes(String.fromCharCode(c));

/** Tokenizes a decoded content stream into operators with their operands. */
export function parseContentStream(data: Uint8Array): Operation[] {
  const ops: Operation[] = [];
  const stack: Operand[][] = [[]];
  let i = 0;
  const top = () => stack[stack.length - 1]!;

  const readLiteral = (): number[] => {
    const out: number[] = [];
    let depth = 1;
    i++; // (
    while (i < data.length) {
      const c = data[i++]!;
      if (c === 0x5c) {
        const e = data[i++]!;
        const simple: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12, 40: 0x28, 41: 0x29, 92: 0x5c };
        if (simple[e] !== undefined) out.push(simple[e]);
        else if (e >= 0x30 && e <= 0x37) {
          let octal = e - 0x30;
          for (let k = 0; k < 2 && data[i]! >= 0x30 && data[i]! <= 0x37; k++) octal = octal * 8 + (data[i++]! - 0x30);
          out.push(octal & 0xff);
        } else if (e === 13) {
          if (data[i] === 10) i++;
        } else if (e !== 10) out.push(e);
        continue;
      }
      if (c === 0x28) depth++;
      if (c === 0x29 && --depth === 0) break;
      out.push(c);
    }
    return out;
  };

  const readHex = (): number[] => {
    i++; // <
    let hex = '';
    while (i < data.length && data[i] !== 0x3e) {
      const ch = String.fromCharCode(data[i++]!);
      if (/[0-9a-f]/i.test(ch)) hex += ch;
    }
    i++; // >
    if (hex.length % 2 === 1) hex += '0';
    const out: number[] = [];
    for (let k = 0; k < hex.length; k += 2) out.push(parseInt(hex.slice(k, k + 2), 16));
    return out;
  };

  while (i < data.length) {
    const c = data[i]!;
    if (isWhite(c)) {
      i++;
    } else if (c === 0x25) {
      while (i < data.length && data[i] !== 10 && data[i] !== 13) i++;
    } else if (c === 0x28) {
      top().push({ bytes: readLiteral() });
    } else if (c === 0x3c && data[i + 1] === 0x3c) {
      // Inline dictionaries (BDC properties) are skipped as an opaque operand.
      let depth = 0;
      do {
        if (data[i] === 0x3c && data[i + 1] === 0x3c) {
          depth++;
          i += 2;
        } else if (data[i] === 0x3e && data[i + 1] === 0x3e) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < data.length);
      top().push(null);
    } else if (c === 0x3c) {
      top().push({ bytes: readHex() });
    } else if (c === 0x5b) {
      stack.push([]);
      i++;
    } else if (c === 0x5d) {
      const array = stack.length > 1 ? stack.pop()! : [];
      top().push(array);
      i++;
    } else if (c === 0x2f) {
      let name = '';
      i++;
      while (i < data.length && !isWhite(data[i]!) && !isDelimiter(data[i]!)) name += String.fromCharCode(data[i++]!);
      top().push({ name });
    } else {
      let word = '';
      while (i < data.length && !isWhite(data[i]!) && !isDelimiter(data[i]!)) word += String.fromCharCode(data[i++]!);
      if (word === '') {
        i++; // a stray delimiter such as "}" or ">"
      } else if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) {
        top().push(Number(word));
      } else if (word === 'true' || word === 'false' || word === 'null') {
        top().push(word === 'null' ? null : word);
      } else {
        ops.push({ operator: word, operands: top().splice(0) });
        if (word === 'BI') {
          // Inline image data is binary: skip to "EI".
          while (i < data.length && !(data[i - 1] !== undefined && isWhite(data[i - 1]!) && data[i] === 0x45 && data[i + 1] === 0x49)) i++;
          i += 2;
        }
      }
    }
  }
  return ops;
}

/** Each page's content, inflated and concatenated, ready for `parseContentStream`. */
export async function pageContents(bytes: Uint8Array): Promise<Uint8Array[]> {
  const pdf = await PDFDocument.load(bytes);
  return pdf.getPages().map(contentOf);
}

function contentOf(page: PDFPage): Uint8Array {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => page.node.context.lookup(ref)) : [contents];
  const parts = streams.map((stream) => {
    if (stream instanceof PDFRawStream) return decodePDFRawStream(stream).decode();
    if (stream instanceof PDFContentStream) return stream.getUnencodedContents();
    return new Uint8Array();
  });
  // Content arrays are concatenated as one stream, with whitespace between the parts.
  const total = parts.reduce((n, p) => n + p.length + 1, 0);
  const joined = new Uint8Array(total).fill(10);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length + 1;
  }
  return joined;
}

const stringOf = (operand: Operand | undefined): string =>
  operand !== null && typeof operand === 'object' && 'bytes' in operand ? decodeWinAnsi(operand.bytes) : '';

/**
 * The text a PDF shows, in content-stream order: each text object (BT…ET) and each line
 * move inside one starts a new line; pages are separated by a form feed. Text drawn in one
 * Tj (e.g. a Secret Key) comes out contiguous.
 */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  const pages: string[] = [];
  for (const content of await pageContents(bytes)) {
    const lines: string[] = [];
    let line = '';
    const breakLine = () => {
      if (line !== '') lines.push(line);
      line = '';
    };
    for (const { operator, operands } of parseContentStream(content)) {
      switch (operator) {
        case 'Tj':
          line += stringOf(operands[0]);
          break;
        case "'":
          breakLine();
          line += stringOf(operands[0]);
          break;
        case '"':
          breakLine();
          line += stringOf(operands[2]);
          break;
        case 'TJ':
          for (const part of Array.isArray(operands[0]) ? operands[0] : []) {
            // A large negative kerning adjustment is how some writers encode a space.
            if (typeof part === 'number') line += part < -200 ? ' ' : '';
            else line += stringOf(part);
          }
          break;
        case 'T*':
        case 'Td':
        case 'TD':
        case 'Tm':
        case 'ET':
          breakLine();
          break;
      }
    }
    breakLine();
    pages.push(lines.join('\n'));
  }
  return pages.join('\n\f');
}

export interface PdfRectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PdfPath {
  page: number;
  /** The painting operator that ended the path (f, S, B, n, …). */
  paint: string;
  rectangles: PdfRectangle[];
  /** How many non-rectangle construction operators (m, l, c, h, …) the path had. */
  otherSegments: number;
}

/** Every painted path, with the rectangles (`re`) it is made of, in drawing order. */
export async function extractPdfPaths(bytes: Uint8Array): Promise<PdfPath[]> {
  const paths: PdfPath[] = [];
  (await pageContents(bytes)).forEach((content, page) => {
    let rectangles: PdfRectangle[] = [];
    let otherSegments = 0;
    for (const { operator, operands } of parseContentStream(content)) {
      if (operator === 're') {
        const [x, y, width, height] = operands.map(Number) as [number, number, number, number];
        rectangles.push({ x, y, width, height });
      } else if (['m', 'l', 'c', 'v', 'y', 'h'].includes(operator)) {
        otherSegments++;
      } else if (['f', 'F', 'f*', 'B', 'B*', 'b', 'b*', 'S', 's', 'n'].includes(operator)) {
        paths.push({ page, paint: operator, rectangles, otherSegments });
        rectangles = [];
        otherSegments = 0;
      }
    }
  });
  return paths;
}
