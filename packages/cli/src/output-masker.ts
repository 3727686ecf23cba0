/**
 * Masks secrets in a stream of text (what `latchkey run` does to the command's output): every
 * occurrence of a secret becomes `<concealed by latchkey>`, also when it arrives split over
 * chunks. Only a tail that could still be the start of a secret is held back, so ordinary
 * output is not delayed. Empty secrets and one-character values are not masked (they would
 * turn every such character into the mask).
 */
import { StringDecoder } from 'node:string_decoder';

export const MASK = '<concealed by latchkey>';

export class OutputMasker {
  private readonly secrets: string[];
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(secrets: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set(secrets)].filter((s) => s.length > 1).sort((a, b) => b.length - a.length);
  }

  private mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out;
  }

  /** The masked text that can be written now. */
  push(chunk: Buffer | string): string {
    const text = this.pending + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const masked = this.mask(text);
    let hold = 0;
    const longest = this.secrets[0]?.length ?? 0;
    for (let k = Math.min(longest - 1, masked.length); k > 0; k--) {
      const tail = masked.slice(masked.length - k);
      if (this.secrets.some((s) => s.startsWith(tail))) {
        hold = k;
        break;
      }
    }
    this.pending = masked.slice(masked.length - hold);
    return masked.slice(0, masked.length - hold);
  }

  /** Whatever is left at the end of the stream. */
  end(): string {
    const rest = this.mask(this.pending + this.decoder.end());
    this.pending = '';
    return rest;
  }
}
