/*
 * The people of the suite and the passwords they sign in with. Each feature's fixtures declare
 * them with the profile its tests need (a display name, attributes, a capitalised username);
 * only the credentials are the same everywhere.
 */

export type Credentials = { username: string; password: string };

export const alice: Credentials = { username: 'alice', password: 'correct horse battery staple' };
export const bob: Credentials = { username: 'bob', password: 'bob rides a blue bicycle' };
export const carol: Credentials = { username: 'carol', password: 'carol keeps seven cats' };
export const dave: Credentials = { username: 'dave', password: 'dave plants tall sunflowers' };
/** Declared disabled wherever he appears, so that his right password shows a disabled user is refused. */
export const mallory: Credentials = { username: 'mallory', password: 'mallory is not allowed in' };
