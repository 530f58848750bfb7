/**
 * The single module that imports oidc-provider; everything else in src/oidc goes through it,
 * so that an upgrade of the engine is reviewed in one place.
 */
export { default as Provider, errors } from 'oidc-provider';
export type {
  Adapter,
  AdapterPayload,
  Configuration,
  KoaContextWithOIDC,
  FindAccount,
  Account,
  ClientMetadata,
  InteractionResults,
} from 'oidc-provider';
