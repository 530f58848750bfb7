/** A custom scope as GET /api/v1/scopes answers it (only the fields the console shows). */
export interface Scope {
  name: string;
  description: string;
  claims: string[];
  declared: boolean;
  created_at: string;
  updated_at: string;
}

/** A scope Gatehouse defines itself: read-only. */
export interface StandardScope {
  name: string;
  description: string;
  claims: string[];
}

/** An API resource (GET /api/v1/resources). */
export interface ApiResource {
  identifier: string;
  name: string;
  scopes: { name: string; description: string }[];
  access_token_format: 'jwt' | 'opaque';
  signing_alg: string;
  access_token_ttl_seconds: number;
  declared: boolean;
}
