/**
 * Reading a ZIP archive (PKWARE APPNOTE 6.3: end of central directory, central directory, local
 * headers; stored or deflated entries), for 1Password's `.1pux` export. Inflating uses the web
 * platform's `DecompressionStream('deflate-raw')`, present in browsers and in Node ≥ 18, so core
 * needs no ZIP dependency and runs on both. Strict: a missing or inconsistent directory, an
 * entry cut short, a wrong CRC-32 or length, encryption or ZIP64 are `invalid_file`, never a
 * shorter entry; an entry may not inflate past its declared size nor past `maxBytes`.
 */
import { LatchkeyError } from './errors.ts';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** No entry of an export we read is larger (a `.1pux` export.data is a few MB for thousands of items). */
export const MAX_ZIP_ENTRY_BYTES = 256 * 1024 * 1024;

const broken = (why: string) => new LatchkeyError('invalid_file', `This file cannot be imported: the ZIP archive ${why}. Nothing was imported.`);

/** Whether these bytes start like a ZIP archive (a local file header). */
export const looksLikeZip = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** The entries of the archive's central directory. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is the last 22 bytes plus a comment of at most 65,535 bytes.
  let eocd = -1;
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD && at + 22 + view.getUint16(at + 20, true) === bytes.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw broken('has no end record (cut short?)');
  const count = view.getUint16(eocd + 10, true);
  const directorySize = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw broken('is ZIP64, which Latchkey does not read');
  if (directoryOffset + directorySize > eocd) throw broken('has a directory outside the file (cut short?)');
  const entries: ZipEntry[] = [];
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CENTRAL) throw broken('has a damaged directory');
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    if (at + 46 + nameLength > eocd) throw broken('has a damaged directory');
    entries.push({
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as ZIP uses it). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function inflateRaw(data: Uint8Array, limit: number): Promise<Uint8Array> {
  const stream = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw broken('holds an entry larger than it says');
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof LatchkeyError) throw error;
    throw broken('holds an entry that does not inflate (cut short or damaged)');
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** The content of one entry, checked against its declared size and CRC-32. */
export async function readZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes = MAX_ZIP_ENTRY_BYTES): Promise<Uint8Array> {
  if (entry.flags & 1) throw broken('is encrypted');
  if (entry.size > maxBytes) throw broken(`holds "${entry.name}" larger than Latchkey reads (${maxBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localHeaderOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw broken(`has no entry "${entry.name}" where its directory says`);
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw broken(`holds "${entry.name}" cut short`);
  const data = bytes.subarray(start, end);
  let content: Uint8Array;
  if (entry.method === 0) content = data;
  else if (entry.method === 8) content = await inflateRaw(data, entry.size);
  else throw broken(`holds "${entry.name}" compressed with method ${entry.method}, which Latchkey does not read`);
  if (content.length !== entry.size || crc32(content) !== entry.crc32) throw broken(`holds "${entry.name}" damaged (its length or checksum is wrong)`);
  return content;
}
