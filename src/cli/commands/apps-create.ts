import { applicationInputSchema, grantTypes, responseTypes, tokenEndpointAuthMethods } from '../../applications/application-schema.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { listOption, stringOption, UsageError, type Command } from './command.js';
import { invalidInput } from './invalid-input.js';

/** Each client metadata field the options give, by its name in the configuration file. */
const optionOf: Record<string, string> = {
  client_name: 'name',
  redirect_uris: 'redirect-uri',
  post_logout_redirect_uris: 'post-logout-redirect-uri',
  grant_types: 'grant-type',
  response_types: 'response-type',
  token_endpoint_auth_method: 'auth-method',
  scope: 'scope',
  application_type: 'application-type',
};

export const appsCreate: Command = {
  words: ['apps', 'create'],
  arguments: ['<client_id>'],
  argumentHelp: { '<client_id>': 'the application\'s client_id: 1 to 128 letters, digits or . _ ~ -' },
  summary: 'register an application (OIDC client); a generated client secret is printed once',
  details: 'The options are the client metadata of the configuration file\'s applications, checked by the same rules '
    + 'and by the protocol engine\'s, as a start checks the file; what is left out takes the same defaults (the '
    + 'authorization_code grant, response type code, client_secret_basic). An application that authenticates with a '
    + 'secret gets a generated one, printed once: it is stored sealed and cannot be shown again. Running servers '
    + 'serve the application at once.',
  options: [
    { name: 'name', value: '<name>', description: 'client_name: the name the consent page shows' },
    { name: 'redirect-uri', value: '<uri>', repeatable: true, description: 'redirect_uris: where authorization responses may go, matched exactly' },
    { name: 'post-logout-redirect-uri', value: '<uri>', repeatable: true, description: 'post_logout_redirect_uris: where the browser may go after logout' },
    { name: 'grant-type', value: '<type>', repeatable: true, description: `grant_types: ${grantTypes.join(', ')} (default authorization_code)` },
    { name: 'response-type', value: '<type>', repeatable: true, description: `response_types: ${responseTypes.map((type) => `"${type}"`).join(', ')} (default code with authorization_code, else none)` },
    { name: 'auth-method', value: '<method>', description: `token_endpoint_auth_method: ${tokenEndpointAuthMethods.join(', ')} (default client_secret_basic)` },
    { name: 'public', description: 'a public client (a browser or mobile app): token_endpoint_auth_method none, no secret, PKCE required' },
    { name: 'scope', value: '<scopes>', description: 'scope: the space-separated scopes it may ask for (default: any it is offered)' },
    { name: 'application-type', value: '<type>', description: 'application_type: web (default) or native (redirect URIs of a custom scheme or on localhost)' },
  ],
  examples: [
    'gatehouse apps create notes --name "Notes" --redirect-uri https://notes.example.com/callback --grant-type authorization_code --grant-type refresh_token',
    'gatehouse apps create spa --public --redirect-uri https://spa.example.com/callback --post-logout-redirect-uri https://spa.example.com/',
    'gatehouse apps create reports --grant-type client_credentials --scope reports:read',
  ],
  checkLine(_args, options) {
    const authMethod = stringOption(options, 'auth-method');
    if (options.public && authMethod !== undefined && authMethod !== 'none') {
      throw new UsageError(`--public and --auth-method ${authMethod} contradict each other: a public client authenticates with none`);
    }
  },
  async run([clientId], context, io, options) {
    const authMethod = stringOption(options, 'auth-method');
    const given: Record<string, unknown> = {
      client_id: clientId,
      client_name: stringOption(options, 'name'),
      redirect_uris: listOption(options, 'redirect-uri'),
      post_logout_redirect_uris: listOption(options, 'post-logout-redirect-uri'),
      grant_types: options['grant-type'] ? listOption(options, 'grant-type') : undefined,
      response_types: options['response-type'] ? listOption(options, 'response-type') : undefined,
      token_endpoint_auth_method: options.public ? 'none' : authMethod,
      scope: stringOption(options, 'scope'),
      application_type: stringOption(options, 'application-type'),
    };
    const parsed = applicationInputSchema.safeParse(Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)));
    const optionNames = options.public ? { ...optionOf, token_endpoint_auth_method: 'public' } : optionOf;
    if (!parsed.success) throw invalidInput(`application "${clientId}"`, parsed.error.issues, optionNames);
    if (context.declarations.applications.some((application) => application.client_id === clientId)) {
      throw new GatehouseError('conflict', `application "${clientId}" is declared in ${context.configFile}, and the next start would make it the file's: create it there, or choose another client_id`);
    }
    // Named before the engine's checks, which a bare `apps create <taken id>` would fail first.
    if (await context.services.applications.find(clientId!)) throw new GatehouseError('conflict', `an application "${clientId}" exists already`);
    // Loaded when needed: the protocol engine is heavy, and most commands never build it.
    const { clientValidator } = await import('../client-validator.js');
    const validate = await clientValidator(context);
    let generatedSecret: string | undefined;
    try {
      ({ generatedSecret } = await context.services.applications.createApplication(context.actor, parsed.data, validate));
    } catch (error) {
      if (error instanceof GatehouseError && error.code === 'config_invalid') {
        // The engine's messages start with the field they are about ("redirect_uris must only contain web uris").
        const field = Object.keys(optionNames).find((name) => error.message.startsWith(`${name} `));
        throw new GatehouseError('invalid_request', `application "${clientId}" is invalid; nothing was changed\n  ${field ? `--${optionNames[field]} (${field}): ` : ''}${error.message}`, { cause: error });
      }
      throw error;
    }
    const application = parsed.data;
    const kind = application.token_endpoint_auth_method === 'none' ? 'a public client (no secret; PKCE required)' : `authenticating with ${application.token_endpoint_auth_method}`;
    io.stdout.write(`created application "${clientId}", ${kind}; grant types ${application.grant_types.join(', ')}\n`);
    if (generatedSecret) {
      io.stdout.write(`client_secret: ${generatedSecret}\n`);
      io.stdout.write(`  (shown this once: it is stored sealed and cannot be shown again; "gatehouse apps rotate-secret ${clientId}" replaces it)\n`);
    }
  },
};
