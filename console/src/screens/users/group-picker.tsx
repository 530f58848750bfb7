import { useId, useState, type ReactNode } from 'react';
import { ConfirmButton } from '../../ui/confirm';
import { Field } from '../../ui/fields';
import { administratorsGroup } from './shared';

/** A user's groups, each with its Remove button (asked again for the administrators' group). */
export function GroupChips({ groups, onRemove, busy, who }: {
  groups: readonly string[];
  /** Absent: shown only (a declared user). */
  onRemove?: (group: string) => Promise<void> | void;
  busy?: boolean;
  /** Whose groups, for the question before removing an administrator. */
  who?: string;
}) {
  if (groups.length === 0) return <p className="muted">Not in any group.</p>;
  return (
    <ul className="group-chips" aria-label="Groups">
      {groups.map((group) => (
        <li key={group} className={group === administratorsGroup ? 'group-chip admins' : 'group-chip'}>
          <span>{group}</span>
          {onRemove && (group === administratorsGroup && who ? (
            <ConfirmButton
              label="Remove" confirmLabel="Remove from gatehouse-admins" danger disabled={busy}
              question={<p>Remove {who} from <code>{administratorsGroup}</code>? They stop being an administrator at once, even in a console they have open.</p>}
              onConfirm={() => onRemove(group)}
            />
          ) : (
            <button type="button" className="button button-small" aria-label={`Remove from ${group}`} disabled={busy} onClick={() => void onRemove(group)}>
              Remove
            </button>
          ))}
        </li>
      ))}
    </ul>
  );
}

/** A group name to add, with the groups that exist already suggested; Enter adds it too. */
export function AddGroup({ known, onAdd, busy, error, hint, label = 'Add to group' }: {
  known: readonly string[];
  onAdd: (group: string) => Promise<boolean> | boolean;
  busy?: boolean;
  error?: string | undefined;
  hint?: ReactNode;
  label?: string;
}) {
  const [name, setName] = useState('');
  const listId = useId();
  const add = async () => {
    const group = name.trim();
    if (group === '') return;
    if (await onAdd(group)) setName('');
  };
  return (
    <div className="inline-form">
      <Field label={label} hint={hint} error={error}>
        {({ id, describedBy, invalid }) => (
          <input
            id={id} value={name} list={listId} autoComplete="off" placeholder="Group name" aria-describedby={describedBy} aria-invalid={invalid || undefined}
            onChange={(event) => setName(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                void add();
              }
            }}
          />
        )}
      </Field>
      <datalist id={listId}>
        {known.map((group) => <option key={group} value={group} />)}
      </datalist>
      <button type="button" className="button" disabled={busy || name.trim() === ''} onClick={() => void add()}>Add</button>
    </div>
  );
}
