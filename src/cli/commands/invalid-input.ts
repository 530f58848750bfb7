import { GatehouseError } from '../../errors/gatehouse-error.js';

interface Issue {
  path: PropertyKey[];
  message: string;
}

/**
 * A command line refused by a schema, each problem naming the field as the configuration file
 * names it and the option that gave it: `--redirect-uri (redirect_uris[0]): Invalid URL`.
 */
export function invalidInput(what: string, issues: Issue[], optionOf: Record<string, string>): GatehouseError {
  const lines = issues.map((issue) => {
    const [field, ...rest] = issue.path;
    const name = `${String(field ?? what)}${rest.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('')}`;
    const option = typeof field === 'string' ? optionOf[field] : undefined;
    return `  ${option ? `--${option} (${name})` : name}: ${issue.message}`;
  });
  return new GatehouseError('invalid_request', `${what} is invalid; nothing was changed\n${lines.join('\n')}`, {
    details: issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });
}
