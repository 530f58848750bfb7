import { redirectUri, secretOf } from '../../helpers/applications.js';
import { alice, mallory } from '../../helpers/people.js';

/** The applications and users the core flow tests share; each test file starts its own server with them. */
export const postLogoutRedirectUri = 'https://app.example.test/signed-out';

export const coreDeclarations = {
  applications: [
    {
      client_id: 'spa',
      client_name: 'Single Page App',
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      client_id: 'web',
      client_name: 'Web Notes',
      client_secret: secretOf('web'),
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
    },
    {
      client_id: 'code-only',
      client_name: 'Code Only',
      token_endpoint_auth_method: 'none',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
    },
    {
      client_id: 'm2m',
      client_secret: secretOf('m2m'),
      grant_types: ['client_credentials'],
      response_types: [],
      scope: 'reports:read',
    },
  ],
  users: [
    {
      username: 'Alice',
      email: 'alice@example.com',
      email_verified: true,
      password: alice.password,
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      phone_number: '+44 20 7946 0000',
      address: { locality: 'Oxford', country: 'GB' },
      groups: ['staff', 'readers'],
      attributes: { department: 'Research' },
    },
    { ...mallory, disabled: true },
  ],
  scopes: [{ name: 'reports:read', description: 'Read reports', claims: ['department'] }],
};
