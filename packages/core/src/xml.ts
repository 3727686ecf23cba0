/**
 * A small strict XML reader for KeePass 2 XML exports: elements, attributes, text, CDATA, the
 * predefined and numeric character references; the declaration, comments, processing
 * instructions and a doctype are skipped (a doctype's entities are not expanded, so no entity
 * expansion attack). Core runs where there is no DOMParser (Node), hence its own. Anything not
 * well-formed, such as a file cut short with elements left open, is `invalid_file`.
 */
import { LatchkeyError } from './errors.ts';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (CDATA included), children's text not included. */
  readonly text: string;
}

const malformed = (why: string) => new LatchkeyError('invalid_file', `This file cannot be imported: it is not well-formed XML (${why}). Nothing was imported.`);

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeReferences(raw: string): string {
  return raw.replace(/&([^;&<]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw malformed('an unterminated character reference');
    if (NAMED[ref] !== undefined) return NAMED[ref];
    const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : ref.startsWith('#') ? Number.parseInt(ref.slice(1), 10) : Number.NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff || !/^#(x[0-9a-fA-F]+|[0-9]+)$/.test(ref)) throw malformed(`an unknown reference &${ref};`);
    return String.fromCodePoint(code);
  });
}

interface Open {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

// Sticky, so each match starts exactly at `lastIndex` without copying the rest of the input.
const NAME = /[A-Za-z_:][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_:][\w.:-]*)\s*=\s*("([^"<]*)"|'([^'<]*)')/y;
const matchAt = (pattern: RegExp, source: string, at: number): RegExpExecArray | null => {
  pattern.lastIndex = at;
  return pattern.exec(source);
};

/** The document's root element. */
export function parseXml(input: string): XmlElement {
  const source = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const skipTo = (end: string, what: string) => {
    const at = source.indexOf(end, i);
    if (at < 0) throw malformed(`${what} left open`);
    const body = source.slice(i, at);
    i = at + end.length;
    return body;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > i) {
      const raw = source.slice(i, textEnd);
      if (stack.length > 0) stack[stack.length - 1]!.text += decodeReferences(raw);
      else if (raw.trim() !== '') throw malformed('text outside the root element');
      i = textEnd;
      continue;
    }
    if (source.startsWith('<!--', i)) {
      i += 4;
      skipTo('-->', 'a comment');
    } else if (source.startsWith('<![CDATA[', i)) {
      i += 9;
      const body = skipTo(']]>', 'a CDATA section');
      if (stack.length === 0) throw malformed('CDATA outside the root element');
      stack[stack.length - 1]!.text += body;
    } else if (source.startsWith('<?', i)) {
      i += 2;
      skipTo('?>', 'a processing instruction');
    } else if (source.startsWith('<!DOCTYPE', i)) {
      if (root !== undefined || stack.length > 0) throw malformed('a doctype inside the document');
      i += 9;
      // An internal subset ([...]) may hold '>' characters.
      const bracket = source.indexOf('[', i);
      const close = source.indexOf('>', i);
      if (bracket >= 0 && bracket < close) {
        i = bracket + 1;
        skipTo(']', 'a doctype');
      }
      skipTo('>', 'a doctype');
    } else if (source.startsWith('</', i)) {
      i += 2;
      const name = matchAt(NAME, source, i)?.[0];
      const open = stack.pop();
      if (name === undefined || open === undefined || open.name !== name) throw malformed(`</${name ?? ''}> does not close <${open?.name ?? ''}>`);
      i += name.length;
      if (skipTo('>', 'an end tag').trim() !== '') throw malformed(`a malformed end tag </${name}>`);
      const element: XmlElement = open;
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else root = element;
    } else {
      i += 1;
      const name = matchAt(NAME, source, i)?.[0];
      if (name === undefined) throw malformed('a "<" that starts no tag');
      if (root !== undefined) throw malformed('a second root element');
      i += name.length;
      const attributes: Record<string, string> = {};
      for (;;) {
        const match = matchAt(ATTRIBUTE, source, i);
        if (match === null) break;
        if (Object.hasOwn(attributes, match[1]!)) throw malformed(`attribute ${match[1]} given twice`);
        attributes[match[1]!] = decodeReferences(match[3] ?? match[4] ?? '');
        i += match[0].length;
      }
      while (i < source.length && /\s/.test(source[i]!)) i++;
      const element: Open = { name, attributes, children: [], text: '' };
      if (source.startsWith('/>', i)) {
        i += 2;
        if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
        else root = element;
      } else if (source[i] === '>') {
        i += 1;
        stack.push(element);
      } else {
        throw malformed(i >= source.length ? `<${name}> cut short` : `a malformed tag <${name}>`);
      }
    }
  }
  if (stack.length > 0) throw malformed(`<${stack[stack.length - 1]!.name}> is never closed (cut short?)`);
  if (root === undefined) throw malformed('there is no root element');
  return root;
}

/** The first child element named `name`. */
export const child = (element: XmlElement, name: string): XmlElement | undefined => element.children.find((c) => c.name === name);
/** Every child element named `name`. */
export const childrenNamed = (element: XmlElement, name: string): XmlElement[] => element.children.filter((c) => c.name === name);
