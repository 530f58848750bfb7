/*
 * /api/openapi.json is a valid OpenAPI 3.1 document that describes the management API the
 * server actually serves: every route under /api/v1 and nothing else, each protected and
 * documented with its problem answers, and the server refuses what the document says it refuses
 * (a missing required field, a value outside an enum) naming the field, and accepts what the
 * document says it accepts. Everything here is read from the document, so a resource added
 * later is checked without changing this file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { dialects } from '../../helpers/databases.js';
import { allPages, apiClient, automation, callApi, machineToken, type ApiAnswer, type ApiClient } from '../../helpers/management-api.js';
import { startServer, type TestServer } from '../../helpers/start-server.js';

type Schema = Record<string, any>;
type Doc = { openapi: string; paths: Record<string, Record<string, Schema>>; components?: { schemas?: Record<string, Schema> } };

const methods = ['get', 'put', 'post', 'delete', 'patch'] as const;

interface Operation {
  method: (typeof methods)[number];
  /** As the document names it: /api/v1/applications/{client_id}. */
  path: string;
  spec: Schema;
}

function operationsOf(doc: Doc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    methods.filter((method) => item[method]).map((method) => ({ method, path, spec: item[method]! })));
}

const label = (operation: Pick<Operation, 'method' | 'path'>) => `${operation.method.toUpperCase()} ${operation.path}`;

/**
 * Every route the server registered, read from Fastify's own route tree: printRoutes is the one
 * public listing of what a started instance serves. Each line is a node, four characters deeper
 * than its parent, whose text follows on from the parent's path.
 */
function registeredRoutes(app: FastifyInstance): Array<{ method: string; path: string }> {
  const routes: Array<{ method: string; path: string }> = [];
  const pathAt: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const node = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/.exec(line);
    if (!node) continue;
    const depth = node[1]!.length / 4;
    pathAt.length = depth;
    pathAt[depth] = (pathAt[depth - 1] ?? '') + node[2]!;
    for (const method of node[3]?.split(', ') ?? []) routes.push({ method, path: pathAt[depth]! });
  }
  return routes;
}

/** Fastify's `/:client_id` (with any regular expression) is OpenAPI's `/{client_id}`. */
const asDocumentPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)(\([^)]*\))?/g, '{$1}');

function resolve(doc: Doc, schema: Schema): Schema {
  let current = schema;
  for (let hops = 0; current.$ref !== undefined; hops += 1) {
    assert.ok(hops < 20, `a cycle of $ref at ${String(schema.$ref)}`);
    const ref = String(current.$ref);
    assert.ok(ref.startsWith('#/'), `${ref} is a reference inside the document`);
    current = ref.slice(2).split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<any>((node, part) => node?.[part], doc);
    assert.ok(current, `${ref} resolves`);
  }
  return current;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null': return value === null;
    case 'array': return Array.isArray(value);
    case 'object': return isObject(value);
    case 'integer': return Number.isInteger(value);
    case 'number': return typeof value === 'number';
    default: return typeof value === type;
  }
}

/**
 * What is wrong with `value` by `schema`: the JSON Schema keywords the generated document uses
 * (types, enums, formats of dates, lengths, patterns, required and additional properties,
 * items, anyOf/oneOf/allOf, $ref). Enough to hold an answer to what the document promises.
 */
function problemsOf(doc: Doc, given: Schema, value: unknown, at: string): string[] {
  const schema = resolve(doc, given);
  const problems: string[] = [];
  const matching = (options: Schema[]) => options.filter((option) => problemsOf(doc, option, value, at).length === 0).length;
  if (schema.anyOf && matching(schema.anyOf) === 0) problems.push(`${at}: matches no anyOf`);
  if (schema.oneOf && matching(schema.oneOf) !== 1) problems.push(`${at}: matches not exactly one oneOf`);
  for (const part of schema.allOf ?? []) problems.push(...problemsOf(doc, part, value, at));
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) problems.push(`${at}: is not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((member: unknown) => JSON.stringify(member) === JSON.stringify(value))) problems.push(`${at}: ${JSON.stringify(value)} is not in the enum`);
  if (schema.type !== undefined && ![schema.type].flat().some((type: string) => hasType(value, type))) return [...problems, `${at}: is not of type ${JSON.stringify(schema.type)}`];
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && [...value].length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) problems.push(`${at}: does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) problems.push(`${at}: is not a date-time`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, index) => problems.push(...problemsOf(doc, schema.items, item, `${at}.${index}`)));
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${at}.${name}: is required`);
    for (const [name, item] of Object.entries(value)) {
      const declared = schema.properties?.[name];
      if (declared) problems.push(...problemsOf(doc, declared, item, `${at}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${at}.${name}: is not in the document`);
      else if (isObject(schema.additionalProperties)) problems.push(...problemsOf(doc, schema.additionalProperties, item, `${at}.${name}`));
    }
  }
  return problems;
}

/**
 * The smallest value the document allows: an object of its required properties only, the first
 * member of an enum, a string from a few plain candidates that fits the pattern and format.
 * Undefined when none fits, and the caller skips what needs one.
 */
function sampleOf(doc: Doc, given: Schema): unknown {
  const schema = resolve(doc, given);
  const fits = (value: unknown) => problemsOf(doc, schema, value, 'sample').length === 0 ? value : undefined;
  if ('const' in schema) return schema.const;
  if (schema.enum) return schema.enum[0];
  for (const option of schema.anyOf ?? schema.oneOf ?? []) {
    const value = sampleOf(doc, option);
    if (value !== undefined && fits(value) !== undefined) return value;
  }
  const type = [schema.type].flat().find((name) => name !== 'null');
  switch (type) {
    case 'string': {
      const id = `sample-${randomUUID().slice(0, 8)}`;
      const candidates = [id, randomUUID(), `${id}@example.com`, `https://app.example.test/${id}`, new Date().toISOString(), `${id}-`.padEnd(schema.minLength ?? 0, 'x'), '1'];
      return candidates.find((candidate) => fits(candidate) !== undefined);
    }
    case 'integer':
    case 'number':
      return fits(schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array': {
      const items = Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(doc, schema.items ?? {}));
      return items.every((item) => item !== undefined) ? fits(items) : undefined;
    }
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        value[name] = sampleOf(doc, schema.properties?.[name] ?? {});
        if (value[name] === undefined) return undefined;
      }
      return fits(value);
    }
    default:
      return undefined;
  }
}

/** The operation's path with each parameter given a value its schema allows; undefined when one cannot be made. */
function concretePath(doc: Doc, operation: Operation): string | undefined {
  let path = operation.path;
  for (const parameter of operation.spec.parameters ?? []) {
    if (parameter.in !== 'path') continue;
    const value = sampleOf(doc, parameter.schema ?? {});
    if (value === undefined) return undefined;
    path = path.replace(`{${parameter.name}}`, encodeURIComponent(String(value)));
  }
  return path;
}

const jsonBodyOf = (doc: Doc, operation: Operation): Schema | undefined => {
  const schema = operation.spec.requestBody?.content?.['application/json']?.schema;
  return schema ? resolve(doc, schema) : undefined;
};

/** A value no enum of the document holds. */
const outsideEveryEnum = 'not-a-member-of-this-enum';

const detailPaths = (answer: ApiAnswer): string[] => (answer.body?.details ?? []).map((detail: { path: string }) => detail.path);

function assertInvalid(answer: ApiAnswer, what: string) {
  assert.equal(answer.status, 400, `${what}: ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body.code, 'invalid_request', what);
}

for (const dialect of dialects) {
  describe(`the management API's OpenAPI document (${dialect})`, () => {
    let server: TestServer;
    let token: string;
    let api: ApiClient;
    let doc: Doc;
    let operations: Operation[];

    before(async () => {
      server = await startServer({ dialect, declarations: { applications: [automation] } });
      token = await machineToken(server);
      api = apiClient(server, token);
      const answer = await callApi(server, undefined, 'GET', '/api/openapi.json');
      assert.equal(answer.status, 200, 'the document needs no token');
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
      doc = answer.body;
      operations = operationsOf(doc);
    });
    after(() => server?.close());

    test('a valid OpenAPI 3.1 document, whose every $ref resolves', async () => {
      const validator = new Validator();
      const result = await validator.validate(structuredClone(doc));
      assert.deepEqual(result, { valid: true });
      assert.equal(validator.version, '3.1');
      assert.equal(doc.openapi, '3.1.0');
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
      assert.ok(refs.length > 0, 'the document shares schemas by reference');
      for (const ref of new Set(refs)) resolve(doc, JSON.parse(`{${ref}}`));
    });

    test('every route the server serves under /api/v1 is in the document with its method, and the document names no other', () => {
      const routes = registeredRoutes(server.app);
      // The parser must see what is certainly there, or an empty list would pass below.
      for (const known of [['GET', '/healthz'], ['GET', '/api/openapi.json'], ['POST', '/api/v1/applications/:client_id/rotate-secret'], ['GET', '/api/v1/audit-events']]) {
        assert.ok(routes.some((route) => route.method === known[0] && route.path === known[1]), `${known.join(' ')} is read from the route tree`);
      }
      // HEAD is Fastify's own answer to each GET, with no body to document.
      const served = routes.filter((route) => route.path.startsWith('/api/v1/') && route.method !== 'HEAD')
        .map((route) => `${route.method} ${asDocumentPath(route.path)}`).sort();
      const documented = operations.map(label).sort();
      assert.deepEqual(documented, served);
      for (const operation of operations) {
        const url = operation.path.replace(/\{([^}]+)\}/g, ':$1');
        assert.ok(server.app.hasRoute({ method: operation.method.toUpperCase() as 'GET', url }), `${label(operation)} is a route`);
      }
      assert.ok(!Object.keys(doc.paths).some((path) => !path.startsWith('/api/v1/')), 'only the API is documented');
    });

    test('every operation answers a request without a token with 401 and a Bearer challenge: it exists and it is protected', async (t) => {
      for (const operation of operations) {
        await t.test(label(operation), async () => {
          const path = operation.path.replace(/\{[^}]+\}/g, 'anything');
          const answer = await callApi(server, undefined, operation.method.toUpperCase(), path, operation.spec.requestBody ? {} : undefined);
          assert.equal(answer.status, 401, JSON.stringify(answer.body));
          assert.equal(answer.body.code, 'unauthorized');
          assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer /);
        });
      }
    });

    test('every operation documents its problems (400 when it takes input, 401, 403) as problem documents, a success, a summary and a tag', () => {
      const problem = resolve(doc, { $ref: '#/components/schemas/Problem' });
      assert.ok(['unauthorized', 'forbidden', 'invalid_request'].every((code) => problem.properties.code.enum.includes(code)), 'the Problem schema lists the codes');
      for (const operation of operations) {
        const { responses } = operation.spec;
        const takesInput = operation.spec.requestBody !== undefined || (operation.spec.parameters ?? []).length > 0;
        for (const status of [...(takesInput ? ['400'] : []), '401', '403']) {
          const content = responses?.[status]?.content?.['application/problem+json'];
          assert.ok(content, `${label(operation)} documents ${status} as application/problem+json`);
          assert.equal(resolve(doc, content.schema), problem, `${label(operation)}: its ${status} is the Problem schema`);
        }
        assert.ok(Object.keys(responses).some((status) => /^2\d\d$/.test(status)), `${label(operation)} documents its success`);
        assert.ok(operation.spec.summary && operation.spec.tags?.length, `${label(operation)} has a summary and a tag`);
        assert.deepEqual(doc.paths[operation.path]![operation.method]!.security ?? (doc as any).security, [{ bearer: [] }], `${label(operation)} asks for the bearer token`);
      }
    });

    test('every read of a collection answers in the shape the document promises; a listing\'s pages, followed one item at a time, hold the same items in the same order', async (t) => {
      const reads = operations.filter((operation) => operation.method === 'get' && !operation.path.includes('{')
        && !(operation.spec.parameters ?? []).some((parameter: Schema) => parameter.required));
      assert.ok(reads.some((operation) => operation.path === '/api/v1/audit-events'), 'the audit log is among them');
      // Nothing recorded earlier may be written between two pages.
      await server.audit.flush();
      for (const operation of reads) {
        await t.test(label(operation), async () => {
          const success = operation.spec.responses?.['200']?.content?.['application/json']?.schema;
          assert.ok(success, `${label(operation)} documents its 200 answer`);
          const limit = (operation.spec.parameters ?? []).find((parameter: Schema) => parameter.in === 'query' && parameter.name === 'limit');
          const most = limit ? resolve(doc, limit.schema).maximum : undefined;
          const whole = await api.get(`${operation.path}${most ? `?limit=${most}` : ''}`);
          assert.equal(whole.status, 200, JSON.stringify(whole.body));
          assert.deepEqual(problemsOf(doc, success, whole.body, 'body'), []);
          const paged = ['items', 'next_cursor'].every((name) => name in (resolve(doc, success).properties ?? {}));
          if (!paged) return;
          assert.ok(limit, `${label(operation)}: a listing takes limit`);
          assert.equal(whole.body.next_cursor, null, 'one page holds them all');
          const { items, pages } = await allPages(api, operation.path, 1);
          assert.equal(pages, Math.max(1, whole.body.items.length));
          assert.deepEqual(items, whole.body.items);
        });
      }
    });

    test('a body without the fields the document requires is refused, naming each of them and no field the document does not have', async (t) => {
      const withRequired = operations.filter((operation) => (jsonBodyOf(doc, operation)?.required ?? []).length > 0);
      assert.ok(withRequired.some((operation) => label(operation) === 'POST /api/v1/applications'), 'creating an application is among them');
      for (const operation of withRequired) {
        await t.test(label(operation), async (s) => {
          const path = concretePath(doc, operation);
          if (path === undefined) return s.skip('no value of the path parameters could be made from the document');
          const body = jsonBodyOf(doc, operation)!;
          const answer = await callApi(server, token, operation.method.toUpperCase(), path, {});
          assertInvalid(answer, label(operation));
          const named = detailPaths(answer);
          for (const field of body.required) assert.ok(named.includes(`body.${field}`), `${label(operation)}: names body.${field} (named ${named.join(', ')})`);
          for (const name of named) {
            const field = /^body\.([^.]+)/.exec(name)?.[1];
            assert.ok(field === undefined || field in (body.properties ?? {}), `${label(operation)}: ${name} is a field the document has`);
          }
        });
      }
    });

    test('a body field outside the enum the document gives is refused, naming that field', async (t) => {
      const cases = operations.flatMap((operation) => Object.entries(jsonBodyOf(doc, operation)?.properties ?? {}).flatMap(([field, given]) => {
        const schema = resolve(doc, given as Schema);
        if (schema.enum) return [{ operation, field, value: outsideEveryEnum as unknown }];
        if (schema.type === 'array' && schema.items && resolve(doc, schema.items).enum) return [{ operation, field, value: [outsideEveryEnum] as unknown }];
        return [];
      }));
      assert.ok(cases.some(({ operation, field }) => label(operation) === 'POST /api/v1/applications' && field === 'grant_types'), 'an application\'s grant_types are among them');
      for (const { operation, field, value } of cases) {
        await t.test(`${label(operation)} ${field}`, async (s) => {
          const path = concretePath(doc, operation);
          const minimal = sampleOf(doc, jsonBodyOf(doc, operation)!) ?? {};
          if (path === undefined) return s.skip('no value of the path parameters could be made from the document');
          const answer = await callApi(server, token, operation.method.toUpperCase(), path, { ...(minimal as object), [field]: value });
          assertInvalid(answer, `${label(operation)} ${field}`);
          assert.ok(detailPaths(answer).some((name) => name === `body.${field}` || name.startsWith(`body.${field}.`)), `names body.${field}: ${detailPaths(answer).join(', ')}`);
        });
      }
    });

    test('a query parameter outside what the document allows is refused, naming that parameter', async (t) => {
      const cases = operations.filter((operation) => operation.method === 'get').flatMap((operation) => (operation.spec.parameters ?? [])
        .filter((parameter: Schema) => parameter.in === 'query')
        .flatMap((parameter: Schema) => {
          const schema = resolve(doc, parameter.schema ?? {});
          const items = schema.type === 'array' && schema.items ? resolve(doc, schema.items) : undefined;
          if (schema.enum || items?.enum) return [{ operation, name: parameter.name as string, value: outsideEveryEnum }];
          const name = parameter.name as string;
          return [
            ...(schema.type === 'integer' ? [{ operation, name, value: 'ten' }] : []),
            ...(schema.type === 'integer' && schema.minimum !== undefined ? [{ operation, name, value: String(schema.minimum - 1) }] : []),
            ...(schema.type === 'integer' && schema.maximum !== undefined ? [{ operation, name, value: String(schema.maximum + 1) }] : []),
          ];
        }));
      assert.ok(cases.some(({ operation, name }) => operation.path === '/api/v1/audit-events' && name === 'type'), 'the audit log\'s type filter is among them');
      for (const { operation, name, value } of cases) {
        await t.test(`${label(operation)} ?${name}=${value}`, async (s) => {
          const path = concretePath(doc, operation);
          if (path === undefined) return s.skip('no value of the path parameters could be made from the document');
          const answer = await api.get(`${path}?${new URLSearchParams({ [name]: value })}`);
          assertInvalid(answer, `${label(operation)} ?${name}`);
          assert.ok(detailPaths(answer).some((detail) => detail === `querystring.${name}` || detail.startsWith(`querystring.${name}.`)), `names querystring.${name}: ${detailPaths(answer).join(', ')}`);
        });
      }
    });

    test('a record made of the fields the document requires, and nothing else, is created, and the answer has the documented shape', async (t) => {
      /** Creations whose required fields alone cannot make a valid record, for a reason a schema cannot state. */
      const madeBelow: Record<string, string> = {
        'POST /api/v1/applications': 'the default grant, authorization_code, needs redirect_uris: made with a grant type in the next test',
      };
      const creations = operations.filter((operation) => operation.method === 'post' && !operation.path.includes('{') && jsonBodyOf(doc, operation));
      assert.ok(creations.length > 0, 'the API creates records');
      for (const operation of creations) {
        await t.test(label(operation), async (s) => {
          const schema = jsonBodyOf(doc, operation)!;
          if (madeBelow[label(operation)]) return s.skip(madeBelow[label(operation)]);
          if (schema.type !== 'object') return s.skip('a body of several shapes: each needs fields of its own');
          const body = sampleOf(doc, schema);
          if (body === undefined) return s.skip('no value of a required field could be made from the document');
          const answer = await callApi(server, token, 'POST', operation.path, body);
          assert.ok(answer.status >= 200 && answer.status < 300, `${JSON.stringify(body)}: ${answer.status} ${JSON.stringify(answer.body)}`);
          const success = operation.spec.responses?.[String(answer.status)]?.content?.['application/json']?.schema;
          assert.ok(success, `${label(operation)} documents its ${answer.status}`);
          assert.deepEqual(problemsOf(doc, success, answer.body, 'body'), []);
        });
      }
    });

    test('an application made from the document: its required fields and one documented grant type are accepted, and each answer has the documented shape', async () => {
      const create = operations.find((operation) => label(operation) === 'POST /api/v1/applications')!;
      const schema = jsonBodyOf(doc, create)!;
      assert.deepEqual(schema.required, ['client_id']);
      const grant = resolve(doc, schema.properties.grant_types.items).enum.find((value: string) => value === 'client_credentials');
      const body: Record<string, unknown> = { ...(sampleOf(doc, schema) as object), grant_types: [grant] };
      assert.deepEqual(problemsOf(doc, schema, body, 'body'), [], 'the body is one the document allows');

      const created = await api.post('/applications', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(problemsOf(doc, create.spec.responses['201'].content['application/json'].schema, created.body, 'body'), []);
      assert.equal(typeof created.body.client_secret, 'string', 'the generated secret, documented as shown this once');

      const clientId = String(body.client_id);
      const read = doc.paths['/api/v1/applications/{client_id}']!;
      const answer = await api.get(`/applications/${clientId}`);
      assert.equal(answer.status, 200);
      assert.deepEqual(problemsOf(doc, read.get!.responses['200'].content['application/json'].schema, answer.body, 'body'), []);

      const replace = { ...(sampleOf(doc, jsonBodyOf(doc, { method: 'put', path: '/api/v1/applications/{client_id}', spec: read.put! })!) as object), grant_types: [grant], client_name: 'Made from the document' };
      const replaced = await api.put(`/applications/${clientId}`, replace);
      assert.equal(replaced.status, 200, JSON.stringify(replaced.body));
      assert.deepEqual(problemsOf(doc, read.put!.responses['200'].content['application/json'].schema, replaced.body, 'body'), []);
      assert.equal((await api.delete(`/applications/${clientId}`)).status, 204);
    });
  });
}
