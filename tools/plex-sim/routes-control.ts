import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SimControlError, type SimControl } from './control.js';

const target = z.enum(['plex-tv', 'pms']).optional();
const pathMatch = {
  method: z.string().optional(),
  path: z.string().optional(),
  pathRegex: z.string().optional(),
  target,
  times: z.number().int().positive().optional(),
};
const faultSchema = z.object({
  ...pathMatch,
  kind: z.enum(['status', 'rate-limit', 'hang', 'reset', 'reset-connection']),
  status: z.number().int().min(100).max(599).optional(),
  body: z.string().optional(),
  contentType: z.string().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
});
const holdSchema = z.object({ ...pathMatch, stage: z.enum(['request', 'answer']).optional() });
const latencyRuleSchema = z.object({ ...pathMatch, ms: z.number().int().nonnegative(), stage: z.enum(['request', 'answer']).optional() });
const baseLatencySchema = z.object({ ms: z.number().int().nonnegative(), target });
const tokenSchema = z.object({ token: z.string().min(1) });
const behaviourSchema = z.object({
  v1SharingGone: z.boolean().optional(),
  v2DuplicateStatus: z.number().int().min(400).max(599).optional(),
  emptyLibraryIds: z.enum(['all', 'reject']).optional(),
  emptyV2SectionsRemaining: z.number().int().nonnegative().optional(),
  v2SharingOnPlexTv: z.boolean().optional(),
  unconfirmedAcceptError: z
    .object({ status: z.number().int().min(400).max(599), code: z.number().int(), message: z.string().min(1) })
    .nullable()
    .optional(),
});
const approveSchema = z.object({
  id: z.number().int().optional(),
  code: z.string().optional(),
  account: z.union([z.number().int(), z.string()]).optional(),
});
const librarySchema = z.object({
  id: z.number().int(),
  key: z.number().int(),
  title: z.string(),
  type: z.enum(['movie', 'show', 'artist', 'photo']),
});
const accountSchema = z.object({
  username: z.string().min(1),
  email: z.string().min(3),
  token: z.string().min(1).optional(),
  id: z.number().int().optional(),
  plexPass: z.boolean().optional(),
  confirmed: z.boolean().optional(),
});
const accountRefSchema = z.object({ account: z.union([z.number().int(), z.string().min(1)]) });
const logQuerySchema = z.object({ target, method: z.string().optional(), path: z.string().optional(), route: z.string().optional() });

type IdParams = { Params: { id: string } };

/** The HTTP face of SimControl, for tests and tools outside this process. JSON in, JSON out. */
export function registerControlRoutes(app: FastifyInstance, control: SimControl): void {
  app.register(
    async (scope) => {
      scope.setErrorHandler((error, _request, reply) => {
        if (error instanceof z.ZodError) return reply.code(400).send({ error: 'invalid body', issues: error.issues });
        if (error instanceof SimControlError) return reply.code(400).send({ error: error.message });
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        return reply.code(status).send({ error: (error as Error).message });
      });
      scope.post('/reset', async (_request, reply) => {
        control.reset();
        return reply.code(204).send();
      });
      scope.get('/state', async () => control.state());
      scope.get('/log', async (request) => control.requestLog(logQuerySchema.parse(request.query)));
      scope.delete('/log', async (_request, reply) => {
        control.clearLog();
        return reply.code(204).send();
      });
      scope.get('/counters', async () => control.counters());
      scope.put('/latency', async (request, reply) => {
        const { ms, target: which } = baseLatencySchema.parse(request.body);
        control.setLatency(ms, which);
        return reply.code(204).send();
      });
      scope.post('/latency', async (request, reply) => {
        return reply.code(201).send({ id: control.addLatency(latencyRuleSchema.parse(request.body)) });
      });
      scope.post('/faults', async (request, reply) => {
        return reply.code(201).send({ id: control.addFault(faultSchema.parse(request.body)) });
      });
      scope.get('/faults', async () => control.listFaults());
      scope.post('/holds', async (request, reply) => {
        return reply.code(201).send({ id: control.hold(holdSchema.parse(request.body)) });
      });
      scope.get('/holds', async () => control.listHolds());
      scope.post<IdParams>('/holds/:id/release', async (request) => ({ released: control.release(request.params.id) }));
      scope.delete('/faults', async (request, reply) => {
        control.clearFaults(z.object({ target }).parse(request.query).target);
        return reply.code(204).send();
      });
      scope.delete<IdParams>('/rules/:id', async (request, reply) => {
        return reply.code(control.removeRule(request.params.id) ? 204 : 404).send();
      });
      scope.post('/tokens/revoke', async (request, reply) => {
        control.revokeToken(tokenSchema.parse(request.body).token);
        return reply.code(204).send();
      });
      scope.post('/tokens/restore', async (request, reply) => {
        control.restoreToken(tokenSchema.parse(request.body).token);
        return reply.code(204).send();
      });
      scope.post('/tokens/expire', async (request, reply) => {
        control.expireToken(tokenSchema.parse(request.body).token);
        return reply.code(204).send();
      });
      scope.post('/tokens/issue', async (request, reply) => {
        const { account } = z.object({ account: z.union([z.number().int(), z.string()]).optional() }).parse(request.body ?? {});
        return reply.code(201).send(control.issueToken(account));
      });
      scope.put('/behaviour', async (request) => {
        const change = behaviourSchema.parse(request.body);
        if (change.v1SharingGone !== undefined) control.setV1SharingGone(change.v1SharingGone);
        if (change.v2DuplicateStatus !== undefined) control.setV2DuplicateStatus(change.v2DuplicateStatus);
        if (change.emptyLibraryIds !== undefined) control.setEmptyLibraryIds(change.emptyLibraryIds);
        const emptySections = change.emptyV2SectionsRemaining;
        if (emptySections !== undefined) control.emptyV2ServerSections(emptySections);
        if (change.v2SharingOnPlexTv !== undefined) control.setV2SharingOnPlexTv(change.v2SharingOnPlexTv);
        if (change.unconfirmedAcceptError !== undefined) control.setUnconfirmedAcceptError(change.unconfirmedAcceptError);
        return control.state().behaviour;
      });
      scope.post('/pins/approve', async (request) => {
        const { account, ...pin } = approveSchema.parse(request.body);
        return control.approvePin(pin, account);
      });
      scope.post('/libraries', async (request, reply) => {
        control.addLibrary(librarySchema.parse(request.body));
        return reply.code(201).send(control.state().server.libraries);
      });
      scope.delete<IdParams>('/libraries/:id', async (request, reply) => {
        control.removeLibrary(Number(request.params.id));
        return reply.code(204).send();
      });
      scope.post('/accounts', async (request, reply) => {
        return reply.code(201).send(control.addAccount(accountSchema.parse(request.body)));
      });
      scope.post('/accounts/confirm', async (request) => control.confirmAccount(accountRefSchema.parse(request.body).account));
    },
    { prefix: '/__sim' },
  );
}
