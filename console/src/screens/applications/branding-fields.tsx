import { useEffect, useState } from 'react';
import { api } from '../../api/api-client';
import { Field, TextField } from '../../ui/fields';
import { useLoad } from '../../ui/use-load';
import '../branding/branding.css';
import type { Settings } from './types';

const hexColor = /^#[0-9a-fA-F]{6}$/;

/** Black or white, whichever contrasts more with the background: what the sign-in pages draw their text in (WCAG 2.2 relative luminance). */
function textOn(background: string): string {
  const linear = (at: number) => {
    const value = Number.parseInt(background.slice(at, at + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(1) + 0.7152 * linear(3) + 0.0722 * linear(5);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

/** The global branding (GET /api/v1/branding): what shows wherever the application sets nothing. */
interface GlobalBranding {
  product_name: string;
  primary_color: string;
  logo: { path: string } | null;
}

type Branding = Settings['branding'];

interface Props {
  branding: Branding;
  onChange: (branding: Branding) => void;
  /** The API's messages by branding field (`name`, `primary_color`…), and about the whole object under `''`. */
  errors: Readonly<Record<string, string>>;
}

/** The API's messages about `body.branding.<field>`, by field. */
export function brandingErrors(details: readonly { path: string; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { path, message } of details) {
    const [where, object, field = ''] = path.split('.');
    if (where !== 'body' || object !== 'branding') continue;
    errors[field] = errors[field] ? `${errors[field]}; ${message}` : message;
  }
  return errors;
}

/** The application's own name, logo and colours on the sign-in pages of its sign-ins, with a preview over the global branding. */
export function BrandingFields({ branding, onChange, errors }: Props) {
  const global = useLoad(() => api<GlobalBranding>('GET', '/branding'), []);
  const set = (field: keyof Branding) => (value: string) => onChange({ ...branding, [field]: value });
  return (
    <div className="branding-layout">
      <div>
        {errors[''] && <p className="field-error">{errors['']}</p>}
        <TextField label="Name on the sign-in pages" value={branding.name} onChange={set('name')} error={errors.name}
          placeholder={global.data?.product_name}
          hint="The title and brand line of the pages of its sign-ins. Empty: the global product name." />
        <TextField label="Logo URL" type="url" value={branding.logo_uri} onChange={set('logo_uri')} error={errors.logo_uri}
          placeholder="https://app.example.com/logo.svg"
          hint="An https address of a PNG, JPEG, GIF, WebP or SVG image, fetched once when you save and served by Gatehouse; also the pages' icon. Empty: the global logo." />
        <ColorField label="Primary colour" value={branding.primary_color} onChange={set('primary_color')} error={errors.primary_color}
          fallback={global.data?.primary_color}
          hint="Buttons and focus rings, with white text on the buttons: 4.5:1 contrast at least. Empty: the global colour." />
        <ColorField label="Background colour" value={branding.background_color} onChange={set('background_color')} error={errors.background_color}
          hint="The pages' background; the text is black or white, whichever reads better. It needs a primary colour of the application's own, with 3:1 contrast against it. Empty: the browser's light or dark background." />
      </div>
      <Preview
        name={branding.name.trim() || global.data?.product_name || 'Gatehouse'}
        accent={hexColor.test(branding.primary_color) ? branding.primary_color : global.data?.primary_color}
        background={hexColor.test(branding.background_color) ? branding.background_color : undefined}
        // An address elsewhere is not shown before Gatehouse has fetched it: the console loads images from Gatehouse only.
        logoPath={branding.logo_uri.trim() ? undefined : global.data?.logo?.path}
      />
    </div>
  );
}

function ColorField({ label, value, onChange, error, hint, fallback }: {
  label: string; value: string; onChange: (value: string) => void; error: string | undefined; hint: string; fallback?: string | undefined;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => (
        <div className="color-row">
          <input type="color" aria-label={`Pick the ${label.toLowerCase()}`} value={hexColor.test(value) ? value : fallback ?? '#ffffff'} onChange={(e) => onChange(e.target.value)} />
          <input id={id} type="text" value={value} placeholder={fallback ?? '#rrggbb'} aria-describedby={describedBy} aria-invalid={invalid || undefined} spellCheck={false}
            onChange={(e) => onChange(e.target.value.trim())} />
        </div>
      )}
    </Field>
  );
}

/** A sign-in card with the values being edited, over the global ones, before they are saved. */
function Preview({ name, accent, background, logoPath }: { name: string; accent: string | undefined; background: string | undefined; logoPath: string | undefined }) {
  const [card, setCard] = useState<HTMLDivElement | null>(null);
  // Set through the CSS object model: the console's CSP allows no inline style attributes.
  useEffect(() => {
    if (accent) card?.style.setProperty('--preview-accent', accent);
    else card?.style.removeProperty('--preview-accent');
  }, [card, accent]);
  useEffect(() => {
    if (background) {
      card?.style.setProperty('--preview-background', background);
      card?.style.setProperty('--preview-text', textOn(background));
    } else {
      card?.style.removeProperty('--preview-background');
      card?.style.removeProperty('--preview-text');
    }
  }, [card, background]);
  return (
    <div className={background ? 'preview-card app-preview-own-background' : 'preview-card'} ref={setCard} aria-label="Sign-in page preview" data-testid="branding-preview">
      {logoPath && <img className="preview-logo" src={logoPath} alt={name} />}
      <p className="preview-title">Sign in to {name}</p>
      <div className="preview-input" />
      <div className="preview-input" />
      <div className="preview-button">Sign in</div>
    </div>
  );
}
