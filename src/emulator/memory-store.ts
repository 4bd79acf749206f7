import type { TokenStore } from "./store.js";
import type { StoredToken } from "./types.js";

/** The default store: plain maps, an order of magnitude cheaper per create than SQLite. */
export function openMemoryTokenStore(): TokenStore {
  const byAccess = new Map<string, StoredToken>();
  const byRefresh = new Map<string, StoredToken>();
  const creates = new Map<string, number>();
  const calls: Record<string, number> = {};
  const copy = (t: StoredToken | undefined) => (t ? structuredClone(t) : undefined);
  const remove = (t: StoredToken) => {
    byAccess.delete(t.accessHash);
    if (t.refreshHash !== null) byRefresh.delete(t.refreshHash);
  };
  const owned = (t: StoredToken, serviceId: string, clientId: number | null, subject: string | null) =>
    t.serviceId === serviceId &&
    (clientId === null || t.clientId === clientId) &&
    (subject === null || t.subject === subject);

  return {
    insert(token, fromCreate) {
      if (byAccess.has(token.accessHash)) throw new Error("access token hash already stored");
      const t = structuredClone(token);
      byAccess.set(t.accessHash, t);
      if (t.refreshHash !== null) byRefresh.set(t.refreshHash, t);
      if (fromCreate) creates.set(t.accessHash, (creates.get(t.accessHash) ?? 0) + 1);
    },
    byAccessHash: (hash) => copy(byAccess.get(hash)),
    byRefreshHash: (hash) => copy(byRefresh.get(hash)),
    deleteByAccessHash(hash) {
      const t = byAccess.get(hash);
      if (t) remove(t);
      return t !== undefined;
    },
    deleteWhere(serviceId, clientId, subject) {
      const doomed = [...byAccess.values()].filter((t) => owned(t, serviceId, clientId, subject));
      doomed.forEach(remove);
      return doomed.length;
    },
    update(token) {
      const old = byAccess.get(token.accessHash);
      if (old) remove(old);
      const t = structuredClone(token);
      byAccess.set(t.accessHash, t);
      if (t.refreshHash !== null) byRefresh.set(t.refreshHash, t);
    },
    list: (serviceId, clientId, subject) =>
      [...byAccess.values()]
        .filter((t) => owned(t, serviceId, clientId, subject))
        .map((t) => structuredClone(t)),
    countCall: (route) => void (calls[route] = (calls[route] ?? 0) + 1),
    stats: () => ({ calls: { ...calls }, tokens: byAccess.size, creates: Object.fromEntries(creates) }),
    all: () => [...byAccess.values()].map((t) => structuredClone(t)),
    close() {},
  };
}
