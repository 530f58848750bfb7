/** Where oidc-provider sends the browser to sign in or consent; Gatehouse's own routes answer there. */
export function interactionPath(uid: string): string {
  return `/interaction/${encodeURIComponent(uid)}`;
}
