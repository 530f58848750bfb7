import type { Discovery } from './types';

/** Where Gatehouse's engine publishes its discovery document, on the console's own origin. */
export const discoveryPath = '/oidc/.well-known/openid-configuration';

let loaded: Promise<Discovery> | undefined;

/** Gatehouse's discovery document (public: no token), read once per page load. */
export function discovery(): Promise<Discovery> {
  loaded ??= fetch(discoveryPath, { headers: { accept: 'application/json' } }).then(async (response) => {
    if (!response.ok) throw new Error(`The discovery document could not be read (HTTP ${response.status}).`);
    return (await response.json()) as Discovery;
  });
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

/** The discovery URL as applications reach it: the issuer's, per OpenID Connect Discovery. */
export function discoveryUrlOf(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}
