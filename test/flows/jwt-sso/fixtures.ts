import { redirectUri } from '../../helpers/applications.js';

/** The partner portal's shared secret (HS256): 48 bytes, above the 32 Gatehouse requires. */
export const portalSecret = 'portal-shared-secret-0123456789abcdefghijklmnop';
/** Where the partner's login page would be; the tests play the partner and never fetch it. */
export const portalSignInUrl = 'https://portal.partner.example/sso/gatehouse';

/** The downstream application: a public client with PKCE, as most single-page and native apps are. */
export const application = {
  client_id: 'notes',
  client_name: 'Team Notes',
  token_endpoint_auth_method: 'none',
  redirect_uris: [redirectUri],
  grant_types: ['authorization_code'],
};

/** Gatehouse's own users: maria is known by her address only, as the partner's users often are; olga is disabled. */
export const localUsers = [
  { username: 'maria', email: 'maria@partner.example', name: 'Maria Local', given_name: 'Maria', family_name: 'Local', password: 'maria grows tall sunflowers' },
  { username: 'olga', email: 'olga@partner.example', name: 'Olga', password: 'olga sails on quiet lakes', disabled: true },
];

/** A partner connection as an administrator declares it, verified with the shared secret unless `fields` say otherwise. */
export function jwtConnection(id: string, fields: Record<string, unknown> = {}) {
  return { id, type: 'jwt', name: `Portal ${id}`, sign_in_url: portalSignInUrl, secret: portalSecret, ...fields };
}
