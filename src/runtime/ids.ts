import { randomUUID } from 'node:crypto';

/** Generates identifiers for new records; injectable so tests can predict them. */
export type IdGenerator = () => string;

export const randomIds: IdGenerator = () => randomUUID();
