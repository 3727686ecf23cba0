/**
 * `latchkey health`: weak, reused and old passwords among the account's items, found on this
 * device by the SDK (docs/protocol.md §8.5). It names items, never their passwords; `--json`
 * prints the report as the SDK returns it.
 */
import type { Command } from 'commander';
import type { HealthItem, PasswordHealthReport } from '@latchkey/client/client';
import { OLD_PASSWORD_DAYS } from '@latchkey/core/password-health';
import { WEAK_REASON_WORDS } from '@latchkey/core/password-strength-estimate';
import { unlockedClient, type Cli } from '../cli-context.ts';

type Run = (action: (cli: Cli) => Promise<void>) => Promise<void>;

const named = (item: HealthItem, vaultNames: ReadonlyMap<string, string>) =>
  `${item.title}${item.username !== undefined ? ` (${item.username})` : ''} in ${vaultNames.get(item.vaultId) ?? item.vaultId}  ${item.itemId}`;

function describeReport(report: PasswordHealthReport, vaultNames: ReadonlyMap<string, string>): string {
  if (report.checked === 0) return 'No item has a password yet.';
  const lines = [`Checked ${report.checked} password${report.checked === 1 ? '' : 's'} on this device.`, ''];
  lines.push(report.weak.length === 0 ? 'Weak passwords: none.' : `Weak passwords (${report.weak.length}):`);
  for (const w of report.weak) lines.push(`  ${named(w, vaultNames)}\n    weak: ${WEAK_REASON_WORDS[w.reason]}`);
  lines.push('', report.reused.length === 0 ? 'Reused passwords: none.' : `Reused passwords (${report.reused.length}, each used by every item under it):`);
  report.reused.forEach((group, i) => {
    lines.push(`  ${i + 1}. the same password in ${group.items.length} items:`);
    for (const item of group.items) lines.push(`     ${named(item, vaultNames)}`);
  });
  lines.push(
    '',
    report.old.length === 0
      ? `Old passwords (unchanged for over ${OLD_PASSWORD_DAYS} days): none.`
      : `Old passwords, unchanged for over ${OLD_PASSWORD_DAYS} days (${report.old.length}):`,
  );
  for (const o of report.old) lines.push(`  ${named(o, vaultNames)}\n    last changed ${o.changedAt.slice(0, 10)} (${o.ageDays} days ago)`);
  return lines.join('\n');
}

export function healthCommand(program: Command, run: Run): void {
  program
    .command('health')
    .description('Weak, reused and old passwords among your items (checked on this device)')
    .action(() =>
      run(async (cli) => {
        const client = await unlockedClient(cli);
        const report = await client.passwordHealth();
        const vaultNames = cli.out.json ? new Map<string, string>() : new Map((await client.vaults.list()).map((v) => [v.id as string, v.name]));
        cli.out.result(report, () => describeReport(report, vaultNames));
      }),
    );
}
