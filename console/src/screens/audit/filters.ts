/** The audit log's filters as the address keeps them (the API's own parameter names), so a filtered view can be linked. */
export interface AuditFilters {
  types: string[];
  user_id: string;
  client_id: string;
  connection_id: string;
  outcome: '' | 'success' | 'failure';
  from: string;
  to: string;
}

export function filtersFrom(search: string): AuditFilters {
  const params = new URLSearchParams(search);
  const outcome = params.get('outcome');
  return {
    types: params.getAll('type').filter(Boolean),
    user_id: params.get('user_id') ?? '',
    client_id: params.get('client_id') ?? '',
    connection_id: params.get('connection_id') ?? '',
    outcome: outcome === 'success' || outcome === 'failure' ? outcome : '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
}

/** The filters as a query string, without the `?`: for the address and, with a cursor, for the API. */
export function searchOf(filters: AuditFilters, extra: Record<string, string | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const type of filters.types) params.append('type', type);
  for (const name of ['user_id', 'client_id', 'connection_id', 'outcome', 'from', 'to'] as const) {
    if (filters[name]) params.set(name, filters[name]);
  }
  for (const [name, value] of Object.entries(extra)) if (value) params.set(name, value);
  return params.toString();
}

export const hasFilters = (filters: AuditFilters): boolean => searchOf(filters) !== '';

/** An RFC 3339 time as a datetime-local field shows it, in the browser's time zone. */
export function localInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const seconds = date.getSeconds() ? `:${pad(date.getSeconds())}` : '';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}${seconds}`;
}

/** A datetime-local field's value (the browser's time zone) as the API takes it, in UTC. */
export function isoOf(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
