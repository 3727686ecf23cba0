/** The vault page's own paths: `/` (list), `/items/new?vault=ID`, `/items/ID`, `/items/ID/edit`. */
export type Route = { kind: 'list' } | { kind: 'view'; id: string } | { kind: 'edit'; id: string } | { kind: 'new'; vaultId: string | undefined };

export function parseRoute(path: string): Route {
  const url = new URL(path, 'http://app.invalid');
  if (url.pathname === '/items/new') return { kind: 'new', vaultId: url.searchParams.get('vault') ?? undefined };
  const match = /^\/items\/([^/]+)(\/edit)?$/.exec(url.pathname);
  if (match) return match[2] ? { kind: 'edit', id: decodeURIComponent(match[1]!) } : { kind: 'view', id: decodeURIComponent(match[1]!) };
  return { kind: 'list' };
}
