import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { IntakeBody } from '../../api/reports/intake-schema.js';
import type { ReportView } from '../../domain/report/report-view.js';
import { createLogger } from '../../infra/logger.js';
import { DAY } from '../support/report-env.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../support/api-env.js';
import { NOT_EXCLUDED } from '../support/reports.js';

/**
 * 举报人信息保护: after whole lifecycles — intake, 受理, 交办, 核查, 整改, 反馈, 回访 and the three
 * levels of 奖励 — neither a dump of the database nor the workflows' histories (their payloads
 * decoded) nor the API's log holds a reporter's name, phone or ID number, or an anonymous
 * reporter's claim code. Each search is paired with one for what must be there, so a dump or a
 * history that is empty or still encrypted cannot pass.
 */
const NAMED = [
  { name: '欧阳翠花', phone: '+86 139-5724-6813', idNumber: '31011519800101777X', outcome: 'rewarded' },
  { name: 'Zhuge Xiaofeng', phone: '021 6284 3197', idNumber: 'E98172635', outcome: 'rewarded' },
  { name: '上官婉清', phone: '18621739054', outcome: 'rewarded' },
  { name: '司马青霞', phone: '137-0219-8846', idNumber: '440106199912312468', outcome: 'unsubstantiated' },
] as const;
const ANONYMOUS = ['rewarded', 'unsubstantiated'] as const;

const FINE_FEN = 5_000_000;
const ACCEPT = { urgency: 'general', category: 'fire', domain: 'e_bikes' };
/** Payload encodings that are readable as they stand; anything else is still encoded (encrypted). */
const PLAIN_ENCODINGS = new Set(['json/plain', 'binary/null', 'binary/plain', 'json/protobuf']);

interface Received {
  readonly id: string;
  readonly claimCode?: string;
}

/** The forms a phone number may take in storage: as typed, digits only, without the country code. */
function phoneForms(phone: string): string[] {
  const digits = phone.replace(/\D/g, '');
  return [phone, digits, ...(digits.startsWith('86') && digits.length === 13 ? [digits.slice(2)] : [])];
}

/** Every identifying string, and where in `text` it was found (none is the expected answer). */
function identityIn(text: string): string[] {
  const lower = text.toLowerCase();
  // separators dropped, so a phone stored with other spaces or dashes is found too
  const compact = lower.replace(/[\s-]/g, '');
  const secrets = NAMED.flatMap((r) => [
    r.name,
    ...phoneForms(r.phone),
    ...('idNumber' in r ? [r.idNumber] : []),
  ]);
  return secrets.filter((s) => {
    const needle = s.toLowerCase();
    return lower.includes(needle) || compact.includes(needle.replace(/[\s-]/g, ''));
  });
}

const claimCodesIn = (text: string, codes: string[]): string[] => {
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  return codes.filter((c) => compact.includes(c.replace(/-/g, '')));
};

describe('reporter identity after whole lifecycles (双加密)', () => {
  let api: ApiEnv;
  const logLines: string[] = [];
  const named: (Received & { vaultRef: string })[] = [];
  const anonymous: Received[] = [];

  const receive = async (reporter: IntakeBody['reporter']): Promise<Received> => {
    const body = anIntakeBody({ reporter });
    const res = await api.post('/v1/reports', 'intake', body);
    expect(res.statusCode, res.body).toBe(201);
    // the intake system's retry: the same answer, nothing stored twice
    expect((await api.post('/v1/reports', 'intake', body)).json()).toEqual(res.json());
    return res.json<Received>();
  };
  const step = async (id: string, path: string, as: string, body?: unknown): Promise<ReportView> => {
    const res = await api.post(reportUrl(id, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
    return res.json<ReportView>();
  };

  /** 受理 → 交办 → 核查 → (整改) → 反馈 → 回访 → (奖励 proposed, approved, paid); answers the last view. */
  const liveThrough = async (r: Received, outcome: 'rewarded' | 'unsubstantiated'): Promise<ReportView> => {
    await step(r.id, 'accept-report', 'dispatcher', ACCEPT);
    await step(r.id, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    await step(r.id, 'start-verification', 'handler:unit-a');
    const found = outcome === 'rewarded';
    await step(r.id, 'submit-verification', 'handler:unit-a', {
      outcome: found ? 'substantiated' : 'unsubstantiated',
      findings: found ? '楼道内违规充电属实' : '现场未发现举报所述情况',
      hazardsFound: found ? 1 : 0,
      majorHazard: false,
      ...(found ? { illegalActivity: true } : {}),
    });
    if (found) {
      await step(r.id, 'order-rectification', 'handler:unit-a', {
        measures: ['order_rectification', 'administrative_penalty'],
        fineFen: FINE_FEN,
        penaltyDecision: { number: '浦应急罚〔2026〕9号', decidedOn: '2026-11-23' },
        dueAt: new Date(Date.parse(MONDAY_MORNING) + 10 * DAY).toISOString(),
      });
      await step(r.id, 'report-rectification', 'handler:unit-a', { summary: '已清理电池，停止楼道充电' });
    }
    await step(r.id, 'give-feedback', 'handler:unit-a', { summary: '已核查处理，结果见回复' });
    const rated = await step(r.id, 'record-satisfaction', 'intake', { rating: 'satisfied', resolved: true });
    if (!found) return rated;
    if (r.claimCode)
      await step(r.id, 'claim-reward', 'intake', {
        claimCode: r.claimCode,
        payout: { method: 'alipay', payeeName: '王五', account: 'wangwu@example.com' },
      });
    await step(r.id, 'propose-reward', 'reward_proposer', {
      basis: { kind: 'fine', fineFen: FINE_FEN },
      declaration: NOT_EXCLUDED,
    });
    await step(r.id, 'decide-reward', 'reward_approver', { decision: 'approved' });
    return step(r.id, 'pay-reward', 'finance');
  };

  beforeAll(async () => {
    const sink = { write: (line: string) => void logLines.push(line) };
    api = await createApiEnv({ startTime: MONDAY_MORNING, log: createLogger('trace', {}, sink) });
    for (const { outcome, ...who } of NAMED) {
      const r = await receive({ anonymous: false, ...who });
      const [row] = await api.t.sql<{ reporter_ref: { vaultRef: string } }[]>`
        select reporter_ref from intake_requests where report_id = ${r.id}`;
      named.push({ ...r, vaultRef: row!.reporter_ref.vaultRef });
      expect((await liveThrough(r, outcome)).stage.name).toBe('closed');
    }
    for (const outcome of ANONYMOUS) {
      const r = await receive({ anonymous: true });
      anonymous.push(r);
      expect((await liveThrough(r, outcome)).stage.name).toBe('closed');
    }
    // a malformed intake that echoes a phone: its refusal must not log the body either
    const bad = anIntakeBody({ reporter: { anonymous: false, name: NAMED[0].name, phone: NAMED[0].phone } });
    const refused = await api.post('/v1/reports', 'intake', { ...bad, unknownField: NAMED[0].idNumber });
    expect(refused.statusCode).toBe(400);
  }, 300_000);
  afterAll(() => api?.close());

  const allIds = () => [...named, ...anonymous].map((r) => r.id);
  const claimCodes = () => anonymous.map((r) => r.claimCode!);

  it('a pg_dump of the database (schema and data) holds no name, phone, ID number or claim code', async () => {
    const pgDump = inject('pgDump');
    if ('missing' in pgDump) throw new Error(`this test needs pg_dump: ${pgDump.missing}`);
    const [row] = await api.t.sql<{ db: string }[]>`select current_database() as db`;
    const url = inject('postgresAdminUrl').replace(/\/[^/]*$/, `/${row!.db}`);
    const { stdout: dump } = await promisify(execFile)(pgDump.path, ['--format=plain', '--dbname', url], {
      maxBuffer: 256 * 1024 * 1024,
    });

    // what must be there: every report, each named reporter's sealed vault row, the paid rewards
    expect(dump).toMatch(/^COPY public\.reporter_vault /m);
    for (const id of allIds()) expect(dump).toContain(id);
    for (const r of named) expect(dump).toContain(r.vaultRef);
    expect(dump).toContain(`BH-PAY-${named[0]!.id}`);
    expect(dump).toContain(`BH-PAY-${anonymous[0]!.id}`);

    expect(identityIn(dump)).toEqual([]);
    expect(claimCodesIn(dump, claimCodes())).toEqual([]);
  });

  it('the histories of those workflows, every payload decoded, hold none of them either', async () => {
    const client = api.t.client;
    const codecs = client.options.loadedDataConverter.payloadCodecs;
    for (const r of [...named, ...anonymous]) {
      const history = await client.workflow.getHandle(r.id).fetchHistory();
      const payloads = payloadsIn(history);
      let decoded: Payload[] = payloads;
      for (const codec of [...codecs].reverse()) decoded = await codec.decode(decoded);
      const stillEncoded = decoded
        .map((p) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8'))
        .filter((e) => !PLAIN_ENCODINGS.has(e));
      expect(stillEncoded, 'payloads the test client cannot decode: give it the codec').toEqual([]);
      const text = [
        historyToJSON(history),
        ...decoded.map((p) => Buffer.from(p.data ?? []).toString('utf8')),
      ].join('\n');

      // what must be there: the report's facts and, for a named reporter, the vault reference
      expect(text).toContain('某仓库内违规存放大量电动自行车电池');
      if ('vaultRef' in r) expect(text).toContain(r.vaultRef);
      expect(identityIn(text), r.id).toEqual([]);
      expect(claimCodesIn(text, claimCodes()), r.id).toEqual([]);
    }
  });

  it('nor does the API log, at trace level, even for a refused intake', () => {
    const log = logLines.join('');
    for (const id of allIds()) expect(log).toContain(encodeURIComponent(id));
    expect(identityIn(log)).toEqual([]);
    expect(claimCodesIn(log, claimCodes())).toEqual([]);
  });
});

/** Every Temporal payload anywhere in a history: inputs, results, update arguments, memo, failures. */
function payloadsIn(node: unknown, out: Payload[] = []): Payload[] {
  if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return out;
  const candidate = node as Payload;
  if (candidate.data instanceof Uint8Array && candidate.metadata && typeof candidate.metadata === 'object') {
    out.push(candidate);
    return out;
  }
  for (const value of Object.values(node)) payloadsIn(value, out);
  return out;
}
