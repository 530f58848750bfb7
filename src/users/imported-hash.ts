import { defaults } from '../config/defaults.js';

/**
 * The check of a password hash from another system, wherever one comes from: the configuration
 * file's `password_hash` (src/users/user-schema.ts) and `gatehouse users import` (through the
 * same schema). Such a hash is stored as it is and verified at the user's next sign-in, so a
 * hash the verifier cannot read (cut short by a spreadsheet, say) would leave the user unable to
 * sign in, with nothing said, and a hash too costly to verify would let anyone who knows the
 * user name occupy the server: both are refused before anything is stored.
 */

/** The schemes Gatehouse verifies, by their prefix. */
const scheme = /^\$(argon2(id|i|d)\$|2[aby]\$)/;

/**
 * Hashes @node-rs/argon2 and bcryptjs verify: the PHC string of argon2 (version optional,
 * exactly the m, t and p parameters, numbers without leading zeros, salt and hash in unpadded
 * base64) and the modular crypt format of bcrypt (cost of two digits, 22 characters of salt and
 * 31 of hash).
 */
const argon2Form = /^\$argon2(?:id|i|d)\$(?:v=(0|[1-9]\d*)\$)?m=(0|[1-9]\d*),t=(0|[1-9]\d*),p=(0|[1-9]\d*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
const bcryptForm = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** Argon2 1.0 (0x10, also a PHC string without `v=`) and 1.3 (0x13), the only versions there are. */
const argon2Versions = new Set([16, 19]);

/**
 * How many bytes unpadded base64 holds, or undefined when it is not base64 as the verifier reads
 * it: a length of 4n+1 characters is none, and the bits the last character has beyond the bytes
 * must be zero (a hash cut short mostly leaves them set).
 */
function base64Bytes(text: string): number | undefined {
  if (text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64').replace(/=+$/, '') === text ? bytes.length : undefined;
}

const limits = defaults.importedHash;

/** The whole form both schemes must have; a value starting like one but not whole is refused with it. */
const incomplete = 'not a complete argon2 hash ($argon2id$v=19$m=…,t=…,p=…$salt$hash) or bcrypt hash ($2b$, a cost of two digits, $, then 53 characters)';

/**
 * Why a hash from another system cannot be stored, without the field's name (the caller names
 * it), and never quoting the hash; undefined when it can.
 */
export function importedHashProblem(hash: string): string | undefined {
  if (!scheme.test(hash)) return 'must be an argon2 ($argon2id$...) or bcrypt ($2b$...) hash';
  const bcrypt = bcryptForm.exec(hash);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    if (cost < 4) return 'a bcrypt cost below 04 is not a bcrypt hash';
    return cost > limits.bcryptCostMax ? `a bcrypt cost of ${cost} is more than the ${limits.bcryptCostMax} every sign-in attempt could afford` : undefined;
  }
  const argon2 = argon2Form.exec(hash);
  if (!argon2) return incomplete;
  const version = argon2[1] === undefined ? undefined : Number(argon2[1]);
  if (version !== undefined && !argon2Versions.has(version)) return `argon2 version v=${version} does not exist: v=19 (1.3) or v=16 (1.0)`;
  const [memory, iterations, parallelism] = [Number(argon2[2]), Number(argon2[3]), Number(argon2[4])];
  if (iterations < 1 || parallelism < 1 || memory < 8 * parallelism) {
    return `argon2 parameters m=${memory},t=${iterations},p=${parallelism} are not valid: t and p are at least 1, and m at least 8 KiB per lane (8×p)`;
  }
  if (memory > limits.argon2MemoryKibMax || iterations > limits.argon2IterationsMax || parallelism > limits.argon2ParallelismMax) {
    return `argon2 parameters above m=${limits.argon2MemoryKibMax},t=${limits.argon2IterationsMax},p=${limits.argon2ParallelismMax}, more than every sign-in attempt could afford`;
  }
  const saltBytes = base64Bytes(argon2[5]!);
  if (saltBytes === undefined || saltBytes < limits.argon2SaltBytesMin) {
    return `the argon2 salt (the part after p=…$) is not unpadded base64 of at least ${limits.argon2SaltBytesMin} bytes: the hash was cut short or mangled`;
  }
  const outputBytes = base64Bytes(argon2[6]!);
  if (outputBytes === undefined || outputBytes < limits.argon2HashBytesMin) {
    return `the argon2 output (the last part) is not unpadded base64 of at least ${limits.argon2HashBytesMin} bytes: the hash was cut short or mangled`;
  }
  return undefined;
}
