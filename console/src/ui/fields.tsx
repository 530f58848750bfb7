import { useId, type ReactNode } from 'react';

interface FieldProps {
  label: string;
  /** One line under the field: what goes in it, where to find it. */
  hint?: ReactNode;
  /** The API's message about this field. */
  error?: string | undefined;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A labelled form control with its hint and its error beside it, tied together for screen readers. */
export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && <p id={hintId} className="field-hint">{hint}</p>}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </div>
  );
}

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
  type?: 'text' | 'email' | 'url' | 'password' | 'search' | 'datetime-local' | 'color';
  required?: boolean;
  placeholder?: string;
  readOnly?: boolean;
  autoComplete?: string;
  name?: string;
}

export function TextField({ label, value, onChange, hint, error, type = 'text', required, placeholder, readOnly, autoComplete, name }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id} name={name ?? id} type={type} value={value} required={required} placeholder={placeholder} readOnly={readOnly}
          autoComplete={autoComplete ?? 'off'} aria-describedby={describedBy} aria-invalid={invalid || undefined}
          onChange={(event) => onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** Several values, one per line (redirect URIs, claims): what the API takes as an array. */
export function LinesField({ label, value, onChange, hint, error, placeholder, readOnly }: Omit<TextFieldProps, 'type' | 'value' | 'onChange'> & { value: string[]; onChange: (value: string[]) => void }) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <textarea
          id={id} rows={Math.max(2, value.length + 1)} value={value.join('\n')} placeholder={placeholder} readOnly={readOnly}
          aria-describedby={describedBy} aria-invalid={invalid || undefined} spellCheck={false}
          onChange={(event) => onChange(event.target.value.split('\n').map((line) => line.trim()).filter((line, i, all) => line !== '' || i === all.length - 1))}
        />
      )}
    </Field>
  );
}

export function SelectField<V extends string>({ label, value, onChange, options, hint, error, disabled }: {
  label: string; value: V; onChange: (value: V) => void; options: readonly { value: V; label: string }[];
  hint?: ReactNode; error?: string | undefined; disabled?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <select id={id} value={value} disabled={disabled} aria-describedby={describedBy} aria-invalid={invalid || undefined} onChange={(event) => onChange(event.target.value as V)}>
          {options.map((option) => <option key={option.value} value={option.value}>{option.label}</option>)}
        </select>
      )}
    </Field>
  );
}

/** A choice's words beside its box: its label, and the sentence that explains it. */
function ChoiceText({ label, description }: { label: string; description?: ReactNode }) {
  return (
    <span>
      <span className="choice-label">{label}</span>
      {description && <span className="choice-description">{description}</span>}
    </span>
  );
}

/** A set of choices, each with its one-sentence explanation (authorization modes, groups). */
export function CheckboxGroup<V extends string>({ legend, options, value, onChange, error, disabled }: {
  legend: string; options: readonly { value: V; label: string; description?: ReactNode }[]; value: readonly V[];
  onChange: (value: V[]) => void; error?: string | undefined; disabled?: boolean;
}) {
  const errorId = useId();
  return (
    <fieldset className={error ? 'choices field-invalid' : 'choices'} aria-describedby={error ? errorId : undefined} disabled={disabled}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="checkbox" checked={value.includes(option.value)}
            onChange={(event) => onChange(event.target.checked ? [...value, option.value] : value.filter((v) => v !== option.value))}
          />
          <ChoiceText label={option.label} description={option.description} />
        </label>
      ))}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </fieldset>
  );
}

/** One of a few choices, each with its one-sentence explanation. */
export function RadioGroup<V extends string>({ legend, options, value, onChange, error, name, disabled }: {
  legend: string; name: string; options: readonly { value: V; label: string; description?: ReactNode }[]; value: V;
  onChange: (value: V) => void; error?: string | undefined; disabled?: boolean;
}) {
  const errorId = useId();
  return (
    <fieldset className={error ? 'choices field-invalid' : 'choices'} aria-describedby={error ? errorId : undefined} disabled={disabled}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input type="radio" name={name} value={option.value} checked={value === option.value} onChange={() => onChange(option.value)} />
          <ChoiceText label={option.label} description={option.description} />
        </label>
      ))}
      {error && <p id={errorId} className="field-error">{error}</p>}
    </fieldset>
  );
}
