/**
 * Vaults and items: the vault list, search, the item list, and the selected item's view or
 * editor. Decrypted items live only in this component's state, which is discarded when the
 * app locks (the page unmounts).
 *
 * With one vault chosen, it can be renamed or deleted there (VaultActions); an item can be moved
 * to another vault from its view (MoveItem).
 *
 * Routes: `/` (list), `/items/new?vault=ID`, `/items/ID`, `/items/ID/edit`; a vault's Trash is
 * TrashPage (`/vaults/ID/trash`).
 */
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Item, Vault as VaultInfo } from '@latchkey/client/client';
import { useApp } from '../../app-context.tsx';
import { describeError } from '../../errors.ts';
import { ErrorMessage, PageHeading, Progress } from '../../components/ui.tsx';
import { ItemView } from './ItemView.tsx';
import { ItemEditor } from './ItemEditor.tsx';
import { NewVault } from './NewVault.tsx';
import { VaultActions } from './VaultActions.tsx';
import { parseRoute } from './routes.ts';
import { shareable } from '../organizations/shareable.ts';
import { filterItems, tagsInUse } from '@latchkey/core/item-search';

export function VaultPage() {
  const { latchkey, path, navigate, handleSignedOut } = useApp();
  const route = parseRoute(path);
  const [vaults, setVaults] = useState<VaultInfo[]>();
  const [items, setItems] = useState<Item[]>([]);
  const [vaultFilter, setVaultFilter] = useState<string>('all');
  const [query, setQuery] = useState('');
  const [tagFilter, setTagFilter] = useState('');
  const [favouritesOnly, setFavouritesOnly] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const reload = useCallback(async () => {
    try {
      const [v, i] = await Promise.all([latchkey.client.vaults.list(), latchkey.client.items.list()]);
      setVaults(v);
      setItems(i);
      setError(undefined);
    } catch (e) {
      if (!handleSignedOut(e)) setError(describeError(e));
    }
  }, [latchkey, handleSignedOut]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const shown = useMemo(
    () =>
      // Search and filters run here, over decrypted items (core's item-search): the server sees no query.
      filterItems(
        items.filter((item) => vaultFilter === 'all' || item.vaultId === vaultFilter),
        { search: query, tag: tagFilter === '' ? undefined : tagFilter, favourite: favouritesOnly },
      ).sort((a, b) => a.title.localeCompare(b.title)),
    [items, vaultFilter, query, tagFilter, favouritesOnly],
  );
  const tags = useMemo(() => tagsInUse(items), [items]);
  const filtering = query.trim() !== '' || tagFilter !== '' || favouritesOnly;
  const clearFilters = () => {
    setQuery('');
    setTagFilter('');
    setFavouritesOnly(false);
  };

  const vaultName = (id: string) => vaults?.find((v) => v.id === id)?.name ?? 'Vault';
  // A vault shared with `view` is read only here; the server refuses a write anyway.
  const writable = useMemo(() => (vaults ?? []).filter((v) => v.access !== 'view'), [vaults]);
  const canWrite = (id: string) => writable.some((v) => v.id === id);
  const filteredVault = vaults?.find((v) => v.id === vaultFilter);
  // The Trash of the vault shown, or of Personal when all vaults are.
  const trashVault = filteredVault ?? vaults?.find((v) => v.kind === 'personal');
  const selectedId = route.kind === 'view' || route.kind === 'edit' ? route.id : undefined;
  const selected = selectedId !== undefined ? items.find((i) => i.id === selectedId) : undefined;
  const showingDetail = route.kind !== 'list';

  const open = (to: string) => {
    setNotice(undefined);
    navigate(to);
  };

  let detail: ReactNode = null;
  if (route.kind === 'new') {
    const wanted = route.vaultId ?? (vaultFilter !== 'all' ? vaultFilter : undefined);
    const vaultId = wanted !== undefined && canWrite(wanted) ? wanted : (writable.find((v) => v.kind === 'personal')?.id ?? writable[0]?.id);
    detail =
      vaults && vaultId ? (
        <ItemEditor
          key="new"
          vaults={writable}
          vaultId={vaultId}
          onSaved={async (item, message) => {
            await reload();
            setNotice(message);
            navigate(`/items/${item.id}`, { replace: true });
          }}
          onCancel={() => navigate('/')}
        />
      ) : (
        <Progress text="Loading…" />
      );
  } else if (selectedId !== undefined) {
    if (selected === undefined) {
      detail = vaults ? <p className="notice">This item is not in your vaults. It may have been deleted on another device.</p> : <Progress text="Loading…" />;
    } else if (route.kind === 'edit' && !canWrite(selected.vaultId)) {
      detail = (
        <p className="notice" role="status">
          You can only view the items of {vaultName(selected.vaultId)}: ask its owner for edit access to change them.
        </p>
      );
    } else if (route.kind === 'edit') {
      detail = (
        <ItemEditor
          key={`edit-${selected.id}`}
          vaults={vaults ?? []}
          vaultId={selected.vaultId}
          item={selected}
          onSaved={async (item, message) => {
            await reload();
            setNotice(message);
            navigate(`/items/${item.id}`, { replace: true });
          }}
          onCancel={() => navigate(`/items/${selected.id}`)}
        />
      );
    } else {
      detail = (
        <ItemView
          key={selected.id}
          item={selected}
          vaultName={vaultName(selected.vaultId)}
          canEdit={canWrite(selected.vaultId)}
          notice={notice}
          onEdit={() => open(`/items/${selected.id}/edit`)}
          onDeleted={async () => {
            await reload();
            navigate('/', { replace: true });
            setNotice(`Moved “${selected.title}” to the Trash of ${vaultName(selected.vaultId)}. You can restore it there for 30 days.`);
          }}
          onReload={reload}
          moveTargets={writable.filter((v) => v.id !== selected.vaultId)}
          onMoved={async (moved, message) => {
            await reload();
            setNotice(message);
            navigate(`/items/${moved.id}`, { replace: true });
          }}
        />
      );
    }
  }

  return (
    <main className={`vault ${showingDetail ? 'has-detail' : ''}`}>
      <section className="list-pane" aria-label="Items">
        <PageHeading takeFocus={route.kind === 'list'} documentTitle={route.kind === 'list' ? 'Items' : false}>
          Items
        </PageHeading>
        <ErrorMessage message={error}>
          <button type="button" className="secondary" onClick={() => void reload()}>
            Try again
          </button>
        </ErrorMessage>
        {route.kind === 'list' && notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        <div className="toolbar">
          <div className="field">
            <label htmlFor="vault-filter">Vault</label>
            <select id="vault-filter" value={vaultFilter} onChange={(e) => setVaultFilter(e.target.value)}>
              <option value="all">All vaults</option>
              {(vaults ?? []).map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field grow">
            <label htmlFor="search">Search</label>
            <input
              id="search"
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="Title, username, website, notes or tag"
              autoComplete="off"
            />
          </div>
          {tags.length > 0 ? (
            <div className="field">
              <label htmlFor="tag-filter">Tag</label>
              <select id="tag-filter" value={tagFilter} onChange={(e) => setTagFilter(e.target.value)}>
                <option value="">All tags</option>
                {tags.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label className="check">
              <input type="checkbox" checked={favouritesOnly} onChange={(e) => setFavouritesOnly(e.target.checked)} /> Favourites only
            </label>
          </div>
        </div>
        <div className="actions">
          <button type="button" onClick={() => open(`/items/new${vaultFilter !== 'all' ? `?vault=${encodeURIComponent(vaultFilter)}` : ''}`)}>
            New item
          </button>
          {filteredVault !== undefined && shareable([filteredVault]).length > 0 ? (
            <button type="button" className="secondary" onClick={() => open(`/vaults/${encodeURIComponent(filteredVault.id)}/share`)}>
              Share {filteredVault.name}
            </button>
          ) : null}
          {trashVault !== undefined ? (
            <button type="button" className="secondary" onClick={() => open(`/vaults/${encodeURIComponent(trashVault.id)}/trash`)}>
              Trash of {trashVault.name}
            </button>
          ) : null}
          {filteredVault !== undefined ? (
            <VaultActions
              key={filteredVault.id}
              vault={filteredVault}
              onRenamed={reload}
              onDeleted={async (message) => {
                setVaultFilter('all');
                await reload();
                // Back to the list, where the notice is shown (an item of the deleted vault may have been open).
                navigate('/', { replace: true });
                setNotice(message);
              }}
            />
          ) : null}
          <NewVault
            onCreated={async (vault) => {
              await reload();
              setVaultFilter(vault.id);
            }}
          />
        </div>
        {vaults === undefined && error === undefined ? <Progress text="Decrypting your vaults…" /> : null}
        {vaults !== undefined ? (
          <>
            <p className="hint" aria-live="polite">
              {shown.length === items.length ? `${items.length} ${items.length === 1 ? 'item' : 'items'}` : `${shown.length} of ${items.length} items match`}
            </p>
            <ul className="item-list">
              {shown.map((item) => (
                <li key={item.id}>
                  <a
                    href={`/items/${item.id}`}
                    aria-current={item.id === selectedId ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      open(`/items/${item.id}`);
                    }}
                  >
                    <span className="item-title">
                      {item.favourite ? (
                        <>
                          <span aria-hidden="true">★ </span>
                          <span className="visually-hidden">Favourite: </span>
                        </>
                      ) : null}
                      {item.title}
                    </span>
                    <span className="item-sub">
                      {item.username ? `${item.username} · ` : ''}
                      {vaultName(item.vaultId)}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
            {items.length === 0 ? <p>No items yet. Press “New item” to save your first login.</p> : null}
            {items.length > 0 && shown.length === 0 ? (
              <div className="empty-state" role="status">
                <p>
                  No results
                  {query.trim() !== '' ? ` for “${query.trim()}”` : ''}
                  {tagFilter !== '' ? ` tagged “${tagFilter}”` : ''}
                  {favouritesOnly ? ' among favourites' : ''}
                  {vaultFilter !== 'all' ? ` in ${vaultName(vaultFilter)}` : ''}. Search looks at titles, usernames, websites, notes and tags.
                </p>
                {filtering ? (
                  <button type="button" className="secondary" onClick={clearFilters}>
                    Clear search and filters
                  </button>
                ) : null}
              </div>
            ) : null}
          </>
        ) : null}
      </section>
      {showingDetail ? (
        <section className="detail-pane" aria-label="Item">
          <p className="back-link">
            <a
              href="/"
              onClick={(e) => {
                e.preventDefault();
                open('/');
              }}
            >
              ← All items
            </a>
          </p>
          {detail}
        </section>
      ) : null}
    </main>
  );
}
