import type { ApplicationLogoRow } from '../db/queries/application-branding.js';
import { logoPath, type Branding } from './branding.js';
import type { ApplicationBrandingInput } from './application-branding-schema.js';
import type { LogoType } from './image-type.js';

/**
 * The pages' branding while they serve an application's sign-in: each of the application's own
 * values over the global one, which shows wherever the application sets none. Its logo (the one
 * fetched for its `logo_uri`) is the pages' icon too when it fits as one (`logoIsIcon`, by
 * favicon.ts's rule, as the global logo), else the global icon stays.
 */
export function withApplicationBranding(
  global: Branding, clientId: string, own: ApplicationBrandingInput, logo: ApplicationLogoRow | undefined, logoIsIcon: boolean,
): Branding {
  const ownLogo = logo ? { hash: logo.logo_hash, contentType: logo.logo_content_type as LogoType, sourceUrl: logo.logo_source_url } : null;
  return {
    ...global,
    displayName: own.name ?? global.displayName,
    primaryColor: own.primary_color?.toLowerCase() ?? global.primaryColor,
    backgroundColor: own.background_color?.toLowerCase() ?? global.backgroundColor,
    logo: ownLogo ?? global.logo,
    iconPath: ownLogo && logoIsIcon ? logoPath(ownLogo) : global.iconPath,
    clientId,
  };
}
