/**
 * Saving a file the person asked for: a download they trigger with a button, named by us and
 * placed by their browser (or wherever they choose in its save dialog). Never called without a
 * click; nothing is ever written anywhere else, and nothing is printed behind their back.
 */
export function downloadFile(contents: Uint8Array | string, fileName: string, type: 'application/pdf' | 'text/plain' | 'application/json' | 'text/csv'): void {
  const blob =
    typeof contents === 'string' ? new Blob([contents], { type: `${type};charset=utf-8` }) : new Blob([contents as Uint8Array<ArrayBuffer>], { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  link.click();
  // The object URL keeps the secret in memory only while the browser may still need it.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
