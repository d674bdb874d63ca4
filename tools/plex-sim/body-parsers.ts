import type { FastifyInstance } from 'fastify';

/**
 * Lenient parsers: clients send `Content-Type: application/json` on body-less POSTs (accept,
 * delete) and plex.tv does not reject that, so an empty body parses to undefined, not a 400.
 */
export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  // `PUT /api/v2/pins/link` sends `code=…` form-encoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, String(body) || undefined));
}
