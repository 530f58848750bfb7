import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defaults } from '../config/defaults.js';
import { GatehouseError } from '../errors/gatehouse-error.js';

export interface MasterSecret {
  value: string;
  /** True when this start generated the secret file, i.e. a fresh installation. */
  generated: boolean;
}

/**
 * The master secret: GATEHOUSE_SECRET when set; in embedded mode a random one generated once
 * into the data directory (mode 0600). PostgreSQL mode requires GATEHOUSE_SECRET (checked by the config loader).
 */
export async function resolveMasterSecret(configured: string | undefined, dataDir: string, { generate = true } = {}): Promise<MasterSecret> {
  if (configured) return { value: configured, generated: false };
  const file = path.join(dataDir, defaults.secretFileName);
  try {
    const value = (await readFile(file, 'utf8')).trim();
    if (value.length < defaults.minimumSecretLength) {
      throw new GatehouseError('secret_mismatch', `${file} is shorter than ${defaults.minimumSecretLength} characters; restore it from a backup`, { expose: true });
    }
    return { value, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!generate) {
    throw new GatehouseError('secret_missing', `no master secret: ${file} does not exist and GATEHOUSE_SECRET is not set; use the server's environment`, { expose: true });
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  // 'wx' fails if another process created the file in the meantime, instead of overwriting its secret.
  try {
    await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveMasterSecret(undefined, dataDir);
    throw error;
  }
  return { value, generated: true };
}
