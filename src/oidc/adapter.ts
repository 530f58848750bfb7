import type { Adapter, AdapterPayload } from './engine.js';
import type { ClientMetadata } from '../applications/application-service.js';
import type { Db } from '../db/database.js';
import { createOidcModelQueries } from '../db/queries/oidc-models.js';
import type { Clock } from '../runtime/clock.js';
import { errors } from './engine.js';

/** How the adapter finds an application's metadata for the engine. */
export type ClientLookup = (clientId: string) => Promise<ClientMetadata | undefined>;

export interface AdapterDeps {
  db: Db;
  clock: Clock;
  /** Applications' metadata by client_id; provider.ts hands over the one the client-authentication throttle guards. */
  findClient: ClientLookup;
}

/**
 * oidc-provider's storage: every model in the `oidc_models` table, applications (the `Client`
 * model) from the `applications` table. Nothing lives in process memory.
 */
export function createAdapterClass({ db, clock, findClient }: AdapterDeps) {
  const rows = createOidcModelQueries(db);

  return class DatabaseAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new Error('applications are managed by Gatehouse, not by the protocol engine');
      await rows.upsert({
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        account_id: payload.accountId ?? null,
        expires_at: expiresIn ? clock.now() + expiresIn * 1000 : null,
        consumed_at: null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return (await findClient(id)) as AdapterPayload | undefined;
      return this.findBy('id', id);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row = await rows.findBy(this.model, column, value, clock.now());
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) };
    }

    /**
     * Marks a code or refresh token used with a conditional UPDATE. When two redemptions race,
     * only one UPDATE matches; the other is treated as reuse: its grant is revoked (RFC 9700 §4.14.2).
     */
    async consume(id: string): Promise<void> {
      if (await rows.consume(this.model, id, clock.now())) return;
      const grantId = await rows.grantIdOf(this.model, id);
      if (grantId) await rows.revokeGrant(grantId);
      throw new errors.InvalidGrant('grant already used');
    }

    async destroy(id: string): Promise<void> {
      await rows.destroy(this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await rows.revokeByGrantId(this.model, grantId);
    }
  };
}
