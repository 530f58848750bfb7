import { useEffect, useState, type FormEvent } from 'react';
import { api, query, type Page } from '../../api/api-client';
import { Field, SelectField, TextField } from '../../ui/fields';
import { useLoad } from '../../ui/use-load';
import { hasFilters, isoOf, localInput, type AuditFilters } from './filters';
import { eventTypeGroups, isKnownType } from './types';
import { findUser, userNameForField } from './user-names';

interface FormState {
  type: string;
  user: string;
  client: string;
  outcome: AuditFilters['outcome'];
  from: string;
  to: string;
}

const stateOf = (filters: AuditFilters): FormState => ({
  type: filters.types.length === 1 ? filters.types[0]! : '',
  user: filters.user_id,
  client: filters.client_id,
  outcome: filters.outcome,
  from: filters.from ? localInput(filters.from) : '',
  to: filters.to ? localInput(filters.to) : '',
});

const outcomes = [
  { value: '', label: 'Any result' },
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
] as const;

/** The filters: event type, user, application, result and time range; applying them changes the address. */
export function FilterForm({ filters, onApply, onClear }: { filters: AuditFilters; onApply: (filters: AuditFilters) => void; onClear: () => void }) {
  const [state, setState] = useState(() => stateOf(filters));
  const [errors, setErrors] = useState<{ user?: string; to?: string }>({});
  const [busy, setBusy] = useState(false);
  const applications = useLoad(() => api<Page<{ client_id: string; client_name?: string }>>('GET', `/applications${query({ limit: 200 })}`), []);
  const set = <K extends keyof FormState>(name: K) => (value: FormState[K]) => setState((before) => ({ ...before, [name]: value }));

  // The address changed (a link, Back): the fields show it, the user by name.
  useEffect(() => {
    setState(stateOf(filters));
    setErrors({});
    let current = true;
    if (filters.user_id) {
      void userNameForField(filters.user_id).then((name) => {
        if (current) setState((before) => (before.user === filters.user_id ? { ...before, user: name } : before));
      });
    }
    return () => {
      current = false;
    };
  }, [filters]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const from = isoOf(state.from);
    const to = isoOf(state.to);
    const problems: { user?: string; to?: string } = {};
    if (from && to && Date.parse(to) <= Date.parse(from)) problems.to = 'must be later than From';
    let userId = '';
    if (state.user.trim()) {
      setBusy(true);
      try {
        const known = filters.user_id && (state.user === filters.user_id || state.user === (await userNameForField(filters.user_id)));
        if (known) userId = filters.user_id;
        else userId = (await findUser(state.user))?.id ?? '';
        if (!userId) problems.user = 'No user has this user name, email or ID.';
      } finally {
        setBusy(false);
      }
    }
    setErrors(problems);
    if (problems.user || problems.to) return;
    const types = state.type ? [state.type] : filters.types.length > 1 ? filters.types : [];
    onApply({ types, user_id: userId, client_id: state.client.trim(), connection_id: filters.connection_id, outcome: state.outcome, from, to });
  }

  const severalTypes = filters.types.length > 1 && !state.type;
  const unknownType = state.type && !isKnownType(state.type);

  return (
    <form className="panel audit-filters" onSubmit={submit} noValidate aria-label="Filters">
      <div className="audit-filter-fields">
        <Field label="Event type">
          {({ id, describedBy }) => (
            <select id={id} value={state.type} aria-describedby={describedBy} onChange={(event) => set('type')(event.target.value)}>
              <option value="">{severalTypes ? `${filters.types.length} types (from the link)` : 'Any type'}</option>
              {unknownType && <option value={state.type}>{state.type}</option>}
              {eventTypeGroups.map((group) => (
                <optgroup key={group.label} label={group.label}>
                  {group.types.map(([type, label]) => <option key={type} value={type}>{label}</option>)}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
        <TextField label="User" value={state.user} onChange={set('user')} error={errors.user} placeholder="User name, email or ID" />
        <Field label="Application">
          {({ id, describedBy }) => (
            <>
              <input
                id={id} list={`${id}-list`} value={state.client} placeholder="Client ID" autoComplete="off" aria-describedby={describedBy}
                onChange={(event) => set('client')(event.target.value)}
              />
              <datalist id={`${id}-list`}>
                {applications.data?.items.map((app) => <option key={app.client_id} value={app.client_id}>{app.client_name ?? app.client_id}</option>)}
              </datalist>
            </>
          )}
        </Field>
        <SelectField label="Result" value={state.outcome} onChange={set('outcome')} options={outcomes} />
        <TextField label="From" type="datetime-local" value={state.from} onChange={set('from')} />
        <TextField label="To" type="datetime-local" value={state.to} onChange={set('to')} error={errors.to} />
      </div>
      {filters.connection_id && <p className="field-hint">Only events of the connection <code>{filters.connection_id}</code>.</p>}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy}>Apply filters</button>
        {hasFilters(filters) && <button type="button" className="button" onClick={onClear}>Clear filters</button>}
      </div>
    </form>
  );
}
