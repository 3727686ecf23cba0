/** Small accessible building blocks shared by every page. */
import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { copyToClipboard } from '../clipboard.ts';
import { useToast } from './Toast.tsx';

/**
 * A page's main heading; takes focus when the page appears so screen readers announce it, and
 * names the view in the window title ("Sessions – Latchkey"). The window title goes into the
 * browser's history (and history sync), so a heading holding decrypted data, such as an item's
 * title, passes a generic `documentTitle` instead; `false` leaves the window title to another
 * heading on the same page.
 */
export function PageHeading({ children, takeFocus = true, documentTitle }: { children: ReactNode; takeFocus?: boolean; documentTitle?: string | false }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (takeFocus) ref.current?.focus();
  }, [takeFocus]);
  const windowTitle = documentTitle ?? (typeof children === 'string' ? children : undefined);
  useEffect(() => {
    if (windowTitle) document.title = windowTitle.includes('Latchkey') ? windowTitle : `${windowTitle} – Latchkey`;
  }, [windowTitle]);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange' | 'value'>;

export function Field(props: InputProps & { label: string; value: string; onChange: (value: string) => void; hint?: ReactNode; multiline?: boolean }) {
  const { label, value, onChange, hint, multiline, ...rest } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? hintId : undefined} rows={4} />
      ) : (
        <input id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? hintId : undefined} {...rest} />
      )}
      {hint ? (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** A password field with a show/hide toggle. */
export function SecretField(props: InputProps & { label: string; value: string; onChange: (value: string) => void; hint?: ReactNode }) {
  const { label, value, onChange, hint, ...rest } = props;
  const [shown, setShown] = useState(false);
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          id={id}
          type={shown ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={hint ? hintId : undefined}
          spellCheck={false}
          autoCapitalize="off"
          {...rest}
        />
        <button type="button" className="secondary" aria-pressed={shown} aria-controls={id} onClick={() => setShown(!shown)}>
          {shown ? 'Hide' : 'Show'}
        </button>
      </div>
      {hint ? (
        <p className="hint" id={hintId} aria-live="polite">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

/** An error the person should read now: announced by screen readers as it appears. */
export function ErrorMessage({ message, children }: { message: string | undefined; children?: ReactNode }) {
  if (message === undefined) return null;
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {children}
    </div>
  );
}

/** Progress ("Unlocking…"), announced politely; the spinner is decoration. */
export function Progress({ text }: { text: string | undefined }) {
  return (
    <div className="progress" role="status" aria-live="polite">
      {text !== undefined ? (
        <>
          <span className="spinner" aria-hidden="true" />
          <span>{text}</span>
        </>
      ) : null}
    </div>
  );
}

/** Copies text to the clipboard, says so in a toast, and takes it off the clipboard again later (clipboard.ts). */
export function CopyButton({ text, label, what }: { text: string; label?: string; what: string }) {
  const toast = useToast();
  const copy = async () => {
    try {
      const seconds = await copyToClipboard(text);
      toast(`${what} copied. The clipboard is cleared in ${seconds} s.`);
    } catch {
      toast('Could not copy: your browser did not allow it. Select the text and copy it instead.');
    }
  };
  return (
    <button type="button" className="secondary" onClick={() => void copy()} aria-label={`Copy ${what.toLowerCase()}`}>
      {label ?? 'Copy'}
    </button>
  );
}
