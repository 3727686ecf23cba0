/** An IndexedDB request as a promise (the browser's stores: indexeddb-store.ts, device-key.ts). */
export function indexedDbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}
