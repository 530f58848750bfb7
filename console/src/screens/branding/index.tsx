import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api/api-client';
import { Page, Section } from '../../ui/page';
import { Loading, ErrorNotice, SuccessNotice } from '../../ui/states';
import { Field, TextField } from '../../ui/fields';
import { useLoad } from '../../ui/use-load';
import './branding.css';

/** GET /api/v1/branding (docs/management-api.md#branding). */
interface Branding {
  product_name: string;
  primary_color: string;
  logo_url: string | null;
  logo: { path: string; version: string; content_type: string } | null;
  updated_at: string | null;
}

const hexColor = /^#[0-9a-fA-F]{6}$/;

/** The sign-in pages' look: what people see when an application sends them to Gatehouse. */
export function BrandingArea() {
  const loaded = useLoad(() => api<Branding>('GET', '/branding'), []);
  return (
    <Page title="Branding" description="The product name, logo and colour of the sign-in, consent and error pages that people see when an application sends them to Gatehouse.">
      {loaded.error && <ErrorNotice error={loaded.error} />}
      {loaded.data ? <BrandingForm saved={loaded.data} onSaved={loaded.reload} /> : !loaded.error && <Loading rows={6} />}
    </Page>
  );
}

function BrandingForm({ saved, onSaved }: { saved: Branding; onSaved: () => void }) {
  const [productName, setProductName] = useState(saved.product_name);
  const [color, setColor] = useState(saved.primary_color);
  const [logoUrl, setLogoUrl] = useState(saved.logo_url ?? '');
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  const fields = error instanceof ApiError ? error.fields : {};

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setDone('');
    setError(undefined);
    try {
      const change: Record<string, string | null> = { product_name: productName, primary_color: color };
      // The logo is fetched again only when its address changed: unchanged, it keeps the bytes stored.
      if (logoUrl.trim() !== (saved.logo_url ?? '')) change.logo_url = logoUrl.trim() === '' ? null : logoUrl.trim();
      await api<Branding>('PUT', '/branding', change);
      setDone('Saved. The sign-in pages show the new branding from their next page view, on every instance.');
      onSaved();
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="branding-layout">
      <form className="panel" onSubmit={save} noValidate>
        <ErrorNotice error={error} />
        <SuccessNotice>{done}</SuccessNotice>
        <TextField label="Product name" value={productName} onChange={setProductName} error={fields.product_name} required
          hint="The title of every sign-in page and the logo's text for screen readers, e.g. your company's name." />
        <Field label="Primary colour" error={fields.primary_color}
          hint="Buttons are drawn in this colour with white text on it, so it must be dark enough to read: 4.5:1 contrast at least.">
          {({ id, describedBy, invalid }) => (
            <div className="color-row">
              <input type="color" aria-label="Pick the primary colour" value={hexColor.test(color) ? color : '#000000'} onChange={(e) => setColor(e.target.value)} />
              <input id={id} type="text" value={color} aria-describedby={describedBy} aria-invalid={invalid || undefined} spellCheck={false}
                onChange={(e) => setColor(e.target.value.trim())} />
            </div>
          )}
        </Field>
        <TextField label="Logo URL" type="url" value={logoUrl} onChange={setLogoUrl} error={fields.logo_url} placeholder="https://example.com/logo.svg"
          hint="An https address of a PNG, JPEG, GIF, WebP or SVG image. Gatehouse fetches it once when you save and serves it itself, so the sign-in pages load nothing from other sites. Empty removes the logo." />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy}>{busy ? 'Saving…' : 'Save branding'}</button>
        </div>
      </form>
      <Section title="Preview">
        <Preview productName={productName} color={hexColor.test(color) ? color : saved.primary_color} logoPath={saved.logo?.path} />
      </Section>
    </div>
  );
}

/** A sign-in card drawn with the values being edited, before they are saved. */
function Preview({ productName, color, logoPath }: { productName: string; color: string; logoPath: string | undefined }) {
  const [card, setCard] = useState<HTMLDivElement | null>(null);
  // Set through the CSS object model: the console's CSP allows no inline style attributes.
  useEffect(() => card?.style.setProperty('--preview-accent', color), [card, color]);
  return (
    <div className="preview-card" ref={setCard} aria-label="Sign-in page preview">
      {logoPath && <img className="preview-logo" src={logoPath} alt={productName} />}
      <p className="preview-title">Sign in to {productName || 'Gatehouse'}</p>
      <div className="preview-input" />
      <div className="preview-input" />
      <div className="preview-button">Sign in</div>
    </div>
  );
}
