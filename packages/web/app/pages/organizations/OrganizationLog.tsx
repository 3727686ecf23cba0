/** The organization's security log (organizers, owners, admins; §22): who did what, to whom, when. */
import type { OrganizationEvent } from '@latchkey/core/wire/organizations';
import { formatDateTime } from '../../dates.ts';

export function OrganizationLog({ events, nameOf }: { events: readonly OrganizationEvent[]; nameOf: (userId: string) => string }) {
  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">Organization log</h2>
      <ul aria-label="Organization log">
        {events.map((e) => (
          <li key={e.id}>
            {formatDateTime(e.createdAt)}: {e.type.replace(/[._-]/g, ' ')}
            {e.actorUserId ? ` by ${nameOf(e.actorUserId)}` : ''}
            {e.subjectUserId ? ` (${nameOf(e.subjectUserId)})` : ''}
          </li>
        ))}
      </ul>
    </section>
  );
}
