import { redirectUri, secretOf } from '../../helpers/applications.js';
import { alice, carol, mallory } from '../../helpers/people.js';

/**
 * Users, scopes and application builders the authorization-mode tests share; each test file
 * starts its own server with the applications it needs.
 */
export const employeeScope = {
  name: 'employee',
  description: 'See your department and employee number',
  claims: ['department', 'employee_id'],
};

export const users = [
  {
    username: alice.username,
    email: 'alice@example.com',
    email_verified: true,
    password: alice.password,
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    groups: ['staff'],
    attributes: { department: 'Research', employee_id: 'E-1024', badge_colour: 'blue' },
  },
  { ...carol, name: 'Carol Danvers' },
  { ...mallory, disabled: true },
];

export const scopes = [employeeScope, { name: 'reports:read', description: 'Read reports', claims: ['department'] }];

/** A confidential web application (client_secret_basic) with the given protocol settings. */
export function webApp(clientId: string, settings: Record<string, unknown> = {}) {
  return { client_id: clientId, client_name: `App ${clientId}`, client_secret: secretOf(clientId), redirect_uris: [redirectUri], ...settings };
}

/** Every response type, with the grants each needs. */
export const allResponseTypes = ['code', 'id_token', 'id_token token', 'code id_token', 'code token', 'code id_token token'] as const;
export const allModes = { grant_types: ['authorization_code', 'implicit', 'refresh_token'], response_types: [...allResponseTypes] };
