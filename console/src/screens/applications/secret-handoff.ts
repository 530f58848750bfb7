/**
 * A secret the API just returned (creation, rotation, a change that made the application need
 * one), handed from the screen that received it to the detail screen that shows it once. It is
 * kept in this module's memory only, never in storage or in the browser's history.
 */
const pending = new Map<string, string>();

export function handOverSecret(clientId: string, secret: string): void {
  pending.set(clientId, secret);
}

/** The secret waiting for this application, if any; `forget` drops it once the screen holds it. */
export function secretFor(clientId: string): string | undefined {
  return pending.get(clientId);
}

export function forgetSecret(clientId: string): void {
  pending.delete(clientId);
}
