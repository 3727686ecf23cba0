/**
 * Families and teams (§22): `/organizations` lists the caller's organizations and creates one;
 * `/organizations/<id>` is one organization's members, invitations, groups, sharing and log.
 */
import { useApp } from '../../app-context.tsx';
import { OrganizationList } from './OrganizationList.tsx';
import { OrganizationView } from './OrganizationView.tsx';

export function OrganizationsPage() {
  const { path } = useApp();
  const id = /^\/organizations\/([0-9a-f-]{36})/.exec(path)?.[1];
  return id === undefined ? <OrganizationList /> : <OrganizationView key={id} organizationId={id} />;
}
