/**
 * The test upstream's storage (upstream-idp.ts), in memory: the engine's models, and its
 * applications served through the adapter's Client model. oidc-provider fixes static `clients`
 * when it is constructed, but asks the adapter for every other client at each request; so an
 * application can be registered once Gatehouse runs and its port (hence its callback URL) is known.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { UpstreamClient } from './upstream-idp.js';

interface Stored {
  payload: AdapterPayload;
  expiresAt: number | undefined;
}

export function upstreamStore() {
  const clients = new Map<string, AdapterPayload>();
  const models = new Map<string, Stored>();
  const live = (key: string): AdapterPayload | undefined => {
    const stored = models.get(key);
    if (stored?.expiresAt !== undefined && stored.expiresAt <= Date.now()) models.delete(key);
    return models.get(key)?.payload;
  };
  const findWhere = (name: string, test: (payload: AdapterPayload) => boolean) => {
    for (const key of models.keys()) {
      const payload = key.startsWith(`${name}:`) ? live(key) : undefined;
      if (payload && test(payload)) return payload;
    }
    return undefined;
  };

  const adapter = (name: string): Adapter => {
    if (name === 'Client') {
      const refused = () => Promise.reject(new Error('clients are registered by the test, not through the engine'));
      return {
        find: async (id) => clients.get(id),
        upsert: refused,
        findByUserCode: refused,
        findByUid: refused,
        consume: refused,
        destroy: refused,
        revokeByGrantId: refused,
      };
    }
    const key = (id: string) => `${name}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        models.set(key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      },
      find: async (id) => live(key(id)),
      findByUserCode: async (userCode) => findWhere(name, (payload) => payload.userCode === userCode),
      findByUid: async (uid) => findWhere(name, (payload) => payload.uid === uid),
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        models.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const [stored, { payload }] of models) if (payload.grantId === grantId) models.delete(stored);
      },
    };
  };

  return {
    adapter,
    addClient(client: UpstreamClient): void {
      clients.set(client.clientId, {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        token_endpoint_auth_method: client.tokenEndpointAuthMethod ?? 'client_secret_basic',
        redirect_uris: client.redirectUris,
        post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      });
    },
  };
}
