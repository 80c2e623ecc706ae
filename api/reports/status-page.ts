import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type postgres from 'postgres';
import Type from 'typebox';
import { CLOSURE_LABELS, EVENT_LABELS, STAGE_LABELS } from '../../domain/labels.js';
import type { StageName } from '../../domain/report/report-state.js';
import type { TimelineEventType } from '../../domain/report/timeline-events.js';
import { ProblemError, problemResponses } from '../platform/problems.js';
import { ClaimCodeSchema, hashClaimCode } from './claim-code.js';

/**
 * The citizen status page, `GET /status/<claimCode>` (HTML, or JSON when asked): how an anonymous
 * reporter — reachable by no SMS — follows the report. It shows the stage, the public replies (受理,
 * 不予受理 and why, 阶段性答复, 办理结果反馈) and the reward claim, and nothing about any person: no
 * names, units' staff, actors or findings beyond the replies written for the reporter. The claim
 * code is the only key, so the page is rate-limited per client and the code never reaches a log.
 */

/** The timeline events a reporter may read, and the one field of each written for them. */
const PUBLIC_EVENTS: Partial<Record<TimelineEventType, 'reason' | 'summary' | null>> = {
  received: null,
  accepted: null,
  rejected: 'reason',
  interim_reply_given: 'summary',
  feedback_given: 'summary',
  reward_pending: null,
  reward_claimed: null,
  reward_approved: null,
  reward_adjusted: null,
  reward_rejected: null,
  reward_paid: null,
  reward_unclaimed: null,
  closed: null,
  withdrawn: null,
  merged_into: null,
  cancelled: null,
};

const StatusSchema = Type.Object({
  reportId: Type.String(),
  stage: Type.String(),
  stageLabel: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  closedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  outcome: Type.Union([Type.String(), Type.Null()]),
  replies: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      type: Type.String(),
      label: Type.String(),
      text: Type.Optional(Type.String()),
    }),
  ),
  reward: Type.Object({
    status: Type.Union(
      ['none', 'claimable', 'claimed', 'approved', 'paid', 'rejected', 'unclaimed'].map((s) =>
        Type.Literal(s),
      ),
    ),
    claimBy: Type.Optional(Type.String({ format: 'date-time' })),
    amountFen: Type.Optional(Type.Integer()),
  }),
});
type Status = {
  reportId: string;
  stage: string;
  stageLabel: string;
  receivedAt: string;
  closedAt: string | null;
  outcome: string | null;
  replies: { at: string; type: string; label: string; text?: string }[];
  reward: { status: string; claimBy?: string; amountFen?: number };
};

async function statusOf(sql: postgres.Sql, claimCode: string): Promise<Status | undefined> {
  const [report] = await sql<
    {
      report_id: string;
      stage: StageName;
      received_at: Date;
      closed_at: Date | null;
      closure_outcome: string | null;
      reward_approved_fen: string | null;
      reward_paid_fen: string | null;
    }[]
  >`
    select r.report_id, r.stage, r.received_at, r.closed_at, r.closure_outcome,
           r.reward_approved_fen, r.reward_paid_fen
    from intake_requests i join reports r on r.report_id = i.report_id
    where i.reporter_ref ->> 'kind' = 'anonymous'
      and i.reporter_ref ->> 'claimCodeHash' = ${hashClaimCode(claimCode)}`;
  if (!report) return undefined;
  const events = await sql<{ type: TimelineEventType; at: Date; data: Record<string, unknown> }[]>`
    select type, at, data from report_events
    where report_id = ${report.report_id} and type in ${sql(Object.keys(PUBLIC_EVENTS))}
    order by sequence`;
  const [claim] = await sql<{ due_at: Date }[]>`
    select due_at from report_clocks
    where report_id = ${report.report_id} and clock = 'reward_claim' and stopped_at is null`;
  const has = (type: TimelineEventType) => events.some((e) => e.type === type);
  const reward: Status['reward'] = report.reward_paid_fen
    ? { status: 'paid', amountFen: Number(report.reward_paid_fen) }
    : report.reward_approved_fen
      ? { status: 'approved', amountFen: Number(report.reward_approved_fen) }
      : has('reward_rejected')
        ? { status: 'rejected' }
        : has('reward_unclaimed')
          ? { status: 'unclaimed' }
          : has('reward_claimed')
            ? { status: 'claimed' }
            : claim
              ? { status: 'claimable', claimBy: claim.due_at.toISOString() }
              : { status: 'none' };
  return {
    reportId: report.report_id,
    stage: report.stage,
    stageLabel: STAGE_LABELS[report.stage] ?? report.stage,
    receivedAt: report.received_at.toISOString(),
    closedAt: report.closed_at?.toISOString() ?? null,
    outcome: report.closure_outcome
      ? (CLOSURE_LABELS[report.closure_outcome] ?? report.closure_outcome)
      : null,
    replies: events.map((e) => {
      const field = PUBLIC_EVENTS[e.type];
      const text = field ? e.data[field] : undefined;
      return {
        at: e.at.toISOString(),
        type: e.type,
        label: EVENT_LABELS[e.type],
        ...(typeof text === 'string' ? { text } : {}),
      };
    }),
    reward,
  };
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const beijing = (iso: string) =>
  new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
const REWARD_LABELS: Record<string, string> = {
  none: '暂无奖励事项',
  claimable: '可凭认领码申领奖励',
  claimed: '已认领，待审批',
  approved: '奖励已审批，待发放',
  paid: '奖励已发放',
  rejected: '不予奖励',
  unclaimed: '认领期满未认领',
};

function page(s: Status): string {
  const replies = s.replies
    .map(
      (r) =>
        `<li><time>${escape(beijing(r.at))}</time> <strong>${escape(r.label)}</strong>${r.text ? `<p>${escape(r.text)}</p>` : ''}</li>`,
    )
    .join('');
  const reward =
    REWARD_LABELS[s.reward.status]! +
    (s.reward.claimBy ? `（请于 ${escape(beijing(s.reward.claimBy))} 前申领）` : '') +
    (s.reward.amountFen !== undefined ? `：${(s.reward.amountFen / 100).toFixed(2)} 元` : '');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>举报办理进度</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;color:#1f2933}li{margin:.6rem 0}time{color:#52606d;font-size:.85rem}</style>
</head><body>
<h1>举报办理进度</h1>
<p>当前阶段：<strong id="stage">${escape(s.stageLabel)}</strong>${s.outcome ? `（${escape(s.outcome)}）` : ''}</p>
<p>受理时间：${escape(beijing(s.receivedAt))}</p>
<h2>办理答复</h2><ol id="replies">${replies}</ol>
<h2>奖励</h2><p id="reward">${reward}</p>
<p><small>本页不显示任何个人信息。请妥善保管您的认领码。</small></p>
</body></html>`;
}

export function statusPageRoutes(deps: { sql: postgres.Sql }): FastifyPluginAsyncTypebox {
  return (app) => {
    app.get(
      '/status/:claimCode',
      {
        config: {
          rateLimit: {
            max: 30,
            timeWindow: 60_000,
            errorResponseBuilder: (_req, ctx) =>
              new ProblemError(
                'rate-limited',
                `at most ${ctx.max} status requests a minute; retry in ${ctx.after}`,
              ),
          },
        },
        schema: {
          tags: ['citizens'],
          operationId: 'reportStatus',
          summary:
            'An anonymous reporter’s status page by claim code: stage, public replies, reward claim (HTML, or JSON with Accept: application/json)',
          params: Type.Object({ claimCode: ClaimCodeSchema }),
          response: { 200: StatusSchema, ...problemResponses },
        },
      },
      async (req, reply) => {
        const status = await statusOf(deps.sql, req.params.claimCode);
        if (!status) throw new ProblemError('report-not-found', 'no report has this claim code');
        void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
        if (/application\/json/.test(req.headers.accept ?? '')) return status;
        return reply
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .type('text/html; charset=utf-8')
          .serializer((x: unknown) => x as string)
          .send(page(status));
      },
    );
    return Promise.resolve();
  };
}
