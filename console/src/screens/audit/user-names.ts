import { useEffect, useState } from 'react';
import { api, ApiError, query, type Page } from '../../api/api-client';

interface User {
  id: string;
  username: string;
  email?: string;
}

/** User names by id, kept while the console is open: an audit page names the same few people again and again. */
const known = new Map<string, Promise<string | null>>();

/** The user's name; null when there is no such user any more (deleted); the id when the lookup failed. */
function nameOf(id: string): Promise<string | null> {
  let name = known.get(id);
  if (!name) {
    name = api<User>('GET', `/users/${encodeURIComponent(id)}`).then(
      (user) => user.username,
      (error: unknown) => {
        if (error instanceof ApiError && error.status === 404) return null;
        // Not known to be deleted, only not looked up this time: the id, and another try on the next page.
        known.delete(id);
        return id;
      },
    );
    known.set(id, name);
  }
  return name;
}

/** The names of these users, as they arrive. */
export function useUserNames(ids: readonly string[]): ReadonlyMap<string, string | null> {
  const [names, setNames] = useState<ReadonlyMap<string, string | null>>(new Map());
  const key = [...new Set(ids)].sort().join('\n');
  useEffect(() => {
    let current = true;
    const wanted = key ? key.split('\n') : [];
    void Promise.all(wanted.map(async (id) => [id, await nameOf(id)] as const)).then((pairs) => {
      if (current) setNames(new Map(pairs));
    });
    return () => {
      current = false;
    };
  }, [key]);
  return names;
}

/** The one user a filter names: by id, or by a user name or email typed in full. */
export async function findUser(text: string): Promise<{ id: string; username: string } | undefined> {
  const wanted = text.trim().toLowerCase();
  const page = await api<Page<User>>('GET', `/users${query({ q: text.trim(), limit: 50 })}`);
  const exact = page.items.find((user) => user.username.toLowerCase() === wanted || user.email?.toLowerCase() === wanted);
  if (exact) return exact;
  try {
    const byId = await api<User>('GET', `/users/${encodeURIComponent(text.trim())}`);
    return byId;
  } catch {
    return undefined;
  }
}

/** A user's name for a filter field, from the id in the address. */
export function userNameForField(id: string): Promise<string> {
  return nameOf(id).then((name) => name ?? id);
}
