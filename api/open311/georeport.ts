import { createHash, randomBytes } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { Value } from 'typebox/value';
import { CATEGORIES, DOMAINS, URGENCIES, type Category } from '../../domain/vocabulary.js';
import { IntakeBodySchema, type IntakeBody } from '../reports/intake-schema.js';

/**
 * Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), pure: the hazard categories as
 * services, a POSTed service request as Bihuan's intake body, a report as a service request, and
 * the spec's JSON and XML shapes (errors included). The routes (index.ts) do the I/O.
 */

export type Format = 'json' | 'xml';

/** One service per hazard category (隐患类别); its attributes are the other intake hints. */
export const services = () =>
  (Object.entries(CATEGORIES) as [Category, string][]).map(([code, name]) => ({
    service_code: code,
    service_name: name,
    description: `安全生产隐患举报：${name}`,
    metadata: true,
    type: 'realtime' as const,
    keywords: '安全生产,隐患,举报',
    group: '安全生产隐患举报',
  }));

const list = (table: Record<string, string>) => Object.entries(table).map(([key, name]) => ({ key, name }));

/** The attributes a client may send as `attribute[<code>]`, for every service alike. */
export const serviceDefinition = (code: Category) => ({
  service_code: code,
  attributes: [
    {
      variable: true,
      code: 'domain',
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: '行业领域',
      order: 1,
      description: '隐患所在的行业领域',
      values: list(DOMAINS),
    },
    {
      variable: true,
      code: 'urgency',
      datatype: 'singlevaluelist',
      required: false,
      datatype_description: '紧急程度（默认一般类）',
      order: 2,
      description: '紧急类：正在发生、可能立即造成伤亡的隐患',
      values: list(URGENCIES),
    },
    {
      variable: true,
      code: 'district',
      datatype: 'string',
      required: false,
      datatype_description: '区（默认本区）',
      order: 3,
      description: '隐患所在的区',
    },
    {
      variable: true,
      code: 'street',
      datatype: 'string',
      required: false,
      datatype_description: '街道或镇',
      order: 4,
      description: '隐患所在的街道或镇',
    },
  ],
});

/** A GeoReport error: its code is the HTTP status, as the spec's examples have it. */
export class Open311Error extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 429 | 500 | 503,
    readonly description: string,
  ) {
    super(description);
  }
}

/** The form a client POSTs to `requests.<format>`, after form decoding. */
export type RequestForm = Readonly<Record<string, string | string[] | undefined>>;

const one = (form: RequestForm, key: string): string | undefined => {
  const v = form[key];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
};

/**
 * A service request as Bihuan's intake body. The external id is the client's `Idempotency-Key`
 * header when it sends one (a retry then lands on the same report), else fresh. A reporter who
 * gives a name and a phone is a named reporter (kept in the vault); anyone else is anonymous and
 * gets a claim code. An e-mail address is not kept: Bihuan reaches reporters by SMS.
 */
export function toIntakeBody(
  form: RequestForm,
  ctx: {
    receivedAt: string;
    defaultDistrict: string | undefined;
    idempotencyKey: string | undefined;
    filedBy: string;
  },
): IntakeBody {
  const code = one(form, 'service_code');
  if (!code) throw new Open311Error(400, 'service_code is required');
  if (!(code in CATEGORIES)) throw new Open311Error(404, `no service ${code}`);
  const description = one(form, 'description');
  if (!description) throw new Open311Error(400, 'description is required');
  const [lat, long] = [one(form, 'lat'), one(form, 'long')];
  const address =
    one(form, 'address_string') ??
    (lat !== undefined && long !== undefined ? `坐标 ${Number(lat)}, ${Number(long)}` : undefined);
  if (!address) throw new Open311Error(400, 'address_string or lat and long are required');
  if (
    (lat !== undefined && !Number.isFinite(Number(lat))) ||
    (long !== undefined && !Number.isFinite(Number(long)))
  )
    throw new Open311Error(400, 'lat and long are decimal degrees');
  const attribute = (name: string) => one(form, `attribute[${name}]`);
  const district = attribute('district') ?? ctx.defaultDistrict;
  if (!district) throw new Open311Error(400, 'attribute[district] is required');
  // 姓名 family name first, as Chinese names are written; a Latin name as it is spoken.
  const [first, last] = [one(form, 'first_name'), one(form, 'last_name')];
  const latin = /^[\x20-\x7e]*$/.test(`${first ?? ''}${last ?? ''}`);
  const name = (
    latin ? [first, last].filter(Boolean).join(' ') : [last, first].filter(Boolean).join('')
  ).trim();
  const phone = one(form, 'phone');
  const externalId = ctx.idempotencyKey
    ? `O311-${createHash('sha256').update(`${ctx.filedBy}\u0000${ctx.idempotencyKey}`).digest('hex').slice(0, 24)}`
    : `O311-${randomBytes(12).toString('hex')}`;
  const media = one(form, 'media_url');
  const street = attribute('street');
  const body: Record<string, unknown> = {
    channel: 'open311',
    externalId,
    receivedAt: ctx.receivedAt,
    description,
    location: { address, district, ...(street ? { street } : {}) },
    category: code,
    ...(attribute('urgency') ? { urgency: attribute('urgency') } : {}),
    ...(attribute('domain') ? { domain: attribute('domain') } : {}),
    ...(media ? { attachments: [media] } : {}),
    reporter: name && phone ? { anonymous: false, name, phone } : { anonymous: true },
  };
  if (!Value.Check(IntakeBodySchema, body)) {
    const [first] = [...Value.Errors(IntakeBodySchema, body)];
    throw new Open311Error(400, `${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  return body;
}

/** A report as a GeoReport service request. */
export interface ServiceRequest {
  readonly service_request_id: string;
  readonly status: 'open' | 'closed';
  readonly status_notes: string;
  readonly service_name: string;
  readonly service_code: string;
  readonly description: string;
  readonly agency_responsible: string;
  readonly service_notice: string;
  readonly requested_datetime: string;
  readonly updated_datetime: string;
  readonly expected_datetime: string;
  readonly address: string;
  readonly address_id: string;
  readonly zipcode: string;
  readonly media_url: string;
}

/** The service request id of a report: its id without the `report:` prefix (`open311:O311-…`). */
export const requestIdOf = (reportId: string) => reportId.replace(/^report:/, '');
export const reportIdOf = (requestId: string) => `report:${requestId}`;

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false, processEntities: true });

/** The spec's XML: `<root><item>…</item>…</root>`, lists of values as repeated children. */
export function toXml(root: string, item: string | undefined, data: unknown): string {
  const inner = item === undefined ? data : { [item]: data };
  return `<?xml version="1.0" encoding="utf-8"?>${builder.build({ [root]: inner })}`;
}

export const errorsBody = (errors: readonly { code: number; description: string }[], format: Format) =>
  format === 'json' ? JSON.stringify(errors) : toXml('errors', 'error', errors);
