import { availableParallelism } from 'node:os';

/**
 * Every default Gatehouse uses, each with the reason it was chosen.
 * Durations are in seconds unless the name says otherwise.
 */
export const defaults = {
  /** The port most Node services use; change it with PORT. */
  port: 3000,
  /** Listen on every interface: an identity server exists to be reached by browsers and apps. */
  host: '0.0.0.0',
  /** Embedded mode keeps its SQLite file and generated secret next to where it was started. */
  dataDir: './data',
  /** `info` prints the start banner and one line per request, nothing secret. */
  logLevel: 'info',
  /** Server processes on PostgreSQL (`gatehouse serve --workers`, GATEHOUSE_WORKERS): one per core, since a Node process runs its JavaScript (hashing, signing) on one. On SQLite the default is 1 (src/config/load.ts). */
  workers: availableParallelism(),
  /** Each worker holds its own database pool (postgresPoolSize connections): more than this is a typo, not a machine. */
  maxWorkers: 64,
  /** Stopping (SIGTERM, SIGINT): docker stop and Kubernetes send SIGKILL 10 s (30 s) after SIGTERM, so requests still unanswered after 8 s are given up and the process exits 1 on its own, with a log line, before it is killed. */
  drainSeconds: 8,
  /** A crashed worker is started again; how long the supervisor waits after its first quick crash, doubling with each next one. */
  workerRestart: {
    firstDelayMilliseconds: 1000,
    /** The longest wait: a worker that keeps crashing costs a start every half minute, not a core. */
    maxDelayMilliseconds: 30_000,
    /** A worker that ran this long before it crashed did not crash quickly: the next restart is immediate again. */
    stableSeconds: 60,
    /** Workers that failed to start this many times in a row will not start (a database gone, a file unreadable): the supervisor stops, exit 1. */
    maxStartFailures: 5,
  },
  /**
   * The cookie that remembers a language picked with the pages' switcher (docs/localization.md):
   * a year, since a person's language rarely changes; HttpOnly, since no script reads it; Lax, so
   * that it comes along when an application sends the browser here.
   */
  languageCookie: { name: 'gatehouse_lang', maxAgeSeconds: 365 * 24 * 60 * 60 },
  /** Second factors (docs/mfa.md). */
  mfa: {
    /** Those who set up a factor are asked for it; nobody is made to set one up until an administrator says so. */
    policy: 'optional' as 'off' | 'optional' | 'required',
    /** Wrong second factors that end one sign-in (as Keycloak's OTP form): a guesser must start over, and the account's own counter keeps the total. */
    failuresPerSignIn: 5,
    /** Removing a factor or making new recovery codes needs a sign-in this recent (Keycloak's and OWASP's five minutes), else one more first. */
    freshSignInSeconds: 300,
    /** A WebAuthn challenge may be answered for 5 minutes: time to find a security key, short enough that a stolen one is soon worthless. */
    webauthnChallengeSeconds: 5 * 60,
  },
  /** The links sent by email (docs/account.md): verifying an address, confirming a new one, resetting a password. */
  recovery: {
    /** A verification link lasts a day: long enough for a message read tomorrow morning, short enough that an old mailbox leak is stale. */
    verifyLinkSeconds: 24 * 60 * 60,
    /** A reset link lasts 30 minutes (OWASP's forgot-password advice): it is a password for whoever reads the mailbox. */
    resetLinkSeconds: 30 * 60,
    /** Verification and change links an account may ask for per window: enough for a typo and a resend, too few to flood a mailbox. */
    linksPerAccount: 5,
    /** Reset links one account is sent per window, whoever asks: a stranger cannot fill its owner's mailbox. */
    resetsPerAccount: 3,
    /** Forgot-password requests one client address may make per window, known addresses or not: slows walking through a list. */
    resetsPerAddress: 20,
    /** The window of the three limits above. */
    limitWindowSeconds: 60 * 60,
  },
  /** Email delivery (docs/email.md): the SMTP settings are the operator's; these are how the outbox sends. */
  email: {
    /** How often each instance looks for messages due: a reset link should arrive within seconds, and the query reads an index. */
    sendIntervalSeconds: 5,
    /** Messages one run claims at most, so that one instance does not hold a backlog the others could share. */
    batchSize: 20,
    /** A claimed message is another instance's to retry after this: longer than a send may last (sendDeadlineSeconds), so that a slow send is not sent twice. */
    claimSeconds: 120,
    /** A send is cut off after this, whatever the server trickles (the timeouts below are per step and per silence): well under claimSeconds, so that no claim runs out mid-send. */
    sendDeadlineSeconds: 90,
    /** The first retry waits half a minute (a mail server restarting), each next one twice as long. */
    retryFirstSeconds: 30,
    /** Retries wait at most an hour: a mail server down all night is caught within the hour once it is back. */
    retryMaxSeconds: 60 * 60,
    /** Tries before a message is given up (failed): with the waits above about three hours, after which a reset link would have expired anyway. */
    maxAttempts: 10,
    /** Opening the TCP connection: a mail server answers in milliseconds, ten seconds tolerate a slow network. */
    connectionTimeoutMilliseconds: 10_000,
    /** Waiting for the server's greeting once connected (some servers delay it on purpose against spammers). */
    greetingTimeoutMilliseconds: 30_000,
    /** Silence on an open connection before giving up; a server answering slowly but steadily is bounded by sendDeadlineSeconds instead. */
    socketTimeoutMilliseconds: 60_000,
    /** The SMTP error kept on a message: enough for a server's reply, bounded whatever it sends. */
    maxErrorChars: 500,
    /** Sent and failed messages are listed for administrators this long, then removed by the periodic sweep: a month covers "I never got the mail" questions. */
    keepDays: 30,
    /** How long `gatehouse mail test` waits for a message another instance claimed first: longer than claimSeconds, after which the claim is over one way or another. */
    testWaitSeconds: 150,
    /** How often `gatehouse mail test` reads that message's state meanwhile: a person waits at the terminal, and the read is one row by key. */
    testPollMilliseconds: 250,
  },
  /** The admin console (docs/console.md). */
  console: {
    /** Where Gatehouse serves it; its callback and the engine's client for it derive from this. */
    path: '/console',
    /** Its access tokens can change everything, so they live minutes, not the hour of an application's; the console renews them silently with its rotating refresh token. */
    accessTokenSeconds: 10 * 60,
    /** Hashed file names change with their content, so a browser may keep them for a year. */
    assetMaxAgeSeconds: 365 * 24 * 60 * 60,
  },
  /** The oidc-provider endpoints live under this path so Gatehouse's own routes stay apart. */
  oidcMountPath: '/oidc',
  /** Expired codes, tokens, sessions and counters are removed this often. */
  sweepIntervalSeconds: 60,
  /** How often each instance asks the database whether scopes or keys changed; a change reaches every instance within this. */
  engineCheckSeconds: 1,
  /** Applications' metadata each process keeps in memory for the protocol endpoints, dropped on every change (src/applications/application-cache.ts): hundreds of applications is a large company; beyond this the least used are read from the database again. */
  applicationCacheSize: 1000,
  /** SQLite statements each process keeps prepared, by SQL text: Gatehouse's queries are a few dozen shapes; the bound only matters for shapes that vary (batches of several rows). */
  sqliteStatementCacheSize: 200,
  /** On PostgreSQL a lost connection listening for other instances' changes is opened again after this, doubling each failure: soon after a restart, without hammering a server that stays down. */
  changeListenerRetryMilliseconds: 1000,
  /** The longest wait between two tries; the engine check covers the gap meanwhile. */
  changeListenerRetryMaxMilliseconds: 30_000,
  /** Bodies of Gatehouse's own forms are small; anything larger is refused (oidc-provider caps its own at 56 KiB). */
  bodyLimitBytes: 64 * 1024,
  /** oidc-provider's own cap on the bodies it parses; larger declared bodies get a 413 first. */
  oidcBodyLimitBytes: 56 * 1024,
  /** The first administrator's user name on a fresh installation. */
  adminUsername: 'admin',
  /** Members are Gatehouse's human administrators (issue 17); no connection's claims grant or take this group. */
  administratorsGroup: 'gatehouse-admins',
  /** A GATEHOUSE_SECRET shorter than this cannot be a random 256-bit value. */
  minimumSecretLength: 32,
  /** The name of the generated master secret file in embedded mode. */
  secretFileName: 'secret.key',
  /** The name of the SQLite file in the data directory. */
  sqliteFileName: 'gatehouse.sqlite',
  /** PostgreSQL connections per instance: a few requests at once per core, well under the server's default 100. */
  postgresPoolSize: 10,
  /** How long a request waits for a PostgreSQL connection, and SQLite for its write lock, before failing. */
  databaseWaitMilliseconds: 5000,
  /** Retry-After while the database cannot be reached: a restart or failover takes seconds, and asking sooner only adds load. */
  storageRetryAfterSeconds: 5,
  /** NIST SP 800-57: 2048-bit RSA is acceptable through 2030 and keeps signing fast. */
  rsaModulusLength: 2048,
  /** The stylesheet asked for without the version the pages link (which is kept for good: branding.versionedMaxAgeSeconds) changes with a release or the branding's colour: an hour of caching spares a request per page. */
  stylesheetMaxAgeSeconds: 60 * 60,

  /** Token lifetimes: short access tokens limit the damage of a leaked one (RFC 9700 §4.14). */
  ttl: {
    accessToken: 60 * 60,
    authorizationCode: 60,
    clientCredentials: 10 * 60,
    idToken: 60 * 60,
    refreshToken: 14 * 24 * 60 * 60,
    interaction: 60 * 60,
    session: 14 * 24 * 60 * 60,
    grant: 14 * 24 * 60 * 60,
  },
  /** API resources (docs/api-resources.md): what a resource's declaration leaves out, and the bounds of its token lifetime. */
  resources: {
    /** RFC 9068 tokens: the API verifies them with the published keys, no call back to Gatehouse per request. */
    accessTokenFormat: 'jwt',
    /** Every JWT library verifies RS256; it is also Gatehouse's default id_token algorithm. */
    signingAlg: 'RS256',
    /** Ten minutes, as client credentials tokens: a JWT access token cannot be revoked, so its lifetime is what bounds a leaked one. */
    accessTokenTtlSeconds: 10 * 60,
    /** A minute: shorter only sends applications back to the token endpoint while clocks still disagree by seconds. */
    minAccessTokenTtlSeconds: 60,
    /** A day at the most: beyond that an irrevocable token outlives most reasons to take access away. */
    maxAccessTokenTtlSeconds: 24 * 60 * 60,
  },
  /** Key rotation; see docs/operations.md#key-rotation for the whole timeline. */
  keys: {
    /** A day: a new key must be in every relying party's cached JWKS before it signs (jose and jwks-rsa keep it 10 minutes, Microsoft.IdentityModel 12 hours, Keycloak's adapters a day). */
    publishBeforeUseSeconds: 24 * 60 * 60,
    /** A retired key outlives the last use of what it signed by this: relying parties' clock leeway (minutes), the rotation step's interval, an instance whose engine switched late. */
    retiredMarginSeconds: 60 * 60,
    /** How often every instance applies the rotation steps that are due: a minute, as the sweep; with engineCheckSeconds, the bound within which every instance switches. */
    stepIntervalSeconds: 60,
  },

  /** The audit log (docs/audit.md); only the retention is a setting of the configuration file (`audit:`). */
  audit: {
    /** Okta keeps its System Log 90 days: long enough to look into an incident noticed weeks later, short enough that the table stays bounded; export it for longer. */
    retentionDays: 90,
    /** An event waits at most this long in memory before it is written: a fifth of a second keeps requests off the database and the log current. */
    flushMilliseconds: 200,
    /** Events written by one insert; a burst this large is written at once instead of waiting for the interval. */
    batchEvents: 500,
    /**
     * Events held while the database cannot be written; beyond this the oldest are dropped, with one warning, rather than the server's memory growing without bound.
     * A typical event is a few hundred bytes (about 10 MB in all); the caps below bound any one at about 4 K characters (details 2 KiB, six text columns of 256), so 20,000 take at most about 80 MB (160 MB if every character needs two bytes).
     */
    maxQueuedEvents: 20_000,
    /** Characters kept of any text an event carries (each column, each string in its details): ids, reasons and messages are far shorter, and what comes from outside (a partner's token header, a URL) cannot make a row, the queue or the table grow. */
    maxTextChars: 256,
    /** Bytes of serialised details kept: a management change's before and after fit; what does not is left out, and the details say `truncated: true`. */
    maxDetailsBytes: 2 * 1024,
    /** How soon a failed write is tried again: a database coming back is found within a second, without a write attempt per request meanwhile. */
    retryMilliseconds: 1000,
    /** Rows per insert: 1,000 rows of 12 columns are 12,000 parameters, well under SQLite's 32,766 and PostgreSQL's 65,535. */
    rowsPerInsert: 1000,
    /** Rows per delete when pruning, so that a long backlog never holds SQLite's write lock for long; requests get a turn between deletes. */
    rowsPerPrune: 5000,
    /** Rows one sweep (every minute) prunes at the most, so a backlog (a first start after long retention, a shortened retention_days) is worked off over several sweeps instead of holding the event loop and the write lock for one long run. 50,000 a minute outpaces any real event rate. */
    maxPrunedPerSweep: 50_000,
  },

  /** Characters one path segment may have once decoded, as the router counts them: a group name (200), a scope name or an identity id (base64url of an issuer and a subject) fits, percent-encoded too. */
  maxPathParamLength: 2048,

  /** The management API (docs/management-api.md). */
  api: {
    /** A page a console shows at once without scrolling far; a caller asks for more with `limit`. */
    pageSize: 50,
    /** Bounds what one request reads and serialises, whatever `limit` asks for. */
    maxPageSize: 200,
  },

  /** OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
  argon2: { memoryCost: 19456, timeCost: 2, parallelism: 1 },

  /**
   * What a hash from another system (the configuration file's password_hash, gatehouse users
   * import) may be; src/users/imported-hash.ts. Every sign-in attempt as the user, wrong
   * passwords and anyone's included, verifies at the cost the hash states until a right one
   * replaces it, so the costs are capped at what each attempt can afford.
   */
  importedHash: {
    /** bcryptjs takes about 2 s at 14 here; systems use 10 to 12, and 31 would take days per attempt. */
    bcryptCostMax: 14,
    /** 256 MiB, about 1.5 s per attempt; OWASP's argon2id is 19 MiB, and m=4194304 would take 4 GiB per attempt. */
    argon2MemoryKibMax: 262_144,
    /** Ten passes over that memory at the most; systems use 1 to 4 (OWASP: 2 with 19 MiB, 1 with 46 MiB). */
    argon2IterationsMax: 10,
    /** Lanes run on threads; 16 is more than any server here has to spare for one attempt, systems use 1 to 8. */
    argon2ParallelismMax: 16,
    /** Argon2's own minimum salt (RFC 9106 §3.1), which @node-rs/argon2 enforces: a shorter one is a salt cut short. */
    argon2SaltBytesMin: 8,
    /** Libraries write 16 bytes or more (32 by default, RFC 9106 §4); a shorter hash is almost surely one cut short, which would never verify. */
    argon2HashBytesMin: 16,
  },

  /** Sign-in protection; see docs/security.md for the reasoning behind each value. */
  security: {
    /** Failures within the window that lock an account (Keycloak and Logto use 5 to 10). */
    lockoutThreshold: 5,
    /** How far back failures count towards a lock. */
    lockoutWindowSeconds: 15 * 60,
    /** The first lock is short so that an attacker cannot keep a victim out for long. */
    lockoutBaseSeconds: 60,
    /** Each further lock doubles, up to this; also how long the lock history is kept after a lock ends. */
    lockoutMaxSeconds: 15 * 60,
    /** Distinct identities that may fail sign-in from one address per window before 429: an office's typing mistakes stay far below, a spray does not (Auth0 counts distinct user names per address too). */
    ipThreshold: 20,
    /** The window of the address threshold, and the first block of an address: an hour, so that a slow spray is counted as well as a fast one. */
    ipWindowSeconds: 60 * 60,
    /** Blocks double (1, 2, 4 h) up to this: a persistent source ends up with 20 identities every 4 hours, 120 a day (Auth0 allows 100); also how long the block history is kept. */
    ipMaxBlockSeconds: 4 * 60 * 60,
    /** No address is exempt from the address throttles unless the operator names it. */
    ipAllowlist: [],
    /** Failed authentications of one application from one address per window before 429: a wrong secret is caught within a minute, and only that application is stopped. */
    clientAuthThreshold: 20,
    /** The window of the client authentication threshold, and the first block of an application at an address. */
    clientAuthWindowSeconds: 60,
    /** Blocks double up to an hour: a misconfigured application that keeps retrying ends up with 20 tries an hour. */
    clientAuthMaxBlockSeconds: 60 * 60,
    /** NIST SP 800-63B §3.1.1.2: at least 8, we ask 12 since nothing else is required. */
    passwordMinLength: 12,
    /** Long enough for passphrases, short enough that hashing cannot be used to exhaust the CPU. */
    passwordMaxLength: 256,
  },
  /** What a connection (an upstream identity provider) declares when its entry leaves a field out. */
  connections: {
    /** OpenID Connect Core §5.4: the scopes every provider supports that carry a name and an email. */
    scopes: ['openid', 'profile', 'email'],
    /** OpenID Connect Core §5.1's claim for the name a user goes by; Federated Directory maps the same one. */
    usernameClaim: 'preferred_username',
    /** RFC 6749 §2.3.1: every server must accept it; OneLogin's "POST" is client_secret_post. */
    tokenEndpointAuthMethod: 'client_secret_basic',
    /** Just-in-time accounts: the upstream already decides who may sign in (seed 000). */
    provisioning: 'create',
    /** The upstream is where people are managed, so names, emails and groups follow it. */
    updateProfile: 'on_login',
    /** The user typed the address already; asking again upstream only slows them down. */
    forwardLoginHint: true,
    /** An upstream's own MFA counts only when the administrator says the upstream is trusted to report it truthfully. */
    trustUpstreamMfa: false,
    /** A declared connection is meant to be used. */
    enabled: true,
    /** A discovery document is read again after this; providers change endpoints rarely, and keys are refetched on their own (docs/configuration.md). */
    metadataCacheSeconds: 10 * 60,
    /** How long a browser may stay at the upstream: long enough for a password and a second factor there, short enough that a leaked state is soon worth nothing. */
    detourSeconds: 10 * 60,
    /** How long Test connection's sign-in link works: long enough to open it after the test, short enough that one left in a terminal is soon worthless. */
    testLinkSeconds: 15 * 60,
  },
  /** What a partner's signed-JWT connection (`type: jwt`) declares when its entry leaves a field out; see docs/connections/jwt-sso.md. */
  jwtSso: {
    /** A token without an id cannot be told from its replay; the seed's product makes this optional, Gatehouse does not by default. */
    requireJti: true,
    /** Five minutes: a token is minted for one redirect, which takes seconds; anything older is more likely captured than late. */
    maxTokenAgeSeconds: 5 * 60,
    /** An hour at the most: a longer-lived sign-in token is a password in a URL. */
    maxTokenAgeLimitSeconds: 60 * 60,
    /** Half a minute covers clocks that NTP keeps in step, and no more. */
    clockSkewSeconds: 30,
    /** Five minutes at the most: beyond that the partner's clock is wrong, not skewed. */
    clockSkewLimitSeconds: 5 * 60,
    /** Just-in-time accounts, as the seed's product creates them: the partner decides who may sign in. */
    provisioning: 'create',
    /** A sign-in token carries a handful of claims; 8 KiB is far above any real one and bounds what is parsed and verified. */
    maxTokenBytes: 8 * 1024,
    /** What a key set (jwks_uri) verifies when the declaration names no algorithms: the asymmetric ones partners' libraries use. */
    jwksAlgorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
    /** A partner's key set is read again after this, and at once (but at most every half minute) when a token names an unknown kid. */
    jwksCacheSeconds: 10 * 60,
    /** A seed-style readable name for a person the token names no name for: "SsoVisitor" and this many random characters. */
    visitorSuffixLength: 6,
  },
  /** The sign-in pages' branding (docs/management-api.md#branding), until an administrator sets it. */
  branding: {
    /** The pages are Gatehouse's until someone names the product people sign in to. */
    productName: 'Gatehouse',
    /** Blue 700: 6.7:1 against the buttons' white text, above the minimum below. */
    primaryColor: '#1d4ed8',
    /** WCAG 2.2 AA (1.4.3) for normal text: the buttons' white labels must stay readable on the colour. */
    minContrastRatio: 4.5,
    /** An SVG logo is a few KiB and a PNG some tens; every first visit to a page loads it, and it is stored in the database, so a photograph's megabytes are refused. */
    maxLogoBytes: 256 * 1024,
    /** The logo's and the stylesheet's URLs change with their content, so a browser may keep them for a year. */
    versionedMaxAgeSeconds: 365 * 24 * 60 * 60,
    /** Stylesheets (one per colour pair) and logos' icon checks each process keeps: the global colours and the applications being signed in to now; more are built or checked again. */
    memoSize: 64,
  },
  /** Outbound requests (upstream identity providers, partners' key sets): see src/outbound/safe-fetch.ts. */
  outbound: {
    /** Identity providers answer in well under a second; ten seconds tolerate a slow one without holding a sign-in for long. */
    timeoutMilliseconds: 10_000,
    /** A discovery document or key set is a few KiB; 1 MiB is far above any real one and caps what a hostile server can make Gatehouse buffer. */
    maxResponseBytes: 1024 * 1024,
  },
  /** Metrics and request ids (docs/operations.md#metrics). */
  observability: {
    /** An X-Request-Id from a trusted proxy longer than this is not an id (nginx's $request_id is 32, a UUID 36): a fresh one is made instead. */
    requestIdMaxLength: 64,
    /** Latency buckets in seconds: token grants take milliseconds, a password sign-in (argon2id) tens of them, an upstream's answer up to the outbound timeout. */
    latencyBucketsSeconds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    /** With workers, how long the supervisor waits for each one's metrics before a scrape goes on without it: a busy worker's event loop comes round in far less, and it stays well under Prometheus's 10 s scrape timeout. */
    workerMetricsMilliseconds: 2000,
  },
  /** A new application's protocol settings its declaration leaves out: code flow only (RFC 9700 §2.1.2), the auth method every server supports (RFC 6749 §2.3.1), OIDC's default id_token alg. */
  newApplication: {
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  },
} as const;
