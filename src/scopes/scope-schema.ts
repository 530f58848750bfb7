import { z } from 'zod';
import { isStandardScope } from './standard-scopes.js';

const claimName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.:-]{0,99}$/, 'must be a claim name (letters, digits, _ . : -)');

/** A custom scope (GenAuth "Custom OIDC Scope"): a name, a description for consent, its claims. */
export const scopeInputSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'use 1 to 100 letters, digits or _ . : -')
      .refine((name) => !isStandardScope(name), 'is a standard scope and cannot be redefined'),
    description: z.string().min(1).max(300),
    claims: z.array(claimName).nonempty(),
  })
  .strict();

export type ScopeDeclaration = z.output<typeof scopeInputSchema>;
