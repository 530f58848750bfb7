import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { defaults } from '../config/defaults.js';

// Algorithm.Argon2id; the enum is ambient const and cannot be imported under verbatimModuleSyntax.
const argon2id = 2 as Algorithm;
const argon2Options = { algorithm: argon2id, ...defaults.argon2 };

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, argon2Options);
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is bcrypt or weaker argon2 parameters: replace it now that we know the password. */
  needsRehash: boolean;
}

function isCurrentArgon2(hash: string): boolean {
  const { memoryCost, timeCost, parallelism } = defaults.argon2;
  return hash.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`);
}

/** Verifies against an argon2 hash, or a bcrypt hash imported from another system. */
export async function verifyPassword(storedHash: string, password: string): Promise<PasswordCheck> {
  if (storedHash.startsWith('$argon2')) {
    const ok = await argon2Verify(storedHash, password).catch(() => false);
    return { ok, needsRehash: ok && !isCurrentArgon2(storedHash) };
  }
  if (/^\$2[aby]\$/.test(storedHash)) {
    const ok = await bcrypt.compare(password, storedHash).catch(() => false);
    return { ok, needsRehash: ok };
  }
  return { ok: false, needsRehash: false };
}

/** How passwords are hashed and checked; injectable so that tests can count verifications. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<PasswordCheck>;
}

export const passwordHasher: PasswordHasher = { hash: hashPassword, verify: verifyPassword };
