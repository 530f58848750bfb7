import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OidcProvider } from './engine.js';

/** Who is signed in to Gatehouse in this browser, from the engine's session cookie. */
export interface CurrentSession {
  /** The engine's id of the session (not its cookie). */
  uid: string;
  accountId: string;
  /** Epoch seconds of the latest sign-in (the id_token's auth_time). */
  loginTs: number;
  amr: string[];
  acr: string | undefined;
}

/**
 * The engine's session of this browser, for Gatehouse's own signed-in pages (the security page):
 * provider.Session.get reads the signed session cookie and finds the session in storage, as the
 * engine's own routes do; it stores nothing. Undefined when nobody is signed in.
 */
export async function currentSession(engine: OidcProvider, req: IncomingMessage, res: ServerResponse): Promise<CurrentSession | undefined> {
  const session = await engine.Session.get(engine.createContext(req, res) as unknown as Parameters<OidcProvider['Session']['get']>[0]);
  if (!session.accountId || !session.uid) return undefined;
  return { uid: session.uid, accountId: session.accountId, loginTs: session.loginTs ?? 0, amr: session.amr ?? [], acr: session.acr };
}
