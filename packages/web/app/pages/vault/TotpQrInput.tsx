/** "Read a QR code image" under the item editor's TOTP field: a picked image's setup code fills the field (totp-qr.ts). */
import { useId, useState } from 'react';
import { readTotpQr, TotpQrError } from './totp-qr.ts';

export function TotpQrInput({ onRead }: { onRead: (uri: string) => void }) {
  const id = useId();
  const [error, setError] = useState<string>();
  const [status, setStatus] = useState<string>();
  const [busy, setBusy] = useState(false);

  const read = async (file: File | undefined) => {
    setError(undefined);
    setStatus(undefined);
    if (file === undefined) return;
    setBusy(true);
    try {
      onRead(await readTotpQr(file));
      setStatus('Setup code read from the QR code image.');
    } catch (e) {
      setError(e instanceof TotpQrError ? e.message : 'That image could not be read.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="field totp-qr">
      <label htmlFor={id}>Or read a QR code image</label>
      <input
        id={id}
        type="file"
        accept="image/*"
        disabled={busy}
        aria-invalid={error !== undefined ? true : undefined}
        aria-describedby={error !== undefined ? `${id}-error` : `${id}-hint`}
        onChange={(e) => {
          void read(e.target.files?.[0]);
          // The same file chosen again (after a fix elsewhere) reads again.
          e.target.value = '';
        }}
      />
      {error !== undefined ? (
        <div className="error" role="alert">
          <p id={`${id}-error`}>{error}</p>
        </div>
      ) : (
        <p className="hint" id={`${id}-hint`} aria-live="polite">
          {status ?? 'A screenshot or saved picture of the QR code the website shows. It is read in this browser.'}
        </p>
      )}
    </div>
  );
}
