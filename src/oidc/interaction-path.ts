const prefix = '/interaction';

/** Where oidc-provider sends the browser to sign in or consent; Gatehouse's own routes answer there. */
export function interactionPath(uid: string): string {
  return `${prefix}/${encodeURIComponent(uid)}`;
}

/** The route pattern of the same URL, for the routes that answer there. */
export const interactionRoute = `${prefix}/:uid`;
