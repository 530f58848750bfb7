import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../management-api.js';

export async function groupsRoutes(_scope: FastifyInstance, _context: ApiContext): Promise<void> {}
