/**
 * Import: another manager's export (or a Latchkey export) read on this device, previewed, then
 * encrypted here and uploaded (core/import-file.ts, the SDK's `items.import`). The file is
 * parsed and checked in full before anything is sent, so a malformed or truncated file is an
 * error that imports nothing; the preview is the SDK's dry run (what will be imported, what is
 * already there and left out as a duplicate, what is skipped and why), and the import itself
 * is all or nothing. The file never leaves this browser in clear.
 */
import { useEffect, useId, useState, type DragEvent } from 'react';
import type { ImportSummary, Vault as VaultInfo } from '@latchkey/client/client';
import { LatchkeyError } from '@latchkey/core/errors';
import { IMPORT_FORMATS, detectImportFileFormat, planFromExportContent, planImportFile, type ImportFormat, type ImportPlan } from '@latchkey/core/import-file';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { openExportInWorker } from '../../platform/export-file-worker.ts';
import { ErrorMessage, Field, PageHeading, Progress, SecretField } from '../../components/ui.tsx';
import { describeImportError, FORMAT_NAMES } from './import-wording.ts';

interface ChosenFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Undefined when the content says no format (then the error says why). */
  readonly detected: ImportFormat | undefined;
}

type Target = 'file' | 'vault' | 'new';

type Stage =
  | { kind: 'choosing' }
  | { kind: 'previewed'; plan: ImportPlan; summary: ImportSummary }
  | { kind: 'importing'; done: number; total: number }
  | { kind: 'done'; summary: ImportSummary };

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Everything in the plan into one vault of this name (found by name, or created). */
const intoOneVault = (plan: ImportPlan, name: string): ImportPlan => ({
  ...plan,
  vaults: [{ name, items: plan.vaults.flatMap((v) => v.items) }],
});

function Preview({ plan, summary }: { plan: ImportPlan; summary: ImportSummary }) {
  const read = plan.vaults.reduce((n, v) => n + v.items.length, 0);
  return (
    <section aria-label="Preview" className="import-preview">
      <h2>What this import will do</h2>
      <p>
        Read from the file ({FORMAT_NAMES[plan.format]}): {plural(read + plan.skipped.length, 'entry', 'entries')}.
      </p>
      <ul>
        <li>
          <strong>{plural(summary.imported, 'item')}</strong> will be imported.
        </li>
        {summary.newVaults.length > 0 ? (
          <li>
            New {summary.newVaults.length === 1 ? 'vault' : 'vaults'} to be created: {summary.newVaults.join(', ')}.
          </li>
        ) : null}
        <li>
          <strong>{plural(summary.duplicates, 'duplicate')}</strong>: already in the vault, or twice in the file; merged, so not added again.
        </li>
        <li>
          <strong>{plural(plan.skipped.length, 'entry', 'entries')} skipped</strong>
          {plan.skipped.length > 0 ? ':' : '.'}
        </li>
      </ul>
      {plan.skipped.length > 0 ? <SkippedList plan={plan} /> : null}
    </section>
  );
}

function SkippedList({ plan }: { plan: ImportPlan }) {
  return (
    <ul className="skipped">
      {plan.skipped.map((s) => (
        <li key={s.entry}>
          {s.entry}
          {s.title ? ` “${s.title}”` : ''}: {s.reason}
        </li>
      ))}
    </ul>
  );
}

export function ImportPage() {
  const { latchkey, navigate, handleSignedOut } = useApp();
  const [vaults, setVaults] = useState<VaultInfo[]>();
  const [file, setFile] = useState<ChosenFile>();
  const [format, setFormat] = useState<ImportFormat | 'detect'>('detect');
  const [target, setTarget] = useState<Target>('file');
  const [vaultId, setVaultId] = useState('');
  const [newVaultName, setNewVaultName] = useState('');
  const [filePassword, setFilePassword] = useState('');
  const [stage, setStage] = useState<Stage>({ kind: 'choosing' });
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [dragging, setDragging] = useState(false);
  const inputId = useId();
  const targetName = useId();

  useEffect(() => {
    void latchkey.client.vaults
      .list()
      .then((all) => {
        const writable = all.filter((v) => v.access !== 'view');
        setVaults(writable);
        setVaultId((current) => current || (writable.find((v) => v.kind === 'personal') ?? writable[0])?.id || '');
      })
      .catch((e: unknown) => {
        if (!handleSignedOut(e)) setError(describeError(e));
      });
  }, [latchkey, handleSignedOut]);

  const chosenFormat = format === 'detect' ? file?.detected : format;

  const choose = async (picked: File | undefined) => {
    if (picked === undefined) return;
    setError(undefined);
    setStage({ kind: 'choosing' });
    const bytes = new Uint8Array(await picked.arrayBuffer());
    let detected: ImportFormat | undefined;
    try {
      detected = detectImportFileFormat(bytes);
    } catch (e) {
      setError(describeImportError(e));
    }
    setFile({ name: picked.name, bytes, detected });
  };

  /** The file's plan (the encrypted Latchkey export opened with its password first), retargeted as chosen. */
  const readPlan = async (chosen: ChosenFile, as: ImportFormat): Promise<ImportPlan> => {
    let plan: ImportPlan;
    if (as === 'latchkey') {
      if (filePassword === '') throw new LatchkeyError('invalid_request', 'Enter the password of the export file.');
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(chosen.bytes));
      } catch {
        throw new LatchkeyError('invalid_file', 'This Latchkey export is not valid JSON (cut short?). Nothing was imported.');
      }
      setBusy('Opening the encrypted file with its password…');
      plan = planFromExportContent(await openExportInWorker(parsed, filePassword));
    } else {
      plan = await planImportFile(chosen.bytes, as);
    }
    return target === 'new' ? intoOneVault(plan, newVaultName.trim()) : plan;
  };

  const options = () => (target === 'vault' && vaultId !== '' ? { vault: vaultId as VaultInfo['id'] } : {});

  const preview = async () => {
    if (file === undefined || chosenFormat === undefined) return;
    setError(undefined);
    if (target === 'new' && newVaultName.trim() === '') {
      setError('Name the new vault first. Nothing was imported.');
      return;
    }
    setBusy('Reading the file…');
    try {
      const plan = await readPlan(file, chosenFormat);
      setBusy('Comparing with your vaults…');
      const summary = await latchkey.client.items.import(plan, { ...options(), dryRun: true });
      setStage({ kind: 'previewed', plan, summary });
    } catch (e) {
      if (!handleSignedOut(e)) setError(e instanceof LatchkeyError && e.code === 'invalid_request' ? e.message : describeImportError(e));
      setStage({ kind: 'choosing' });
    } finally {
      setBusy(undefined);
    }
  };

  const runImport = async (plan: ImportPlan, expected: number) => {
    setError(undefined);
    setStage({ kind: 'importing', done: 0, total: expected * 2 });
    try {
      const summary = await latchkey.client.items.import(plan, {
        ...options(),
        onProgress: (done, total) => setStage({ kind: 'importing', done, total }),
      });
      setStage({ kind: 'done', summary });
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeImportError(e));
      setStage({ kind: 'choosing' });
    }
  };

  /** A choice changed after a preview: that preview no longer says what would happen. */
  const stale = () => setStage((s) => (s.kind === 'previewed' ? { kind: 'choosing' } : s));
  const retarget = (to: Target) => {
    setTarget(to);
    stale();
  };

  const startOver = () => {
    setFile(undefined);
    setFilePassword('');
    setError(undefined);
    setStage({ kind: 'choosing' });
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer.files[0]);
  };

  if (stage.kind === 'done') {
    const { summary } = stage;
    return (
      <main className="narrow import-export">
        <PageHeading>Import done</PageHeading>
        <p role="status" className="notice ok">
          Imported {plural(summary.imported, 'item')} ({FORMAT_NAMES[summary.format]}); {plural(summary.duplicates, 'duplicate')} already there;{' '}
          {summary.skipped.length} skipped.
          {summary.newVaults.length > 0 ? ` New ${summary.newVaults.length === 1 ? 'vault' : 'vaults'}: ${summary.newVaults.join(', ')}.` : ''}
        </p>
        {summary.skipped.length > 0 ? <SkippedList plan={{ format: summary.format, vaults: [], skipped: summary.skipped }} /> : null}
        <p>The file you imported holds your passwords in clear (unless it is an encrypted Latchkey export): delete it from this computer when you are done.</p>
        <div className="actions">
          <button type="button" onClick={() => navigate('/')}>
            Go to your items
          </button>
          <button type="button" className="secondary" onClick={startOver}>
            Import another file
          </button>
        </div>
      </main>
    );
  }

  const importing = stage.kind === 'importing';
  return (
    <main className="narrow import-export">
      <PageHeading>Import</PageHeading>
      <p>
        Bring in passwords exported from another password manager, or a Latchkey export. The file is read and encrypted in this browser: the server only
        receives encrypted items. Nothing is imported before you have seen what will happen.
      </p>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a shortcut for the mouse; the file input inside is the keyboard's and screen readers' way. */}
      <div
        className={dragging ? 'drop-zone dragging' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={inputId}>File to import</label>
        <input id={inputId} type="file" disabled={importing} onChange={(e) => void choose(e.target.files?.[0])} />
        <p className="hint">Or drop the file here.{file ? ` Chosen: ${file.name}.` : ''}</p>
      </div>
      <div className="field">
        <label htmlFor={`${inputId}-format`}>Format</label>
        <select
          id={`${inputId}-format`}
          value={format}
          disabled={importing}
          onChange={(e) => {
            setFormat(e.target.value as ImportFormat | 'detect');
            setStage({ kind: 'choosing' });
          }}
        >
          <option value="detect">{file?.detected ? `Detected: ${FORMAT_NAMES[file.detected]}` : 'Detect from the file'}</option>
          {IMPORT_FORMATS.map((f) => (
            <option key={f} value={f}>
              {FORMAT_NAMES[f]}
            </option>
          ))}
        </select>
      </div>
      {chosenFormat === 'latchkey' ? (
        <SecretField
          label="Password of the export file"
          autoComplete="off"
          value={filePassword}
          onChange={(v) => {
            setFilePassword(v);
            stale();
          }}
          hint="The password chosen when the file was exported (not necessarily your account password)."
        />
      ) : null}
      <fieldset disabled={importing}>
        <legend>Where the items go</legend>
        <label className="check">
          <input type="radio" name={targetName} checked={target === 'file'} onChange={() => retarget('file')} /> As in the file: its folders or vaults become
          vaults (found by name, or created); the rest go to your Personal vault
        </label>
        <label className="check">
          <input type="radio" name={targetName} checked={target === 'vault'} onChange={() => retarget('vault')} /> All into one of your vaults
        </label>
        {target === 'vault' ? (
          <div className="field">
            <label htmlFor={`${inputId}-vault`}>Vault</label>
            <select
              id={`${inputId}-vault`}
              value={vaultId}
              onChange={(e) => {
                setVaultId(e.target.value);
                stale();
              }}
            >
              {(vaults ?? []).map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <label className="check">
          <input type="radio" name={targetName} checked={target === 'new'} onChange={() => retarget('new')} /> All into a new vault
        </label>
        {target === 'new' ? (
          <Field
            label="New vault name"
            maxLength={200}
            value={newVaultName}
            onChange={(v) => {
              setNewVaultName(v);
              stale();
            }}
          />
        ) : null}
      </fieldset>
      <ErrorMessage message={error} />
      <Progress text={busy} />
      {stage.kind === 'previewed' ? (
        <>
          <Preview plan={stage.plan} summary={stage.summary} />
          <div className="actions">
            {stage.summary.imported > 0 ? (
              <button type="button" onClick={() => void runImport(stage.plan, stage.summary.imported)}>
                Import {plural(stage.summary.imported, 'item')}
              </button>
            ) : (
              <p className="notice" role="status">
                Nothing new to import: everything readable in this file is already in your vaults.
              </p>
            )}
            <button type="button" className="secondary" onClick={startOver}>
              Choose another file
            </button>
          </div>
        </>
      ) : importing ? (
        <div className="field">
          <label htmlFor={`${inputId}-progress`}>Importing… {stage.total > 0 ? Math.floor((100 * stage.done) / stage.total) : 0}%</label>
          <progress id={`${inputId}-progress`} max={stage.total} value={stage.done} />
        </div>
      ) : (
        <div className="actions">
          <button type="button" disabled={file === undefined || chosenFormat === undefined || busy !== undefined} onClick={() => void preview()}>
            Preview the import
          </button>
        </div>
      )}
    </main>
  );
}
