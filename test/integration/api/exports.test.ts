import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReportListPage } from '../../../api/reports/report-list.js';
import { DAY } from '../../support/report-env.js';
import { anIntakeBody, createApiEnv, MONDAY_MORNING, reportUrl, type ApiEnv } from '../../support/api-env.js';
import { NOT_EXCLUDED } from '../../support/reports.js';

/**
 * Exports (CSV, XLSX) hold what the list shows; the major-hazard progress table has its fixed
 * columns; a closed report's case write-up has the template's four sections and no identity.
 */
const FIVE_POINTS = {
  responsibility: '企业法定代表人张某负总责',
  measures: '更换燃气软管并加装泄漏报警装置',
  funding: '企业自筹2万元',
  timeLimit: '2026年12月10日前完成',
  contingencyPlan: '制定燃气泄漏应急处置预案',
};
const REPORTER = { anonymous: false, name: '欧阳明月', phone: '13957246813', idNumber: '310115198807071234' };

describe('exports and case write-ups', () => {
  let api: ApiEnv;
  let major: string;
  let plain: string;
  let open: string;

  const step = async (id: string, path: string, as: string, body?: unknown) => {
    const res = await api.post(reportUrl(id, path), as, body);
    expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
  };
  const receive = async (overrides = {}) => {
    const res = await api.post('/v1/reports', 'intake', anIntakeBody(overrides));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ id: string }>().id;
  };

  beforeAll(async () => {
    api = await createApiEnv({ startTime: MONDAY_MORNING });
    // A major gas hazard, rectified, reviewed and written off, with feedback: closed.
    major = await receive({
      description: '饭店后厨燃气管道泄漏，老板电话13957246813',
      reporter: REPORTER,
      location: { address: '金桥路8号', district: '浦东新区', street: '金桥镇' },
    });
    await step(major, 'accept-report', 'dispatcher', {
      urgency: 'emergency',
      category: 'production_safety',
      domain: 'gas',
    });
    await step(major, 'assign-report', 'dispatcher', { unitId: 'unit-b', routing: 'rule' });
    await step(major, 'start-verification', 'handler:unit-b');
    await step(major, 'submit-verification', 'handler:unit-b', {
      outcome: 'substantiated',
      findings: '后厨燃气软管老化泄漏，未安装报警装置',
      hazardsFound: 2,
      majorHazard: true,
    });
    await step(major, 'order-rectification', 'handler:unit-b', {
      measures: ['order_rectification', 'suspension'],
      dueAt: new Date(Date.parse(MONDAY_MORNING) + 10 * DAY).toISOString(),
      fivePoints: FIVE_POINTS,
    });
    await step(major, 'report-rectification', 'handler:unit-b', {
      summary: '已更换软管、加装报警器，建立每日燃气安全自查台账',
    });
    await step(major, 'review-rectification', 'reviewer', { approved: true, comment: '整改到位，同意销号' });
    await step(major, 'give-feedback', 'handler:unit-b', { summary: '已责令整改并复查' });
    await step(major, 'record-satisfaction', 'intake', {
      rating: 'satisfied',
      resolved: true,
      comment: '处理及时',
    });
    await step(major, 'propose-reward', 'reward_proposer', {
      basis: { kind: 'fine', fineFen: 0 },
      declaration: NOT_EXCLUDED,
    });
    await step(major, 'decide-reward', 'reward_approver', { decision: 'approved' });
    await step(major, 'pay-reward', 'finance');

    plain = await receive({ description: '楼道内电动自行车充电' });
    await step(plain, 'accept-report', 'dispatcher', {
      urgency: 'general',
      category: 'fire',
      domain: 'e_bikes',
    });
    await step(plain, 'assign-report', 'dispatcher', { unitId: 'unit-a', routing: 'rule' });
    open = await receive({ channel: 'web', description: '工地脚手架不牢固' });

    await vi.waitFor(
      async () =>
        expect((await api.get('/v1/reports', 'supervisor')).json<ReportListPage>().items).toHaveLength(3),
      { timeout: 20_000, interval: 200 },
    );
  });
  afterAll(() => api?.close());

  it('exports the list as CSV with Chinese headers: the same reports, in the same order, as the list', async () => {
    const res = await api.get('/v1/exports/reports.csv', 'supervisor');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="reports-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // BOM for Excel
    const rows = parse<Record<string, string>>(res.rawPayload, { bom: true, columns: true });
    const listed = (await api.get('/v1/reports', 'supervisor')).json<ReportListPage>().items;
    expect(rows.map((r) => r['编号'])).toEqual(listed.map((i) => i.reportId));
    const gas = rows.find((r) => r['编号'] === major)!;
    expect(gas).toMatchObject({
      来源渠道: '12345热线',
      当前阶段: '已办结',
      紧急程度: '紧急类',
      行业领域: '燃气',
      街镇: '金桥镇',
      重大隐患: '是',
      核查结论: '属实',
      发现隐患数: '2',
      满意度: '满意',
      办结结果: '已奖励',
    });
    expect(gas['整改完成时间']).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  it('exports with the list filters: a filtered export holds exactly the filtered list', async () => {
    const res = await api.get('/v1/exports/reports.csv?stage=received&stage=assigned', 'supervisor');
    const rows = parse<Record<string, string>>(res.rawPayload, { bom: true, columns: true });
    expect(rows.map((r) => r['编号']).sort()).toEqual([plain, open].sort());
    // a handler's export is its own unit's
    const mine = await api.get('/v1/exports/reports.csv', 'handler:unit-a');
    expect(
      parse<Record<string, string>>(mine.rawPayload, { bom: true, columns: true }).map((r) => r['编号']),
    ).toEqual([plain]);
  });

  it('exports XLSX that ExcelJS opens, with the header row and one row per report', async () => {
    const res = await api.get('/v1/exports/reports.xlsx', 'dispatcher');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.getWorksheet('举报清单')!;
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getRow(1).getCell(1).value).toBe('编号');
    const ids = [2, 3, 4].map((n) => sheet.getRow(n).getCell(1).value);
    expect(ids.sort()).toEqual([major, plain, open].sort());
  });

  it('exports the major-hazard progress table with its fixed columns and the five fixed points', async () => {
    const res = await api.get('/v1/exports/major-hazards.xlsx', 'supervisor');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      '隐患编号',
      '隐患情况',
      '责任单位',
      '行业领域',
      '所在区',
      '所在街镇',
      '发现时间',
      '整改期限',
      '责任落实',
      '措施落实',
      '资金落实',
      '时限落实',
      '预案落实',
      '整改状态',
      '销号时间',
    ]);
    expect(sheet.rowCount).toBe(2); // only the major hazard
    const row = Object.fromEntries(header.map((h, i) => [h, sheet.getRow(2).getCell(i + 1).value]));
    expect(row).toMatchObject({
      隐患编号: major,
      隐患情况: '后厨燃气软管老化泄漏，未安装报警装置',
      行业领域: '燃气',
      所在街镇: '金桥镇',
      责任落实: FIVE_POINTS.responsibility,
      预案落实: FIVE_POINTS.contingencyPlan,
      整改状态: '已销号',
    });
    expect(row['发现时间']).toMatch(/^2026-11-2\d$/);
    expect(row['整改期限']).toBe('2026-12-03');
    expect(row['销号时间']).toMatch(/^2026-11-2\d$/);
    const csv = await api.get('/v1/exports/major-hazards.csv', 'supervisor');
    expect(parse(csv.rawPayload, { bom: true, columns: true })).toHaveLength(1);
  });

  it('refuses exports to roles that do not report on figures, and bad formats or filters', async () => {
    expect((await api.get('/v1/exports/reports.csv', 'finance')).statusCode).toBe(403);
    expect((await api.get('/v1/exports/reports.csv')).statusCode).toBe(401);
    expect((await api.get('/v1/exports/reports.pdf', 'supervisor')).statusCode).toBe(400);
    expect((await api.get('/v1/exports/reports.csv?stage=nonsense', 'supervisor')).statusCode).toBe(400);
  });

  it('writes up a closed report in the case template: four sections, Markdown and DOCX, no identity', async () => {
    const md = await api.get(`${reportUrl(major)}/case-write-up.md`, 'supervisor');
    expect(md.statusCode, md.body).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    const text = md.body;
    const headings = text.split('\n').filter((l) => l.startsWith('## '));
    expect(headings).toEqual(['## 一、案例背景', '## 二、处置过程', '## 三、群众反馈', '## 四、长效机制']);
    expect(text).toMatch(/^# 群众共治典型案例：浦东新区金桥镇燃气隐患举报办理/);
    expect(text).toContain('12345热线');
    expect(text).toContain('发现隐患2处（含重大事故隐患');
    expect(text).toContain('责令整改、停产停业');
    expect(text).toContain('满意');
    expect(text).toContain('建立每日燃气安全自查台账');
    for (const secret of [REPORTER.name, REPORTER.phone, REPORTER.idNumber])
      expect(text).not.toContain(secret);
    // The citizen's own words are never quoted (their text held a phone number), nor the reward's amount.
    expect(text).not.toContain('老板电话');
    expect(text).not.toContain('139');
    expect(text).toMatch(/发放了奖励。/);
    expect(text).not.toMatch(/奖励[\d,.]+元/);

    const docx = await api.get(`${reportUrl(major)}/case-write-up.docx`, 'dispatcher');
    expect(docx.statusCode).toBe(200);
    const zip = await JSZip.loadAsync(docx.rawPayload);
    const xml = await zip.file('word/document.xml')!.async('string');
    const paragraphs = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]);
    for (const heading of ['一、案例背景', '二、处置过程', '三、群众反馈', '四、长效机制'])
      expect(paragraphs).toContain(heading);
    for (const secret of [REPORTER.name, REPORTER.phone, REPORTER.idNumber])
      expect(xml).not.toContain(secret);
  });

  it('writes up closed reports only, for the roles that publish cases', async () => {
    const notClosed = await api.get(`${reportUrl(plain)}/case-write-up.md`, 'supervisor');
    expect(notClosed.statusCode).toBe(409);
    expect(notClosed.json()).toMatchObject({ type: 'https://bihuan.dev/problems/wrong-stage' });
    expect((await api.get(`${reportUrl(major)}/case-write-up.md`, 'handler:unit-b')).statusCode).toBe(403);
  });
});
