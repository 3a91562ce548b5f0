// GET /: a small page to try the service by hand (upload a photo, see the faces boxed with
// their best subjects, list a key's subjects). Static; it calls the API with the key typed in.
import type { FastifyInstance } from 'fastify';
import { WEB_PAGE } from './web-page.js';

export function webRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { summary: 'A web page to try the API' } }, async (_req, reply) => {
    reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'self'; img-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'");
    return WEB_PAGE;
  });
}
