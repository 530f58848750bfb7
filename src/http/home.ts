import type { FastifyPluginAsync } from 'fastify';
import { currentBranding } from '../branding/page-branding.js';
import { t } from '../i18n/page-locale.js';
import { messagePage } from '../views/message-page.js';

/** `/`: where a sign-in that names no other place ends (a plain session's default return), and what a person typing the address sees. */
export const homeRoute: FastifyPluginAsync = async (app) => {
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(messagePage(currentBranding().productName, t('home.message'))));
};
