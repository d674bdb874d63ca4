import type { FastifyInstance } from 'fastify';

interface OperationView {
  method: string;
  path: string;
  summary: string;
  description: string;
  tags: string[];
  parameters: Array<{ name: string; in: string; required: boolean; type: string; description: string }>;
  body: string | undefined;
  responses: Array<{ status: string; description: string }>;
}

type OpenApiDocument = { paths?: Record<string, Record<string, Record<string, unknown>>> };

/** Flattens the OpenAPI document into what the docs page lists, one entry per operation. */
export function operationsOf(doc: OpenApiDocument): OperationView[] {
  const operations: OperationView[] = [];
  for (const [path, methods] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const parameters = ((op.parameters as Array<Record<string, unknown>>) ?? []).map((p) => ({
        name: String(p.name),
        in: String(p.in),
        required: Boolean(p.required),
        type: String((p.schema as { type?: string } | undefined)?.type ?? ''),
        description: String(p.description ?? ''),
      }));
      const content = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
      const schema = content ? Object.values(content)[0]?.schema : undefined;
      operations.push({
        method: method.toUpperCase(),
        path,
        summary: String(op.summary ?? ''),
        description: String(op.description ?? ''),
        tags: (op.tags as string[]) ?? [],
        parameters,
        body: schema ? JSON.stringify(schema, null, 2) : undefined,
        responses: Object.entries((op.responses as Record<string, { description?: string }>) ?? {}).map(([status, r]) => ({
          status,
          description: r.description ?? '',
        })),
      });
    }
  }
  return operations;
}

/** A readable page of the JSON API, made from the same OpenAPI document as /api/openapi.json. */
export async function apiDocsRoutes(app: FastifyInstance) {
  app.get('/api/docs', async (_request, reply) => {
    const operations = operationsOf(app.swagger() as OpenApiDocument);
    return reply.page('pages/api/docs', { title: 'API', operations });
  });
}
