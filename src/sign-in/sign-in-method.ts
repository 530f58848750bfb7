import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PendingInteraction } from '../oidc/interactions.js';
import type { SafeHtml } from '../views/html.js';
import type { CompletedSignIn } from './complete-sign-in.js';

/**
 * A way to sign in: the password form now; upstream OpenID Connect providers and partners'
 * signed JWTs next. A method shows a section on the login page, answers routes under the
 * interaction (and, if the browser comes back from another site, at fixed URLs outside it; see
 * "How a sign-in method's callback finds its interaction" in docs/architecture.md), and ends
 * with `context.completeSignIn`.
 */
export interface SignInMethod {
  /** Names the method in its URLs, `/interaction/<uid>/<id>/…`: lower-case letters, digits and dashes. */
  readonly id: string;
  /** The method's part of the login page: a form, or a button that starts a detour; empty when it has nothing to offer. */
  loginSection(model: LoginSectionModel): SafeHtml | Promise<SafeHtml>;
  /**
   * Its section goes right under the first method's form, not under "Or sign in with": a way to
   * sign in as this person (a passkey), not through another site. Such a section may be hidden
   * until a script shows it, so it never stands alone under a heading of its own.
   */
  readonly besideFirst?: boolean;
  /**
   * Asked before the login page is shown: a method the authorization request chose (such as
   * `connection=`) answers instead, sending the browser on at once; undefined shows the page.
   */
  shortcut?(request: FastifyRequest, reply: FastifyReply, pending: PendingInteraction): Promise<FastifyReply | undefined>;
  /** Routes under `/interaction/:uid/<id>`, where the interaction cookie is sent; each declares `params: interactionParams`. */
  interactionRoutes(routes: SignInRoutes, context: SignInContext): void;
  /** Routes at fixed URLs outside any interaction, such as an upstream provider's redirect URI. */
  fixedRoutes?(routes: SignInRoutes, context: SignInContext): void;
}

/**
 * Home-realm discovery: the method that owns the typed identifier's realm (an email domain of
 * an upstream provider) sends the browser there and answers; undefined leaves it to the form.
 */
export type HomeRealm = (request: FastifyRequest, reply: FastifyReply, pending: PendingInteraction, identifier: string) => Promise<FastifyReply | undefined>;

/**
 * The Fastify scope a method's routes are registered in: encapsulated, one per method, with zod
 * route schemas (`schema: { params, body, querystring }`) that validate before the handler runs.
 */
export type SignInRoutes = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What the login page tells each section. */
export interface LoginSectionModel {
  /** `/interaction/<uid>/<id>`: the method's own routes, where its forms post. */
  basePath: string;
  /** Every form posted to the interaction sends it as the field `csrf`. */
  csrfToken: string;
  /** The user name typed in the last attempt, else the application's login_hint. */
  username: string | undefined;
  /** The id of the page's error message when one is shown, for aria-describedby. */
  errorId: string | undefined;
}

/** A refused attempt: the login page is shown again with this status and message above every section. */
export interface LoginFailure {
  status: number;
  message: string;
  /** What the user typed, filled in again. */
  username?: string;
}

/** What the interaction routes lend every method. */
export interface SignInContext {
  /**
   * The interaction `uid` names, if this browser holds its cookie; otherwise interaction_expired.
   * For a form post it was loaded, and the post's CSRF token checked, before the handler ran.
   */
  load(request: FastifyRequest, reply: FastifyReply, uid: string): Promise<PendingInteraction>;
  /** Shows the login page, with every method's section, and the failure if there is one. */
  showLoginPage(reply: FastifyReply, pending: PendingInteraction, failure?: LoginFailure): Promise<FastifyReply>;
  /**
   * The last step of every method: resolves the user, finishes the login prompt with the
   * method's amr and sends the browser back to the engine (303); when no enabled user results,
   * shows the login page again (403).
   */
  completeSignIn(request: FastifyRequest, reply: FastifyReply, signIn: CompletedSignIn): Promise<FastifyReply>;
}
