/** The benchmark's output: one table (printed and written to bench/results/latest.md) plus the method notes. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** `GAP`: measured, and the SPEC §7 target is missed. `info`: a reference figure with no target. */
export type Status = 'pass' | 'GAP' | 'info' | 'skipped' | 'error';

export interface Row {
  readonly metric: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  readonly status: Status;
}

export interface Section {
  readonly title: string;
  readonly rows: Row[];
  /** How each number was obtained, and what to make of it. */
  readonly notes: string[];
}

export const row = (metric: string, fields: Partial<Omit<Row, 'metric'>>): Row => ({
  metric,
  measured: fields.measured ?? '',
  baseline: fields.baseline ?? '',
  ratio: fields.ratio ?? '',
  target: fields.target ?? '',
  status: fields.status ?? 'info',
});

export const check = (ok: boolean): Status => (ok ? 'pass' : 'GAP');

const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|');

export function renderTable(sections: readonly Section[]): string {
  const header = ['Metric', 'Measured', 'Baseline (same run)', 'Ratio', 'SPEC §7 target', 'Result'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const section of sections) {
    lines.push(`| **${escapeCell(section.title)}** | | | | | |`);
    for (const r of section.rows) {
      const status = r.status === 'GAP' ? '**GAP**' : r.status;
      lines.push(`| ${[r.metric, r.measured, r.baseline, r.ratio, r.target, status].map(escapeCell).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

export function renderNotes(sections: readonly Section[]): string {
  return sections
    .filter((s) => s.notes.length > 0)
    .map((s) => [`### ${s.title}`, ...s.notes.map((n) => `- ${n}`)].join('\n'))
    .join('\n\n');
}

export async function writeReport(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}
