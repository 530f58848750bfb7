/**
 * The single module that imports oidc-provider; everything else in src/oidc goes through it,
 * so that an upgrade of the engine is reviewed in one place. What Gatehouse relies on beyond
 * the engine's documented interface is in engine-internals.ts.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

export { default as Provider, errors, interactionPolicy } from 'oidc-provider';
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

export type OidcProvider = InstanceType<typeof Provider>;

/**
 * Middleware Gatehouse puts in front of the engine's routes (engine-middleware.ts registers
 * them). ctx.oidc is there only once the engine routed the request, so before `next()` it is
 * undefined.
 */
export type EngineMiddleware = (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => Promise<unknown>;
