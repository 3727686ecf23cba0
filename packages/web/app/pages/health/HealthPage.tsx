/**
 * The password health report (docs/protocol.md §8.5): weak, reused and old passwords among every
 * vault's items, each linking to its item. The SDK decrypts and compares on this device, so the
 * page says nothing is sent; it names items, never shows a password.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { HealthItem, PasswordHealthReport, Vault } from '@latchkey/client/client';
import { OLD_PASSWORD_DAYS } from '@latchkey/core/password-health';
import { WEAK_REASON_WORDS } from '@latchkey/core/password-strength-estimate';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { formatDateTime } from '../../dates.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function ItemLink({ item, vaultName, children }: { item: HealthItem; vaultName: string; children?: ReactNode }) {
  const { navigate } = useApp();
  return (
    <li>
      <a
        href={`/items/${item.itemId}`}
        onClick={(e) => {
          e.preventDefault();
          navigate(`/items/${item.itemId}`);
        }}
      >
        <span className="item-title">{item.title}</span>
      </a>
      <span className="item-sub">
        {' '}
        {item.username !== undefined ? `${item.username} · ` : ''}
        {vaultName}
      </span>
      {children !== undefined ? <div className="hint">{children}</div> : null}
    </li>
  );
}

function Section({ id, title, found, none, intro, children }: { id: string; title: string; found: number; none: string; intro: string; children: ReactNode }) {
  return (
    <section className="health-section" aria-labelledby={id} data-testid={id}>
      <h2 id={id}>
        {title} <span className={found === 0 ? 'badge' : 'badge warn'}>{found}</span>
      </h2>
      <p className="hint">{intro}</p>
      {found === 0 ? <p className="health-none">{none}</p> : children}
    </section>
  );
}

export function HealthPage() {
  const { latchkey, handleSignedOut } = useApp();
  const [report, setReport] = useState<PasswordHealthReport>();
  const [vaults, setVaults] = useState<readonly Vault[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    Promise.all([latchkey.client.passwordHealth(), latchkey.client.vaults.list()]).then(
      ([r, v]) => {
        if (!live) return;
        setReport(r);
        setVaults(v);
      },
      (e: unknown) => live && !handleSignedOut(e) && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [latchkey, handleSignedOut]);

  const vaultName = (id: string) => vaults.find((v) => v.id === id)?.name ?? 'a vault';
  return (
    <main className="narrow health">
      <PageHeading>Password health</PageHeading>
      <p>
        Weak, reused and old passwords among your items. Latchkey checks them here, in this browser: nothing about your passwords is sent anywhere. Open an item
        to change its password on its website first, then in Latchkey.
      </p>
      <ErrorMessage message={error} />
      {report === undefined && error === undefined ? <Progress text="Decrypting and checking your items…" /> : null}
      {report !== undefined ? (
        <>
          <p role="status">
            {report.checked === 0
              ? 'No item has a password yet.'
              : `Checked ${count(report.checked, 'password', 'passwords')}: ${count(report.weak.length, 'weak', 'weak')}, ${count(report.reused.length, 'password', 'passwords')} reused, ${count(report.old.length, 'old', 'old')}.`}
          </p>
          <Section
            id="health-weak"
            title="Weak passwords"
            found={report.weak.length}
            intro="Easy to guess: a generated password is much harder."
            none="No weak passwords."
          >
            <ul className="health-items">
              {report.weak.map((w) => (
                <ItemLink key={w.itemId} item={w} vaultName={vaultName(w.vaultId)}>
                  Weak: {WEAK_REASON_WORDS[w.reason]}
                </ItemLink>
              ))}
            </ul>
          </Section>
          <Section
            id="health-reused"
            title="Reused passwords"
            found={report.reused.length}
            intro="One password on several sites: when one site leaks it, the others are open too. Each group below shares one password."
            none="No password is used by more than one item."
          >
            <ol className="health-groups">
              {report.reused.map((group) => (
                <li key={group.items[0]!.itemId}>
                  <span>The same password in {count(group.items.length, 'item', 'items')}:</span>
                  <ul className="health-items">
                    {group.items.map((item) => (
                      <ItemLink key={item.itemId} item={item} vaultName={vaultName(item.vaultId)} />
                    ))}
                  </ul>
                </li>
              ))}
            </ol>
          </Section>
          <Section
            id="health-old"
            title="Old passwords"
            found={report.old.length}
            intro={`Not changed for more than ${OLD_PASSWORD_DAYS} days (as far as this device can tell: from the item's password history, or its last change).`}
            none="No password is older than a year."
          >
            <ul className="health-items">
              {report.old.map((o) => (
                <ItemLink key={o.itemId} item={o} vaultName={vaultName(o.vaultId)}>
                  Last changed {formatDateTime(o.changedAt)} ({count(o.ageDays, 'day', 'days')} ago)
                </ItemLink>
              ))}
            </ul>
          </Section>
        </>
      ) : null}
    </main>
  );
}
