import { jwtResources, machine, spa, user, web, type JwtAlg } from './fixture.js';
import { drive, hammer, type RoundResult } from './load.js';
import { basicAuth, signIn, tokenRequest } from './sign-in-flow.js';
import type { Target } from './targets.js';

export interface Load {
  connections: number;
  /** Concurrent browsers in the multi-step scenarios. */
  flows: number;
}

/** A prepared scenario against one server: one call is one round. */
export type Round = (seconds: number) => Promise<RoundResult>;

export interface Scenario {
  name: string;
  /** Which reference answers it: the JWT one has resource indicators on. */
  reference: 'opaque' | 'jwt';
  /** Gatehouse cannot do this yet: only the reference runs, and the report says so. */
  gatehouseUnsupported?: string;
  /** What limits it on one core, measured in the same run (ceilings.ts). */
  ceiling?: 'argon2id' | JwtAlg;
  prepare(target: Target, load: Load): Promise<Round>;
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const machineAuth = { ...form, authorization: basicAuth(machine.clientId, machine.secret) };

function clientCredentials(name: string, body: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    name,
    reference: 'opaque',
    ...extra,
    prepare: async (target, load) => (seconds) => hammer({ url: `${target.issuer}/token`, method: 'POST', headers: machineAuth, body }, load.connections, seconds),
  };
}

function jwtClientCredentials(alg: JwtAlg): Scenario {
  return clientCredentials(`client_credentials JWT ${alg}`, `grant_type=client_credentials&scope=api&resource=${encodeURIComponent(jwtResources[alg])}`, {
    reference: 'jwt',
    ceiling: alg,
  });
}

function get(name: string, path: string): Scenario {
  return { name, reference: 'opaque', prepare: async (target, load) => (seconds) => hammer({ url: `${target.issuer}${path}` }, load.connections, seconds) };
}

export const signInScenario: Scenario = {
  name: 'sign-in (authorize → login → consent → code → token → userinfo)',
  reference: 'opaque',
  ceiling: 'argon2id',
  prepare: async (target, load) => (seconds) => drive(async () => void (await signIn(target, web, user, { userinfo: true })), load.flows, seconds),
};

export const clientCredentialsOpaque = clientCredentials('client_credentials opaque', 'grant_type=client_credentials');

export const scenarios: Scenario[] = [
  clientCredentialsOpaque,
  jwtClientCredentials('RS256'),
  jwtClientCredentials('ES256'),
  signInScenario,
  {
    name: 'refresh-token rotation',
    reference: 'opaque',
    prepare: async (target, load) => {
      // One chain per concurrent client, each started by a real sign-in; every use rotates it.
      const chains: string[] = [];
      for (let i = 0; i < load.flows; i += 1) chains.push((await signIn(target, spa, user, { prompt: 'consent' })).refresh_token!);
      return (seconds) =>
        drive(async (loop) => {
          const answer = await tokenRequest(target, spa, { grant_type: 'refresh_token', refresh_token: chains[loop]! });
          chains[loop] = answer.refresh_token!;
        }, load.flows, seconds);
    },
  },
  {
    name: 'introspection',
    reference: 'opaque',
    prepare: async (target, load) => {
      const token = (await tokenRequest(target, machine, { grant_type: 'client_credentials' })).access_token!;
      return (seconds) => hammer({ url: `${target.issuer}/token/introspection`, method: 'POST', headers: machineAuth, body: `token=${token}` }, load.connections, seconds);
    },
  },
  {
    name: 'userinfo',
    reference: 'opaque',
    prepare: async (target, load) => {
      const token = (await signIn(target, web, user)).access_token!;
      return (seconds) => hammer({ url: `${target.issuer}/me`, headers: { authorization: `Bearer ${token}` } }, load.connections, seconds);
    },
  },
  get('JWKS', '/jwks'),
  get('discovery', '/.well-known/openid-configuration'),
];
