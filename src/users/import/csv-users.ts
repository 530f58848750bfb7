import { GatehouseError } from '../../errors/gatehouse-error.js';
import { profileSchema } from '../user-schema.js';
import { quoted } from './check-record.js';
import type { CsvRecord } from './csv-records.js';
import type { SourceRecord } from './source-record.js';

/** What separates the groups in a CSV `groups` cell: `admins;staff`. */
export const groupSeparator = ';';

type Column =
  | { kind: 'text' | 'boolean'; name: string }
  | { kind: 'groups' }
  | { kind: 'attribute'; name: string }
  | { kind: 'address'; part: string };

const booleanColumns = new Set(['email_verified', 'phone_number_verified', 'disabled']);
/** Every field of a user in the configuration file that is one string; a new profile claim is a column at once. */
const textColumns = new Set([
  'username', 'email', 'password_hash',
  ...Object.keys(profileSchema.shape).filter((name) => name !== 'address' && !booleanColumns.has(name)),
]);
const addressParts = new Set(Object.keys(profileSchema.shape.address.unwrap().shape));

const refused = (message: string) => new GatehouseError('invalid_request', message);
const shown = (name: string) => quoted(name.length > 60 ? `${name.slice(0, 60)}…` : name);
const jsonHint = ' (this looks like JSON lines: import it as jsonl)';

/** The header row's columns; a column Gatehouse does not know refuses the file, since its values would be lost for every user. */
function columnsOf(header: string[], line: number): Column[] {
  const seen = new Set<string>();
  const columns = header.map((raw, index): Column => {
    const name = raw.trim();
    const where = `line ${line}, column ${index + 1}`;
    if (seen.has(name)) throw refused(`${where}: the column ${shown(name)} appears twice in the header`);
    seen.add(name);
    if (name === 'password') throw refused(`${where}: clear-text passwords are not imported; give the existing hashes in a password_hash column`);
    if (name === 'groups') return { kind: 'groups' };
    if (booleanColumns.has(name)) return { kind: 'boolean', name };
    if (textColumns.has(name)) return { kind: 'text', name };
    if (name.startsWith('attr.') && name.length > 'attr.'.length) return { kind: 'attribute', name: name.slice('attr.'.length) };
    if (name.startsWith('address.') && addressParts.has(name.slice('address.'.length))) return { kind: 'address', part: name.slice('address.'.length) };
    const hint = index === 0 && name.startsWith('{') ? jsonHint : '';
    throw refused(`${where}: unknown column ${shown(name)}${hint}; see docs/user-import.md for the columns`);
  });
  if (!seen.has('username')) throw refused(`line ${line}: the header has no username column`);
  return columns;
}

function booleanOf(cell: string): boolean | undefined {
  const value = cell.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** A row as the configuration file would declare it; an empty cell leaves its field out. */
function valueOf(columns: Column[], fields: string[]): { value: Record<string, unknown> } | { error: string } {
  const value: Record<string, unknown> = {};
  const attributes: Array<[string, string]> = [];
  const address: Array<[string, string]> = [];
  for (const [index, column] of columns.entries()) {
    const cell = fields[index]!;
    if (cell === '') continue;
    switch (column.kind) {
      case 'text':
        value[column.name] = cell;
        break;
      case 'boolean': {
        const flag = booleanOf(cell);
        if (flag === undefined) return { error: `${column.name}: must be true or false (or 1 or 0)` };
        value[column.name] = flag;
        break;
      }
      case 'groups':
        value.groups = cell.split(groupSeparator).map((group) => group.trim()).filter((group) => group !== '');
        break;
      case 'attribute':
        attributes.push([column.name, cell]);
        break;
      case 'address':
        address.push([column.part, cell]);
        break;
    }
  }
  // fromEntries defines own properties: an attribute named __proto__ stays an attribute.
  if (attributes.length > 0) value.attributes = Object.fromEntries(attributes);
  if (address.length > 0) value.address = Object.fromEntries(address);
  return { value };
}

/**
 * The users of a CSV file: the first record is the header row, naming the columns (refused as a
 * whole, before anything is imported, when it is malformed or names a column Gatehouse does not
 * know); every other record is one user, or the reason it cannot be.
 */
export async function* csvUsers(records: AsyncIterable<CsvRecord>): AsyncGenerator<SourceRecord> {
  let columns: Column[] | undefined;
  for await (const record of records) {
    if (columns === undefined) {
      if ('error' in record) throw refused(`line ${record.line}: the header row is malformed: ${record.error}${record.json ? jsonHint : ''}`);
      columns = columnsOf(record.fields, record.line);
      continue;
    }
    if ('error' in record) {
      yield record;
      continue;
    }
    if (record.fields.length !== columns.length) {
      const hint = record.fields.some((field) => field.startsWith('$argon2')) ? ' (an argon2 hash holds commas: put it in double quotes)' : '';
      yield { line: record.line, error: `the row has ${record.fields.length} fields where the header has ${columns.length}${hint}` };
      continue;
    }
    const row = valueOf(columns, record.fields);
    yield 'error' in row ? { line: record.line, error: row.error } : { line: record.line, size: record.size, value: row.value };
  }
}
