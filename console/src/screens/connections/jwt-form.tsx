import { useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/api-client';
import { CopyValue } from '../../ui/copy';
import { CheckboxGroup, RadioGroup, TextField } from '../../ui/fields';
import { ErrorNotice } from '../../ui/states';
import { fieldErrorsOf, NumberField, otherFieldErrors, Step, TextArea, Toggle, useFocusFirstError } from './form-parts';
import { PartnerContract, type KeyKind } from './partner-contract';
import { connectionSecrets, generateSecret } from './secret';
import { jwtAlgorithms, type JwtAlgorithm, type JwtConnection, type Provisioning } from './types';
import { idFromName } from './urls';

export interface JwtDraft {
  name: string;
  id: string;
  sign_in_url: string;
  keyKind: KeyKind;
  /** The secret to store: generated here, or the partner's; empty in an edit keeps the stored one. */
  secret: string;
  public_key: string;
  jwks_uri: string;
  algorithms: JwtAlgorithm[];
  issuer: string;
  audience: string;
  require_jti: boolean;
  max_token_age_seconds: string;
  clock_skew_seconds: string;
  provisioning: Provisioning;
  enabled: boolean;
}

export function newJwtDraft(): JwtDraft {
  return {
    name: '', id: '', sign_in_url: '', keyKind: 'secret', secret: generateSecret(), public_key: '', jwks_uri: '', algorithms: [],
    issuer: '', audience: location.origin, require_jti: true, max_token_age_seconds: '300', clock_skew_seconds: '30', provisioning: 'create', enabled: true,
  };
}

export function jwtDraftOf(connection: JwtConnection): JwtDraft {
  return {
    name: connection.name,
    id: connection.id,
    sign_in_url: connection.sign_in_url,
    keyKind: connection.public_key !== undefined ? 'public_key' : connection.jwks_uri !== undefined ? 'jwks_uri' : 'secret',
    secret: '',
    public_key: connection.public_key ?? '',
    jwks_uri: connection.jwks_uri ?? '',
    algorithms: connection.algorithms ?? [],
    issuer: connection.issuer ?? '',
    audience: connection.audience ?? '',
    require_jti: connection.require_jti,
    max_token_age_seconds: String(connection.max_token_age_seconds),
    clock_skew_seconds: String(connection.clock_skew_seconds),
    provisioning: connection.provisioning,
    enabled: connection.enabled,
  };
}

const orUndefined = (value: string) => (value.trim() === '' ? undefined : value.trim());
/** A number when it reads as one; otherwise as typed, so that the API names what is wrong beside the field. */
const numberOrAsTyped = (value: string) => (value.trim() === '' ? undefined : Number.isFinite(Number(value)) ? Number(value) : value);
const hmac = (alg: string) => alg.startsWith('HS');

function bodyOf(draft: JwtDraft, mode: 'create' | 'edit'): Record<string, unknown> {
  const key = draft.keyKind === 'secret' ? { secret: draft.secret === '' && mode === 'edit' ? undefined : draft.secret }
    : draft.keyKind === 'public_key' ? { public_key: orUndefined(draft.public_key) }
      : { jwks_uri: orUndefined(draft.jwks_uri) };
  const algorithms = draft.algorithms.filter((alg) => hmac(alg) === (draft.keyKind === 'secret'));
  return {
    ...(mode === 'create' ? { id: draft.id.trim() } : {}),
    type: 'jwt',
    name: draft.name,
    enabled: draft.enabled,
    sign_in_url: draft.sign_in_url.trim(),
    ...key,
    algorithms: algorithms.length > 0 ? algorithms : undefined,
    issuer: orUndefined(draft.issuer),
    audience: orUndefined(draft.audience),
    require_jti: draft.require_jti,
    max_token_age_seconds: numberOrAsTyped(draft.max_token_age_seconds),
    clock_skew_seconds: numberOrAsTyped(draft.clock_skew_seconds),
    provisioning: draft.provisioning,
  };
}

const shownFields = ['id', 'name', 'enabled', 'type', 'sign_in_url', 'secret', 'public_key', 'jwks_uri', 'algorithms', 'issuer', 'audience', 'require_jti',
  'max_token_age_seconds', 'clock_skew_seconds', 'provisioning'];

interface JwtFormProps {
  mode: 'create' | 'edit';
  initial: JwtDraft;
  /** In an edit: whether a secret is stored, which an empty secret keeps. */
  hasStoredSecret?: boolean;
  onSaved: (connection: JwtConnection) => void;
  onCancel?: () => void;
}

/**
 * A partner that signs people in with a short JWT (Raytha's "Json web token" scheme, hardened):
 * its sign-in page, the key its tokens are verified with (a secret generated here by default),
 * the claims required, and the contract its developers implement, updated as the form changes.
 */
export function JwtForm({ mode, initial, hasStoredSecret = false, onSaved, onCancel }: JwtFormProps) {
  const [draft, setDraft] = useState<JwtDraft>(initial);
  const [idTouched, setIdTouched] = useState(mode === 'edit');
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  useFocusFirstError(form, error);
  const fields = fieldErrorsOf(error);
  const set = <K extends keyof JwtDraft>(field: K, value: JwtDraft[K]) => setDraft((before) => ({ ...before, [field]: value }));
  const creating = mode === 'create';
  const keepsSecret = !creating && hasStoredSecret && draft.keyKind === 'secret' && draft.secret === '';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = bodyOf(draft, mode);
      const saved = creating
        ? await api<JwtConnection>('POST', '/connections', body)
        : await api<JwtConnection>('PUT', `/connections/${encodeURIComponent(draft.id)}`, body);
      if (creating && typeof body.secret === 'string') connectionSecrets.handOver(saved.id, body.secret);
      onSaved(saved);
    } catch (caught) {
      setError(caught instanceof Error ? caught : new Error(String(caught)));
    } finally {
      setBusy(false);
    }
  }

  const algorithmOptions = jwtAlgorithms.filter((alg) => hmac(alg) === (draft.keyKind === 'secret')).map((alg) => ({ value: alg, label: alg }));
  const stray = otherFieldErrors(fields, shownFields);
  let step = 0;

  return (
    <form ref={form} onSubmit={submit} noValidate className="connection-form">
      <ErrorNotice error={error} />
      {stray.length > 0 && <ul className="notice notice-error stray-errors">{stray.map((line) => <li key={line}>{line}</li>)}</ul>}

      <Step number={creating ? ++step : undefined} title={creating ? 'Name the partner' : 'Connection'}
        description={creating ? 'The id is part of the callback URL and of every account\'s link to the partner, so choose it once.' : undefined}>
        <div className="grid-2">
          <TextField
            label="Name" value={draft.name} error={fields.name} required hint="The label of its button on the login page, e.g. “Partner portal”."
            onChange={(value) => {
              set('name', value);
              if (!idTouched) set('id', idFromName(value));
            }}
          />
          {creating && (
            <TextField
              label="Connection id" value={draft.id} error={fields.id} required hint="1 to 64 lower-case letters, digits, - or _; it cannot be changed later."
              onChange={(value) => {
                setIdTouched(true);
                set('id', value);
              }}
            />
          )}
        </div>
        <TextField
          label="Partner's sign-in URL" type="url" value={draft.sign_in_url} error={fields.sign_in_url} required placeholder="https://portal.example.com/sso/gatehouse"
          hint="The partner's login page; Gatehouse sends the browser there and never fetches it itself."
          onChange={(value) => set('sign_in_url', value)}
        />
      </Step>

      <Step number={creating ? ++step : undefined} title="The partner's key" description={creating ? 'What Gatehouse verifies the partner\'s tokens with: give exactly one.' : undefined}>
        <RadioGroup
          legend="Key" name="key-kind" value={draft.keyKind}
          onChange={(kind) => setDraft((d) => ({
            ...d, keyKind: kind, algorithms: [],
            // A secret newly chosen in an edit is a new one: the stored secret belongs to another kind of key, or to none.
            secret: kind === 'secret' && d.secret === '' && !(hasStoredSecret && initial.keyKind === 'secret') ? generateSecret() : d.secret,
          }))}
          options={[
            { value: 'secret', label: 'Shared secret (HMAC)', description: 'A random secret generated here, which you give the partner; the simplest.' },
            { value: 'public_key', label: 'Partner\'s public key', description: 'The partner signs with its private key and gives you the public one (PEM).' },
            { value: 'jwks_uri', label: 'Partner\'s key set URL', description: 'The partner publishes its keys (a JWK Set); its key rotations need no change here.' },
          ]}
        />
        {draft.keyKind === 'secret' && (keepsSecret ? (
          <div className="field">
            <p>The stored secret is kept. It is never shown again.</p>
            <button type="button" className="button" onClick={() => set('secret', generateSecret())}>Replace with a new secret</button>
            {fields.secret && <p className="field-error">{fields.secret}</p>}
          </div>
        ) : (
          <div className={fields.secret ? 'field field-invalid' : 'field'}>
            <CopyValue label="Shared secret" value={draft.secret} secret
              hint="Generated in this browser with crypto.getRandomValues (48 random bytes, base64url: long enough for HS256 to HS512). Gatehouse stores it sealed and never shows it again once saved: copy it for the partner now." />
            <div className="button-row secret-actions">
              <button type="button" className="button button-small" onClick={() => set('secret', generateSecret())}>Generate another</button>
              {!creating && hasStoredSecret && initial.keyKind === 'secret' && (
                <button type="button" className="button button-small" onClick={() => set('secret', '')}>Keep the stored secret</button>
              )}
            </div>
            {fields.secret && <p className="field-error">{fields.secret}</p>}
          </div>
        ))}
        {draft.keyKind === 'public_key' && (
          <TextArea label="Public key (PEM)" value={draft.public_key} error={fields.public_key} placeholder={'-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----'}
            hint="RSA, EC (P-256/384/521) or Ed25519, or a certificate; a private key is refused." onChange={(value) => set('public_key', value)} />
        )}
        {draft.keyKind === 'jwks_uri' && (
          <TextField label="Key set URL" type="url" value={draft.jwks_uri} error={fields.jwks_uri} placeholder="https://portal.example.com/.well-known/jwks.json"
            hint="Fetched by Gatehouse at the first token (https, public address), kept 10 minutes." onChange={(value) => set('jwks_uri', value)} />
        )}
        <div className="algorithm-choices">
          <CheckboxGroup legend="Algorithms (optional)" options={algorithmOptions} value={draft.algorithms} error={fields.algorithms}
            onChange={(value) => set('algorithms', value)} />
        </div>
        <p className="field-hint algorithms-hint">None ticked: {draft.keyKind === 'secret' ? 'HS256' : draft.keyKind === 'jwks_uri' ? 'RS256, PS256, ES256 and EdDSA' : 'the usual algorithm of the key\'s type'}.</p>
      </Step>

      <Step number={creating ? ++step : undefined} title="Token rules" description={creating ? 'Gatehouse is stricter than Raytha: set issuer and audience, and keep tokens short-lived.' : undefined}>
        <div className="grid-pairs">
          <TextField label="Issuer (iss)" value={draft.issuer} error={fields.issuer} placeholder="https://portal.example.com"
            hint="Recommended: the token's iss must be exactly this." onChange={(value) => set('issuer', value)} />
          <TextField label="Audience (aud)" value={draft.audience} error={fields.audience}
            hint="Recommended: the token's aud must be this (Gatehouse's address suits)." onChange={(value) => set('audience', value)} />
          <NumberField label="Longest token lifetime (seconds)" value={draft.max_token_age_seconds} error={fields.max_token_age_seconds} min={1} max={3600}
            hint="1 to 3600: exp at most this far after iat." onChange={(value) => set('max_token_age_seconds', value)} />
          <NumberField label="Clock skew allowed (seconds)" value={draft.clock_skew_seconds} error={fields.clock_skew_seconds} min={0} max={300}
            hint="0 to 300: how far the partner's clock may be off." onChange={(value) => set('clock_skew_seconds', value)} />
        </div>
        <Toggle label="Require a jti (single-use token id)" checked={draft.require_jti} error={fields.require_jti}
          description="Each token id is accepted once, so a copied token cannot be replayed. Turn off only for a partner that cannot make ids."
          onChange={(value) => set('require_jti', value)} />
        <RadioGroup
          legend="Accounts" name="jwt-provisioning" value={draft.provisioning} error={fields.provisioning} onChange={(value) => set('provisioning', value)}
          options={[
            { value: 'create', label: 'Create accounts just in time', description: 'A person the token names who has no account here gets one at the first sign-in.' },
            { value: 'existing_users_only', label: 'Known users only', description: 'Only people with an account here sign in, matched by sub or email; nobody is created.' },
          ]}
        />
        <Toggle label="Enabled" checked={draft.enabled} error={fields.enabled} description="Shows its button on the login page and accepts its tokens."
          onChange={(value) => set('enabled', value)} />
      </Step>

      {creating && (
        <Step number={++step} title="What the partner implements" description="The redirect contract, for the partner's developers; it follows the settings above.">
          <PartnerContract terms={{
            id: draft.id, signInUrl: draft.sign_in_url.trim(), keyKind: draft.keyKind, algorithms: draft.algorithms, issuer: draft.issuer.trim(), audience: draft.audience.trim(),
            requireJti: draft.require_jti, maxTokenAgeSeconds: Number(draft.max_token_age_seconds) || 300, clockSkewSeconds: Number(draft.clock_skew_seconds) || 0,
          }} />
        </Step>
      )}

      <div className="button-row form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>{creating ? 'Create connection' : 'Save changes'}</button>
        {onCancel && <button type="button" className="button" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
