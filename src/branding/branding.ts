import { defaults } from '../config/defaults.js';
import type { BrandingRow } from '../db/queries/branding.js';
import type { LogoType } from './image-type.js';

/** The logo as Gatehouse stores and serves it. */
export interface BrandingLogo {
  /** A short hash of the bytes: the version in its URL. */
  hash: string;
  contentType: LogoType;
  /** Where it was fetched from, once, when an administrator set it. */
  sourceUrl: string;
}

/** What the sign-in pages show: the product's name, its colour, its logo; an application's own over them while it is served. */
export interface Branding {
  /** The product's name (the global branding's): what emails and authenticator apps are told. */
  productName: string;
  /** The name the pages show in their title and brand line: the application's own, else the product's. */
  displayName: string;
  /** `#rrggbb`, lower-case: the stylesheet's accent (buttons, focus rings). */
  primaryColor: string;
  /** `#rrggbb`, lower-case, the pages' background; null for the browser's own, light or dark. */
  backgroundColor: string | null;
  logo: BrandingLogo | null;
  /** Where the pages' icon is served: the application's logo, else /favicon.ico (favicon.ts). */
  iconPath: string;
  /** The application whose own branding is shown over the global one; null outside an application's sign-in. */
  clientId: string | null;
  /** Epoch milliseconds of the last change of the global branding; null while nothing was ever set. */
  updatedAt: number | null;
}

/** Where browsers look for a site's icon; the pages link it with a version (favicon.ts). */
export const faviconPath = '/favicon.ico';

/** The global icon's version: the logo's, or, without one, the colour that Gatehouse's own icon is drawn in. */
export const globalIconVersion = (logo: Pick<BrandingLogo, 'hash'> | null, primaryColor: string): string => (logo ? logo.hash : primaryColor.slice(1));

const globalIconPath = (logo: Pick<BrandingLogo, 'hash'> | null, primaryColor: string): string => `${faviconPath}?v=${globalIconVersion(logo, primaryColor)}`;

/** Before any change, and whenever the database cannot say. */
export const defaultBranding: Branding = {
  productName: defaults.branding.productName,
  displayName: defaults.branding.productName,
  primaryColor: defaults.branding.primaryColor,
  backgroundColor: null,
  logo: null,
  iconPath: globalIconPath(null, defaults.branding.primaryColor),
  clientId: null,
  updatedAt: null,
};

/** Where Gatehouse serves a logo: the hash changes with the bytes, so the URL may be cached for good. */
export const logoPathPrefix = '/branding/logo/';

export const logoPath = (logo: Pick<BrandingLogo, 'hash'>): string => `${logoPathPrefix}${logo.hash}`;

/** The stored row, its unset columns taking the defaults. */
export function brandingOf(row: BrandingRow): Branding {
  const logo = row.logo_hash && row.logo_content_type && row.logo_source_url
    ? { hash: row.logo_hash, contentType: row.logo_content_type as LogoType, sourceUrl: row.logo_source_url }
    : null;
  const productName = row.product_name ?? defaultBranding.productName;
  const primaryColor = row.primary_color ?? defaultBranding.primaryColor;
  return {
    productName,
    displayName: productName,
    primaryColor,
    backgroundColor: null,
    logo,
    iconPath: globalIconPath(logo, primaryColor),
    clientId: null,
    updatedAt: row.updated_at === null ? null : Number(row.updated_at),
  };
}
