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

/**
 * What ties a field to the form's error (form-error.ts): `errorId` is the id of the error's
 * text while this field is the one that failed. The field is then `aria-invalid`, described by
 * the error first, and takes focus, so a failed submit lands where the fix is typed.
 */
type ErrorTie = { errorId?: string | undefined };

function describedBy(...ids: (string | false | undefined)[]): string | undefined {
  const list = ids.filter((id): id is string => typeof id === 'string' && id !== '');
  return list.length > 0 ? list.join(' ') : undefined;
}

/** Focuses `ref` each time `errorId` becomes set (each failed submit: the error is cleared when it starts). */
function useFocusOnError(errorId: string | undefined) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => {
    if (errorId !== undefined) ref.current?.focus();
  }, [errorId]);
  return ref;
}

export function Field(
  props: InputProps & ErrorTie & { label: string; value: string; onChange: (value: string) => void; hint?: ReactNode; multiline?: boolean },
) {
  const { label, value, onChange, hint, multiline, errorId, ...rest } = props;
  const id = useId();
  const hintId = `${id}-hint`;
  const ref = useFocusOnError(errorId);
  const described = describedBy(errorId, hint ? hintId : undefined);
  const invalid = errorId !== undefined ? true : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea ref={ref} id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={described} aria-invalid={invalid} rows={4} />
      ) : (
        <input ref={ref} id={id} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={described} aria-invalid={invalid} {...rest} />
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
export function SecretField(props: InputProps & ErrorTie & { label: string; value: string; onChange: (value: string) => void; hint?: ReactNode }) {
  const { label, value, onChange, hint, errorId, ...rest } = props;
  const [shown, setShown] = useState(false);
  const id = useId();
  const hintId = `${id}-hint`;
  const ref = useFocusOnError(errorId);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-row">
        <input
          ref={ref}
          id={id}
          type={shown ? 'text' : 'password'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-describedby={describedBy(errorId, hint ? hintId : undefined)}
          aria-invalid={errorId !== undefined ? true : undefined}
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
export function ErrorMessage({ message, children, id }: { message: string | undefined; children?: ReactNode; id?: string }) {
  if (message === undefined) return null;
  return (
    <div className="error" role="alert">
      <p id={id}>{message}</p>
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
