/**
 * The organization's security log (organizers, owners, admins; §22): who did what, to whom, when.
 * People are named by the emails the server gives with each entry, so someone who has left is
 * still named; a role change shows its roles.
 */
import type { OrganizationEvent } from '@latchkey/core/wire/organizations';
import { formatDateTime } from '../../dates.ts';

/** "admin → member" for entries that record a role change (`from`, `to` in the detail). */
function roles(detail: OrganizationEvent['detail']): string {
  const { from, to, steppedDownTo } = detail;
  if (typeof from !== 'string' || typeof to !== 'string') return '';
  return `: ${from} → ${to}${typeof steppedDownTo === 'string' ? `, stepped down to ${steppedDownTo}` : ''}`;
}

export function OrganizationLog({ events }: { events: readonly OrganizationEvent[] }) {
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">Organization log</h2>
      <ul aria-label="Organization log">
        {events.map((e) => (
          <li key={e.id}>
            {formatDateTime(e.createdAt)}: {e.type.replace(/[._-]/g, ' ')}
            {e.actorUserId ? ` by ${e.actorEmail ?? e.actorUserId}` : ''}
            {e.subjectUserId ? ` (${e.subjectEmail ?? e.subjectUserId})` : ''}
            {roles(e.detail)}
          </li>
        ))}
      </ul>
    </section>
  );
}
