import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type postgres from 'postgres';
import { STAGE_LABELS } from '../../domain/labels.js';
import { TERMINAL_STAGES, type StageName } from '../../domain/report/report-state.js';
import { CATEGORIES, type Category } from '../../domain/vocabulary.js';
import { actorOfApiKey } from '../platform/api-keys.js';
import { ProblemError } from '../platform/problems.js';
import { earlierReceivedAt, receiveReport, type IntakeDeps } from '../reports/intake.js';
import { reportWorkflowId } from '../../domain/report/report-id.js';
import {
  errorsBody,
  Open311Error,
  reportIdOf,
  requestIdOf,
  serviceDefinition,
  services,
  toIntakeBody,
  toXml,
  type Format,
  type RequestForm,
  type ServiceRequest,
} from './georeport.js';

/**
 * The Open311 GeoReport v2 façade at `/open311/v2/`, for civic apps (FixMyStreet, SeeClickFix …):
 * discovery, services and their definitions, POST and GET service requests and tokens, in JSON and
 * XML, errors as the spec's arrays. A POST goes down the same intake path as `POST /v1/reports`
 * (idempotency, the vault, the claim code); its `api_key` is an intake key.
 *
 * GET requests is public, as the spec has it, so it shows what became of a report and never what a
 * reporter wrote: no description, and the place only to the street (a description or an exact
 * address can name the reporter, a worker reporting their own employer). An `api_key`, when given,
 * must be a valid intake key. The routes are outside the OpenAPI document: their contract is the
 * GeoReport specification.
 */
const MAX_RANGE_DAYS = 90;
const DAY = 86_400_000;

const parseFile = (file: string): { name: string; format: Format } => {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new Open311Error(404, 'ask for <resource>.json or <resource>.xml');
  return { name: m[1]!, format: m[2] as Format };
};

function send(reply: FastifyReply, format: Format, status: number, json: unknown, xml: () => string) {
  return reply
    .code(status)
    .type(format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8')
    .serializer((x: unknown) => x as string)
    .send(format === 'json' ? JSON.stringify(json) : xml());
}

interface ReportRow {
  report_id: string;
  stage: StageName;
  category: string | null;
  unit_id: string | null;
  received_at: Date;
  updated_at: Date;
  district: string;
  street: string | null;
  feedback_due: Date | null;
}

/** Register with `{ prefix: '/open311/v2' }`. */
export function open311Routes(deps: { sql: postgres.Sql; intake: IntakeDeps; rateLimitPerMinute: number }) {
  return async (app: FastifyInstance) => {
    // Form bodies here only: the rest of the API takes JSON alone.
    await app.register(formBody);
    const { sql } = deps;

    const formatOf = (req: FastifyRequest): Format => (/\.xml(\?|$)/.test(req.url) ? 'xml' : 'json');
    app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
      const status =
        err instanceof Open311Error
          ? err.status
          : err instanceof ProblemError
            ? (err.statusCode as Open311Error['status'])
            : err.statusCode && err.statusCode < 500
              ? (err.statusCode as Open311Error['status'])
              : 500;
      if (status >= 500) req.log.error({ err }, 'open311 request failed');
      const description = status >= 500 ? 'internal error' : err.message;
      const format = formatOf(req);
      return reply
        .code(status)
        .type(format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8')
        .serializer((x: unknown) => x as string)
        .send(errorsBody([{ code: status, description }], format));
    });
    app.setNotFoundHandler((req, reply) =>
      reply
        .code(404)
        .type('application/json; charset=utf-8')
        .send(
          errorsBody([{ code: 404, description: `no resource ${req.url.split('?')[0]}` }], formatOf(req)),
        ),
    );

    /** The intake client an `api_key` stands for, or nothing; a wrong key is an error. */
    async function clientOf(apiKey: unknown): Promise<string | undefined> {
      if (apiKey === undefined) return undefined;
      const actor = typeof apiKey === 'string' ? await actorOfApiKey(sql, apiKey) : undefined;
      if (!actor || actor.role !== 'intake') throw new Open311Error(403, 'api_key is not a valid intake key');
      return actor.id;
    }
    const defaultDistrict = async () =>
      (await sql<{ district: string }[]>`select district from units where active order by id limit 1`)[0]
        ?.district;
    const unitNames = async () =>
      new Map(
        (await sql<{ id: string; name: string }[]>`select id, name from units`).map((u) => [u.id, u.name]),
      );

    function toRequest(r: ReportRow, units: Map<string, string>): ServiceRequest {
      const code = (r.category ?? 'other') as Category;
      return {
        service_request_id: requestIdOf(r.report_id),
        status: (TERMINAL_STAGES as readonly string[]).includes(r.stage) ? 'closed' : 'open',
        // The stage only: what the handler wrote to the reporter stays behind the claim code.
        status_notes: STAGE_LABELS[r.stage] ?? r.stage,
        service_name: CATEGORIES[code] ?? code,
        service_code: code,
        description: '',
        agency_responsible: r.unit_id ? (units.get(r.unit_id) ?? r.unit_id) : '区安全生产举报受理中心',
        service_notice: '',
        requested_datetime: r.received_at.toISOString(),
        updated_datetime: r.updated_at.toISOString(),
        expected_datetime: r.feedback_due?.toISOString() ?? '',
        address: `${r.district}${r.street ?? ''}`,
        address_id: '',
        zipcode: '',
        media_url: '',
      };
    }

    async function findRequests(
      where: postgres.PendingQuery<postgres.Row[]>,
      limit: number,
    ): Promise<ReportRow[]> {
      return sql<ReportRow[]>`
        select r.report_id, r.stage, r.category, r.unit_id, r.received_at, r.updated_at, r.district, r.street,
               (select due_at from report_clocks c
                 where c.report_id = r.report_id and c.clock = 'feedback' and c.stopped_at is null
                 order by occurrence desc limit 1) as feedback_due
        from reports r
        where ${where}
        order by r.received_at desc, r.report_id
        limit ${limit}`;
    }

    const sendRequests = (reply: FastifyReply, format: Format, rows: ServiceRequest[]) =>
      send(reply, format, 200, rows, () => toXml('service_requests', 'request', rows));

    app.get('/:file', { schema: { hide: true } }, async (req, reply) => {
      const { name, format } = parseFile((req.params as { file: string }).file);
      // A parameter given twice arrives as a list: the first counts, as most servers read it.
      const q = Object.fromEntries(
        Object.entries(req.query as Record<string, string | string[] | undefined>).map(([k, v]) => [
          k,
          Array.isArray(v) ? v[0] : v,
        ]),
      );
      if (name === 'discovery') {
        const base = `${req.protocol}://${req.host}/open311/v2`;
        const doc = {
          changeset: '2026-12-02T00:00:00Z',
          contact: '区安全生产举报受理中心',
          key_service: 'an intake API key from the district (POST /v1/api-keys by an admin)',
          endpoints: [
            {
              specification: 'http://wiki.open311.org/GeoReport_v2',
              url: base,
              changeset: '2026-12-02T00:00:00Z',
              type: 'production',
              formats: ['application/json', 'text/xml'],
            },
          ],
        };
        return send(reply, format, 200, doc, () =>
          toXml('discovery', undefined, {
            ...doc,
            endpoints: { endpoint: doc.endpoints.map((e) => ({ ...e, formats: { format: e.formats } })) },
          }),
        );
      }
      if (name === 'services') {
        const list = services();
        return send(reply, format, 200, list, () => toXml('services', 'service', list));
      }
      if (name !== 'requests') throw new Open311Error(404, `no resource ${name}`);
      await clientOf(q.api_key);
      const units = await unitNames();
      const ids = q.service_request_id?.split(',').map((s) => reportIdOf(s.trim()));
      let where: postgres.PendingQuery<postgres.Row[]>;
      if (ids) where = sql`r.report_id in ${sql(ids)}`;
      else {
        const end = q.end_date ? Date.parse(q.end_date) : Date.now();
        const start = q.start_date ? Date.parse(q.start_date) : end - MAX_RANGE_DAYS * DAY;
        if (!Number.isFinite(start) || !Number.isFinite(end))
          throw new Open311Error(
            400,
            'start_date and end_date are w3c date-times, e.g. 2026-11-01T00:00:00Z',
          );
        if (end - start > MAX_RANGE_DAYS * DAY || end < start)
          throw new Open311Error(400, `a date range spans at most ${MAX_RANGE_DAYS} days`);
        const codes = q.service_code?.split(',').map((s) => s.trim());
        const statuses = q.status?.split(',').map((s) => s.trim());
        if (statuses?.some((s) => s !== 'open' && s !== 'closed'))
          throw new Open311Error(400, 'status is open or closed');
        const terminal = sql([...TERMINAL_STAGES]);
        const wantOpen = !statuses || statuses.includes('open');
        const wantClosed = !statuses || statuses.includes('closed');
        where = sql`r.received_at >= ${new Date(start)} and r.received_at <= ${new Date(end)}
          ${codes ? sql`and r.category in ${sql(codes)}` : sql``}
          ${wantOpen && !wantClosed ? sql`and r.stage not in ${terminal}` : sql``}
          ${wantClosed && !wantOpen ? sql`and r.stage in ${terminal}` : sql``}`;
      }
      const rows = (await findRequests(where, 1000)).map((r) => toRequest(r, units));
      return sendRequests(reply, format, rows);
    });

    app.get('/services/:file', { schema: { hide: true } }, async (req, reply) => {
      const { name, format } = parseFile((req.params as { file: string }).file);
      if (!(name in CATEGORIES)) throw new Open311Error(404, `no service ${name}`);
      const def = serviceDefinition(name as Category);
      return send(reply, format, 200, def, () =>
        toXml('service_definition', undefined, {
          service_code: def.service_code,
          attributes: {
            attribute: def.attributes.map((a) => ({
              ...a,
              ...('values' in a ? { values: { value: a.values } } : {}),
            })),
          },
        }),
      );
    });

    app.get('/requests/:file', { schema: { hide: true } }, async (req, reply) => {
      const { name, format } = parseFile((req.params as { file: string }).file);
      await clientOf((req.query as Record<string, unknown>).api_key);
      const [row] = await findRequests(sql`r.report_id = ${reportIdOf(name)}`, 1);
      if (!row) throw new Open311Error(404, `no service request ${name}`);
      return sendRequests(reply, format, [toRequest(row, await unitNames())]);
    });

    // Requests are created at once: a token names the request it became (the spec's deferred case).
    app.get('/tokens/:file', { schema: { hide: true } }, async (req, reply) => {
      const { name, format } = parseFile((req.params as { file: string }).file);
      const [row] = await sql<{ report_id: string }[]>`
        select report_id from intake_requests where report_id = ${reportIdOf(name)}`;
      if (!row) throw new Open311Error(404, `no token ${name}`);
      const rows = [{ service_request_id: requestIdOf(row.report_id), token: name }];
      return send(reply, format, 200, rows, () => toXml('service_requests', 'request', rows));
    });

    app.post(
      '/:file',
      { schema: { hide: true }, config: { rateLimit: { max: deps.rateLimitPerMinute, timeWindow: 60_000 } } },
      async (req, reply) => {
        const { name, format } = parseFile((req.params as { file: string }).file);
        if (name !== 'requests') throw new Open311Error(404, `no resource ${name}`);
        const form = (req.body ?? {}) as RequestForm;
        const client = await clientOf(form.api_key ?? '');
        const key = req.headers['idempotency-key'];
        const draft = toIntakeBody(form, {
          receivedAt: new Date(await deps.intake.now()).toISOString(),
          defaultDistrict: await defaultDistrict(),
          idempotencyKey: typeof key === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(key) ? key : undefined,
          filedBy: client!,
        });
        // A retry under the same key is the same request with the first one's time of receipt: the
        // intake path then answers as it did (starting the workflow if the first attempt could not),
        // and a different body under the same key is a conflict.
        const earlier = await earlierReceivedAt(sql, reportWorkflowId(draft.channel, draft.externalId));
        const body = earlier ? { ...draft, receivedAt: earlier } : draft;
        const outcome = await receiveReport(deps.intake, body, client);
        const claim = outcome.response.claimCode;
        const rows = [
          {
            service_request_id: requestIdOf(outcome.response.id),
            service_notice: claim
              ? `已受理登记。认领码 ${claim}：请妥善保管，凭码查询进度（/status/${claim}）和申领奖励。`
              : '已受理登记，办理结果将以短信告知。',
            account_id: '',
          },
        ];
        return send(reply, format, outcome.created ? 201 : 200, rows, () =>
          toXml('service_requests', 'request', rows),
        );
      },
    );
  };
}
