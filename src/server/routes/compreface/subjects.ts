// /api/v1/recognition/subjects: a collection's subjects (they may exist before any face).
import type { FastifyInstance } from 'fastify';
import { ApiError, CODES, notFound } from '../../errors.js';
import type { ServerContext } from '../../context.js';
import { subjectSchema } from '../../schemas.js';

const BASE = '/api/v1/recognition/subjects';
const subjectBody = { type: 'object', required: ['subject'], properties: { subject: subjectSchema } } as const;
const subjectParams = { type: 'object', required: ['subject'], properties: { subject: subjectSchema } } as const;

export function subjectsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(BASE, { schema: { summary: 'List subjects' } }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    return { subjects: await collection.listSubjects() };
  });

  app.post<{ Body: { subject: string } }>(BASE, { schema: { summary: 'Add a subject', body: subjectBody } }, async (req, reply) => {
    const collection = await ctx.collections.get(req.apiKey);
    const { subject } = req.body;
    if (!(await collection.createSubject(subject))) throw new ApiError(400, CODES.badRequest, `subject: ${JSON.stringify(subject)} already exists`);
    reply.code(201);
    return { subject };
  });

  app.put<{ Params: { subject: string }; Body: { subject: string } }>(`${BASE}/:subject`, {
    schema: { summary: 'Rename a subject (merges into an existing one)', params: subjectParams, body: subjectBody },
  }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    if (!(await collection.renameSubject(req.params.subject, req.body.subject))) throw notFound(`subject: no subject ${JSON.stringify(req.params.subject)}`);
    return { updated: true };
  });

  app.delete<{ Params: { subject: string } }>(`${BASE}/:subject`, { schema: { summary: 'Delete a subject and its faces', params: subjectParams } }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const { subject } = req.params;
    if (!(await collection.deleteSubject(subject))) throw notFound(`subject: no subject ${JSON.stringify(subject)}`);
    return { subject };
  });

  app.delete(BASE, { schema: { summary: 'Delete every subject and face' } }, async (req) => {
    const collection = await ctx.collections.get(req.apiKey);
    const deleted = await collection.deleteAllSubjects();
    return { deleted };
  });
}
