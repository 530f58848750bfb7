import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { EngineKeys } from '../keys/key-service.js';
import type { ApiResource } from '../resources/resource-service.js';
import type { CustomScope } from '../scopes/scope-service.js';
import type { OidcProvider } from './engine.js';

/** What the protocol engine is built from, read from the database at one version. */
export interface EngineState extends EngineKeys {
  version: number;
  customScopes: CustomScope[];
  /** The API resources access tokens are issued for (RFC 8707), in identifier order. */
  resources: ApiResource[];
}

export interface EngineSource {
  /** The version alone: one cheap read, made on every check. */
  version(): Promise<number>;
  /** The version first, then the state: a change committed in between only makes the next check rebuild again. */
  load(): Promise<EngineState>;
}

export interface EngineHolder {
  /** The engine to hand a request to now; a request keeps the engine it started with. */
  current(): OidcProvider;
  state(): EngineState;
  /** A request handler that always dispatches to the current engine. */
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  /** Rebuilds when the stored version moved; true when it did. */
  refresh(): Promise<boolean>;
  /** Another instance said the stored state moved (a PostgreSQL notice): checks now instead of at the next interval. */
  changed(): void;
  /** Stops checking and waits for a rebuild under way, so that nothing queries a closed database. */
  stop(): Promise<void>;
}

/**
 * oidc-provider takes its scopes, claims and keys at construction, so the engine is rebuilt from
 * stored state and swapped in whenever the state's version in the database moves: every
 * instance sharing the database follows a change (a scope or API resource created through the CLI or the API, a new key)
 * within one check interval, without a restart, and at once when told of it (`changed`). Sessions, grants and tokens live in the
 * database, so a new engine carries on where the old one stopped. A rebuild that fails keeps
 * the current engine and is tried again at the next check.
 */
export async function createEngineHolder(deps: {
  source: EngineSource;
  build: (state: EngineState) => OidcProvider;
  checkEverySeconds: number;
  logger: Logger;
}): Promise<EngineHolder> {
  let state = await deps.source.load();
  let engine = deps.build(state);
  let handler = engine.callback();
  let refreshing: Promise<boolean> | undefined;
  let checkAgain = false;
  let failing = false;
  let stopped = false;

  async function rebuildIfMoved(): Promise<boolean> {
    if ((await deps.source.version()) === state.version) return false;
    const next = await deps.source.load();
    const built = deps.build(next);
    [state, engine, handler] = [next, built, built.callback()];
    deps.logger.info({ version: next.version }, 'protocol engine rebuilt from changed configuration');
    return true;
  }

  function refresh(): Promise<boolean> {
    // One rebuild at a time: a check that finds one running waits for it.
    refreshing ??= rebuildIfMoved().finally(() => {
      refreshing = undefined;
      if (checkAgain && !stopped) check();
    });
    return refreshing;
  }

  function check(): void {
    checkAgain = false;
    refresh().then(
      () => {
        if (failing) deps.logger.info('checking the engine configuration works again');
        failing = false;
      },
      (error: unknown) => {
        // Once per outage, not once a second on every instance.
        if (!failing) deps.logger.warn({ err: error }, 'checking the engine configuration failed; the current engine stays');
        failing = true;
      },
    );
  }

  const timer = setInterval(check, deps.checkEverySeconds * 1000);
  timer.unref();

  return {
    current: () => engine,
    state: () => state,
    callback: () => (req, res) => handler(req, res),
    refresh,
    changed() {
      if (stopped) return;
      // A check under way may have read the version before the change committed: one more after it.
      if (refreshing) checkAgain = true;
      else check();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await refreshing?.catch(() => {});
    },
  };
}
