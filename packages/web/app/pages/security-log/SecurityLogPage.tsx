/**
 * The account's security log (GET /api/account/security-log, the newest 200 events), in words,
 * with where each came from as the server saw it (network-place.ts: no lookup anywhere), and a
 * filter by kind of event. Failed attempts and recoveries are marked: they are the ones to act
 * on when they were not the person.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import type { SecurityEvent } from '@latchkey/core/wire/auth';
import { describeNetworkPlace } from '@latchkey/core/network-place';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { formatDateTime } from '../../dates.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { EVENT_GROUPS, describeSecurityEvent, type EventGroup } from './event-wording.ts';

type Filter = 'all' | EventGroup;

export function SecurityLogPage() {
  const { latchkey, handleSignedOut, navigate } = useApp();
  const [events, setEvents] = useState<SecurityEvent[]>();
  const [error, setError] = useState<string>();
  const [filter, setFilter] = useState<Filter>('all');
  const filterId = useId();

  useEffect(() => {
    let live = true;
    latchkey.client.securityLog().then(
      (log) => live && setEvents(log),
      (e: unknown) => live && !handleSignedOut(e) && setError(describeError(e)),
    );
    return () => {
      live = false;
    };
  }, [latchkey, handleSignedOut]);

  const described = useMemo(() => (events ?? []).map((event) => ({ event, ...describeSecurityEvent(event) })), [events]);
  const shown = filter === 'all' ? described : described.filter((e) => e.group === filter);
  const groupsPresent = new Set(described.map((e) => e.group));

  return (
    <main className="narrow security-log">
      <PageHeading>Security log</PageHeading>
      <p>
        What happened to your account, newest first (the last 200 events). Places are the network the server saw each request come from; nothing is looked up
        elsewhere. If you see something that was not you, change your account password and Secret Key, and check{' '}
        <a
          href="/sessions"
          onClick={(e) => {
            e.preventDefault();
            navigate('/sessions');
          }}
        >
          where you're signed in
        </a>
        .
      </p>
      <ErrorMessage message={error} />
      {events === undefined && error === undefined ? <Progress text="Loading…" /> : null}
      {events !== undefined ? (
        <>
          <div className="field filter">
            <label htmlFor={filterId}>Show</label>
            <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
              <option value="all">All events ({described.length})</option>
              {EVENT_GROUPS.filter((g) => g.group !== 'other' || groupsPresent.has('other')).map((g) => (
                <option key={g.group} value={g.group}>
                  {g.label} ({described.filter((e) => e.group === g.group).length})
                </option>
              ))}
            </select>
          </div>
          <p className="hint" role="status" aria-live="polite">
            {shown.length === 0 ? 'No events of this kind.' : shown.length === 1 ? 'Showing 1 event.' : `Showing ${shown.length} events.`}
          </p>
          <ul className="log-events">
            {shown.map(({ event, title, detail, warn }) => {
              const place = describeNetworkPlace(event.ip);
              return (
                <li key={event.id} className={warn ? 'warn' : undefined} data-event-type={event.type}>
                  <strong>{title}</strong>
                  {detail !== undefined ? <div>{detail}</div> : null}
                  <div className="hint">
                    <time dateTime={event.createdAt}>{formatDateTime(event.createdAt)}</time> · {place.description}
                    {event.ip !== null ? ` · IP ${event.ip}` : ''}
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </main>
  );
}
