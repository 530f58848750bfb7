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

/** What the sign-in pages show: the product's name, its colour, its logo. */
export interface Branding {
  productName: string;
  /** `#rrggbb`, lower-case: the stylesheet's accent (buttons, focus rings). */
  primaryColor: string;
  logo: BrandingLogo | null;
  /** Epoch milliseconds of the last change; null while nothing was ever set. */
  updatedAt: number | null;
}

/** Before any change, and whenever the database cannot say. */
export const defaultBranding: Branding = {
  productName: defaults.branding.productName,
  primaryColor: defaults.branding.primaryColor,
  logo: null,
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
  return {
    productName: row.product_name ?? defaultBranding.productName,
    primaryColor: row.primary_color ?? defaultBranding.primaryColor,
    logo,
    updatedAt: row.updated_at === null ? null : Number(row.updated_at),
  };
}
