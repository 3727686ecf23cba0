/**
 * Export: every item of the vaults chosen, to a file the person downloads. The Latchkey format
 * is sealed with a password chosen for the file (core/export-file.ts; Argon2id runs in a Web
 * Worker, so the page stays responsive) and imports again losslessly; JSON and CSV are in clear
 * and written only after an explicit "I understand this file is not encrypted" (the CLI's
 * `--i-understand-this-is-plaintext`). Nothing is saved without the button; the file goes where
 * the browser puts downloads (download.ts).
 */
import { useEffect, useId, useState } from 'react';
import type { Vault as VaultInfo } from '@latchkey/client/client';
import { MIN_PASSWORD_LENGTH } from '@latchkey/core/account-password';
import { exportContent, exportCsv, type ExportedVault } from '@latchkey/core/export-file';
import type { ItemFields } from '@latchkey/core/item';
import { useApp } from '../../app-context.tsx';
import { downloadFile } from '../../download.ts';
import { describeError } from '../../errors.ts';
import { sealExportInWorker } from '../../platform/export-file-worker.ts';
import { NewPasswordFields } from '../../components/NewPasswordFields.tsx';
import { useNewPassword } from '../../components/useNewPassword.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';

type ExportFormat = 'latchkey' | 'json' | 'csv';

const FORMATS: readonly { format: ExportFormat; label: string }[] = [
  { format: 'latchkey', label: 'Latchkey, encrypted with a password you choose (recommended; Latchkey imports it again)' },
  { format: 'json', label: 'JSON, not encrypted' },
  { format: 'csv', label: 'CSV, not encrypted (for spreadsheets and other password managers)' },
];

/** `latchkey-export-2026-12-03.json`: the date, and whether it is in clear. */
export function exportFileName(format: ExportFormat, now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10);
  return format === 'latchkey' ? `latchkey-export-${day}.json` : `latchkey-export-${day}-plaintext.${format}`;
}

export function ExportPage() {
  const { latchkey, handleSignedOut } = useApp();
  const [vaults, setVaults] = useState<VaultInfo[]>();
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const [format, setFormat] = useState<ExportFormat>('latchkey');
  const [understood, setUnderstood] = useState(false);
  const password = useNewPassword({ rule: 'length' });
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const name = useId();

  useEffect(() => {
    void latchkey.client.vaults
      .list()
      .then((all) => {
        setVaults(all);
        setChosen(new Set(all.map((v) => v.id)));
      })
      .catch((e: unknown) => {
        if (!handleSignedOut(e)) setError(describeError(e));
      });
  }, [latchkey, handleSignedOut]);

  const fileName = exportFileName(format);
  const plaintext = format !== 'latchkey';

  /** What stops the export, in words for the person; undefined when it can run. */
  const problem = (): string | undefined => {
    if (chosen.size === 0) return 'Choose at least one vault to export. Nothing was saved.';
    if (plaintext && !understood) return 'Tick “I understand this file is not encrypted” first, or choose the encrypted Latchkey format. Nothing was saved.';
    if (!plaintext && password.password.length < MIN_PASSWORD_LENGTH)
      return `Choose an export password of at least ${MIN_PASSWORD_LENGTH} characters. Nothing was saved.`;
    if (!plaintext && password.password !== password.repeat)
      return 'The two passwords are not the same. Type the same password in both fields. Nothing was saved.';
    return undefined;
  };

  const exportNow = async () => {
    setSaved(undefined);
    const refused = problem();
    setError(refused);
    if (refused !== undefined) return;
    try {
      setBusy('Reading your items…');
      const exported: ExportedVault[] = [];
      let count = 0;
      for (const vault of (vaults ?? []).filter((v) => chosen.has(v.id))) {
        const items = await latchkey.client.items.list(vault.id);
        count += items.length;
        exported.push({
          name: vault.name,
          items: items.map(({ id: _id, vaultId: _vaultId, version: _version, updatedAt: _updatedAt, ...fields }): ItemFields => fields),
        });
      }
      const content = exportContent(exported);
      if (format === 'latchkey') {
        setBusy('Encrypting the file with your password (this takes a few seconds)…');
        const sealed = await sealExportInWorker(content, password.password);
        downloadFile(`${JSON.stringify(sealed, null, 2)}\n`, fileName, 'application/json');
        password.clear();
      } else if (format === 'json') downloadFile(`${JSON.stringify(content, null, 2)}\n`, fileName, 'application/json');
      else downloadFile(exportCsv(content), fileName, 'text/csv');
      setSaved(`Exported ${count} item(s) from ${exported.length} vault(s) to ${fileName}${plaintext ? ' (in clear: delete it when done)' : ' (encrypted)'}.`);
      setUnderstood(false);
    } catch (e) {
      if (!handleSignedOut(e)) setError(`${describeError(e)} Nothing was saved.`);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <main className="narrow import-export">
      <PageHeading>Export</PageHeading>
      <p>
        Save every item of the vaults you choose to a file on this computer, to keep as a backup or to move to another password manager. Nothing is saved until
        you press the button.
      </p>
      <fieldset>
        <legend>Vaults to export</legend>
        {vaults === undefined && error === undefined ? <Progress text="Loading your vaults…" /> : null}
        {(vaults ?? []).map((v) => (
          <label key={v.id} className="check">
            <input
              type="checkbox"
              checked={chosen.has(v.id)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(v.id);
                else next.delete(v.id);
                setChosen(next);
              }}
            />{' '}
            {v.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Format</legend>
        {FORMATS.map((f) => (
          <label key={f.format} className="check">
            <input
              type="radio"
              name={name}
              checked={format === f.format}
              onChange={() => {
                setFormat(f.format);
                setUnderstood(false);
                setError(undefined);
              }}
            />{' '}
            {f.label}
          </label>
        ))}
      </fieldset>
      {plaintext ? (
        <div className="notice warning" role="note">
          <p>
            <strong>{fileName} will hold every password in clear.</strong> Anyone or any program that can read the file can read them. Delete it when done, or
            choose the encrypted Latchkey format.
          </p>
          <label className="check">
            <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} /> I understand this file is not encrypted
          </label>
        </div>
      ) : (
        <NewPasswordFields
          label="Password for the export file"
          emptyHint={`A password for this file only (not your account password), at least ${MIN_PASSWORD_LENGTH} characters. You need it to import the file again: without it the file cannot be opened.`}
          value={password}
        />
      )}
      <ErrorMessage message={error} />
      <Progress text={busy} />
      {saved ? (
        <p className="notice ok" role="status">
          {saved}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" disabled={busy !== undefined || vaults === undefined} onClick={() => void exportNow()}>
          {plaintext ? `Download ${format.toUpperCase()} (not encrypted)` : 'Download encrypted export'}
        </button>
      </div>
    </main>
  );
}
