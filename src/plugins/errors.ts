import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, isAppError } from '../errors.js';

interface HttpProblem {
  status: number;
  code: string;
  message: string;
  fields?: Record<string, string>;
}

const CSRF_MESSAGE =
  'This form has expired or was sent from another site. Go back, reload the page and try again.';

const GENERIC: Record<number, { code: string; message: string }> = {
  400: { code: 'request.invalid', message: 'The request was not understood.' },
  403: { code: 'request.forbidden', message: 'You are not allowed to do that.' },
  404: { code: 'request.not_found', message: 'There is nothing at this address.' },
  405: { code: 'request.method_not_allowed', message: 'This address does not accept that kind of request.' },
  413: { code: 'request.too_large', message: 'What you sent is too large.' },
  414: { code: 'request.address_too_long', message: 'This address is too long.' },
  415: { code: 'request.unsupported_type', message: 'What you sent is in a format this address does not accept.' },
  429: { code: 'request.rate_limited', message: 'Too many requests. Please wait a little and try again.' },
  500: { code: 'internal', message: 'Something went wrong on our side. Please try again in a moment.' },
  503: { code: 'overloaded', message: 'Helpr is very busy right now. Please try again in a few seconds.' },
};

/** Schema validation failures as { field: message }, the field named by its path ("libraries.0"). */
function validationFields(error: Partial<FastifyError>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.validation ?? []) {
    const missing = (issue.params as { missingProperty?: string } | undefined)?.missingProperty;
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const field = [path, missing].filter(Boolean).join('.') || (error.validationContext ?? 'body');
    fields[field] ??= missing ? 'is required' : (issue.message ?? 'is invalid');
  }
  return fields;
}

/** Turns any thrown error into a status, a stable code and a message that is safe to show. */
export function toHttpProblem(error: unknown): HttpProblem {
  if (isAppError(error)) {
    const fallback = GENERIC[error.status] ?? GENERIC[error.status >= 500 ? 500 : 400]!;
    return { status: error.status, code: error.code, message: error.expose ? error.message : fallback.message, fields: error.fields };
  }
  const fastifyError = error as Partial<FastifyError>;
  const status = typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 ? fastifyError.statusCode : 500;
  if (fastifyError.code === 'FST_CSRF_INVALID_TOKEN' || fastifyError.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, code: 'security.csrf_invalid', message: CSRF_MESSAGE };
  }
  if (fastifyError.code === 'FST_ERR_BAD_URL') {
    return { status: 400, code: 'request.bad_address', message: 'This address is not valid: part of it is wrongly encoded.' };
  }
  if (fastifyError.validation && status === 400) {
    return { status, code: 'request.invalid', message: fastifyError.message ?? GENERIC[400]!.message, fields: validationFields(fastifyError) };
  }
  const generic = GENERIC[status] ?? GENERIC[status >= 500 ? 500 : 400]!;
  return { status, code: generic.code, message: generic.message };
}

const wantsJson = (request: FastifyRequest): boolean => request.url.startsWith('/api/');

const problemJson = (problem: HttpProblem) => ({
  error: { code: problem.code, message: problem.message, ...(problem.fields ? { fields: problem.fields } : {}) },
});

/** A page a friend may see (not the admin area, the setup or the API). */
const forFriends = (request: FastifyRequest): boolean => !/^\/(admin|setup|api)(\/|$|\?)/.test(request.url);

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem, siteTitle?: string): FastifyReply {
  reply.code(problem.status);
  if (wantsJson(request)) return reply.send(problemJson(problem));
  // A friend who asked too often reads the site's name and, as the headline, what to do (no "429").
  if (siteTitle !== undefined && problem.status === 429) return reply.page('pages/error', { title: 'Too many requests', siteTitle, problem, plain: true });
  return reply.page('pages/error', { title: titleFor(problem.status), siteTitle, problem });
}

/**
 * Fastify's `frameworkErrors`: the router refuses a badly encoded address ("/join/%ZZ") or a path
 * parameter over maxParamLength before any hook, route or error handler runs, and would answer its
 * own JSON without the security headers. The reply here is a bare one (no decorators, no hooks), so
 * the headers are set and the page rendered directly.
 */
export function routerErrorHandler(
  app: () => FastifyInstance,
  setSecurityHeaders: (request: FastifyRequest, reply: FastifyReply) => void,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    const problem = toHttpProblem(error);
    request.log.info({ code: problem.code, status: problem.status }, error.message);
    setSecurityHeaders(request, reply);
    reply.code(problem.status);
    if (wantsJson(request)) {
      reply.type('application/json; charset=utf-8').send(JSON.stringify(problemJson(problem)));
    } else {
      reply.type('text/html; charset=utf-8').send(app().renderPage('pages/error', { title: titleFor(problem.status), problem }));
    }
  };
}

// What Node refuses in a header value (ERR_INVALID_CHAR, thrown where no handler catches it).
const UNSENDABLE_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** The headers of a reply whose values Node would refuse to send. */
function unsendableHeaders(reply: FastifyReply): string[] {
  const names: string[] = [];
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && UNSENDABLE_HEADER_VALUE.test(v))) names.push(name);
  }
  return names;
}

function titleFor(status: number): string {
  if (status === 404) return 'Page not found';
  if (status === 403) return 'Not allowed';
  if (status === 429) return 'Slow down';
  if (status === 503) return 'Busy right now';
  if (status >= 500) return 'Something went wrong';
  return 'That did not work';
}

/**
 * One error handler for the whole app (pages, forms and JSON), and a rate-limited 404 so that
 * scanning for URLs is slowed down. 5xx answers never carry internals; they are logged instead.
 */
export const errorsPlugin = fp(async (app: FastifyInstance, opts: { siteTitle?: () => Promise<string> }) => {
  // The owner's site title on friends' error pages; 'Helpr' (the layout's default) if it cannot be read.
  const siteTitleFor = async (request: FastifyRequest): Promise<string | undefined> =>
    forFriends(request) && opts.siteTitle ? opts.siteTitle().catch(() => undefined) : undefined;

  app.setErrorHandler(async (error, request, reply) => {
    const problem = toHttpProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else if (!isAppError(error)) request.log.info({ code: problem.code, status: problem.status }, (error as Error).message);
    const retryAfter = (error as { retryAfter?: number }).retryAfter;
    if (problem.status === 429 && retryAfter) reply.header('retry-after', String(retryAfter));
    return sendProblem(request, reply, problem, await siteTitleFor(request));
  });

  // A safety net under the parsing of every input that ends in a header (safe-redirect.ts): a value
  // Node cannot send becomes an error page instead of an exception that stops the process.
  app.addHook('onSend', (request, reply, payload, done) => {
    const unsendable = unsendableHeaders(reply);
    if (unsendable.length === 0) return done(null, payload);
    for (const name of unsendable) reply.removeHeader(name);
    done(new AppError('internal.unsendable_header', `a header Node cannot send: ${unsendable.join(', ')}`, { status: 500 }));
  });

  app.setNotFoundHandler(
    // nameSpace keys this limit apart from the others in the shared store (see rate-limit/fastify-store.ts).
    { preHandler: app.rateLimit({ max: 30, timeWindow: 60_000, nameSpace: 'not-found' } as Parameters<FastifyInstance['rateLimit']>[0]) },
    (request, reply) => sendProblem(request, reply, toHttpProblem(new AppError('request.not_found', GENERIC[404]!.message, { status: 404 }))),
  );
});
