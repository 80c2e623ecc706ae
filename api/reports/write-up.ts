import { Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import type { ReportView } from '../../domain/report/report-view.js';
import { CHANNELS, ROLES } from '../../domain/vocabulary.js';
import { beijingTime, label } from '../../domain/labels.js';

/**
 * 群众共治典型案例: a closed report written up in the case template districts publish —
 * background, handling, public response, long-term mechanism — from the workflow's own record.
 * It is meant for publication, so it names units and roles, never people, and tells what happened
 * in its own words from the structured record: it never quotes the reporter — not the report's
 * text, not the callback's comment (a citizen's own words can name them) — and leaves the reward's
 * amount out (a reporter's reward is theirs to make public). The units' own words (findings, the
 * rectification report) are quoted, with digit runs that look like a phone or ID number masked.
 */
export interface CaseWriteUp {
  readonly title: string;
  readonly sections: readonly { readonly heading: string; readonly paragraphs: readonly string[] }[];
}

export const CASE_SECTIONS = ['一、案例背景', '二、处置过程', '三、群众反馈', '四、长效机制'] as const;

/** 7+ digits (phones, ID numbers, plates with digits) keep their first three and last two. */
const maskNumbers = (text: string) =>
  text.replace(/\d[\d\s-]{5,}\d[\dXx]?/g, (m) => {
    const digits = m.replace(/[\s-]/g, '');
    return digits.length < 7 ? m : `${digits.slice(0, 3)}****${digits.slice(-2)}`;
  });

const yuan = (fen: number) => `${(fen / 100).toLocaleString('zh-CN', { maximumFractionDigits: 2 })}元`;

export function writeUpCase(view: ReportView, unitName: (id: string) => string): CaseWriteUp {
  const { intake, classification, verification, rectification } = view;
  const unit = view.unitId ? unitName(view.unitId) : '承办单位';
  const place = [intake.location.district, intake.location.street].filter(Boolean).join('');
  const subject = classification ? label('domain', classification.domain) : '安全生产';
  const event = (type: string) => view.timeline.find((e) => e.type === type);

  const background = [
    `${beijingTime(intake.receivedAt)}，群众通过${CHANNELS[intake.channel]}反映${place}存在${subject}方面的安全隐患` +
      (classification
        ? `，经受理定为${label('urgency', classification.urgency)}、${label('category', classification.category)}类。`
        : '。'),
  ];

  const handling: string[] = [];
  const accepted = event('accepted');
  if (accepted)
    handling.push(
      `${beijingTime(accepted.at)}，${ROLES.dispatcher}受理该举报，定为${label('urgency', classification?.urgency)}、` +
        `${label('category', classification?.category)}类，交${unit}办理。`,
    );
  const misrouted = view.assignments.filter((a) => a.ended !== undefined).length;
  if (misrouted > 0) handling.push(`期间经${misrouted}次退回或派单异议后重新交办。`);
  if (verification) {
    const found =
      verification.hazardsFound > 0
        ? `发现隐患${verification.hazardsFound}处${verification.majorHazard ? '（含重大事故隐患，实行挂牌督办）' : ''}`
        : '未发现隐患';
    handling.push(
      `${beijingTime(verification.at)}，${unitName(verification.unitId)}完成现场核查，核查结论为` +
        `“${label('outcome', verification.outcome)}”，${found}。核查情况：${maskNumbers(verification.findings)}`,
    );
  }
  if (rectification) {
    const measures = rectification.measures.map((m) => label('measure', m)).join('、');
    const fine = rectification.fineFen ? `，处罚款${yuan(rectification.fineFen)}` : '';
    handling.push(
      `${beijingTime(rectification.orderedAt)}，对责任单位采取${measures}等措施${fine}，` +
        `限期于${beijingTime(rectification.dueAt)}前整改完毕。`,
    );
    if (rectification.completedAt)
      handling.push(
        `${beijingTime(rectification.completedAt)}，整改经审核通过${rectification.writtenOffAt ? '并销号' : ''}。`,
      );
  }
  const paid = view.reward.payment;
  if (paid) handling.push('依据《安全生产领域举报奖励办法》，向举报人发放了奖励。');

  const response: string[] = [];
  const feedback = view.feedback.at(-1);
  if (feedback) response.push(`${beijingTime(feedback.at)}，向举报人反馈办理结果。`);
  const rating = view.satisfaction.at(-1);
  response.push(
    rating ? `举报人对办理结果表示“${label('satisfaction', rating.rating)}”。` : '举报人未作满意度评价。',
  );
  if (view.reopens > 0) response.push(`因群众不满意，本件曾重新办理${view.reopens}次。`);

  // The unit's own words on what stays in place: its last rectification report, as reviewed.
  const lastReport = rectification?.reports.at(-1);
  const mechanism = lastReport
    ? [`${unit}：${maskNumbers(lastReport.summary)}`]
    : [`${unit}未填报长效机制。`];

  return {
    title: `群众共治典型案例：${place}${subject}隐患举报办理`,
    sections: [
      { heading: CASE_SECTIONS[0], paragraphs: background },
      { heading: CASE_SECTIONS[1], paragraphs: handling },
      { heading: CASE_SECTIONS[2], paragraphs: response },
      { heading: CASE_SECTIONS[3], paragraphs: mechanism },
    ],
  };
}

export function caseMarkdown(c: CaseWriteUp): string {
  return [
    `# ${c.title}`,
    ...c.sections.flatMap((s) => ['', `## ${s.heading}`, '', ...s.paragraphs.flatMap((p) => [p, ''])]),
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()
    .concat('\n');
}

export async function caseDocx(c: CaseWriteUp): Promise<Buffer> {
  const doc = new Document({
    creator: 'Bihuan 闭环',
    title: c.title,
    styles: { default: { document: { run: { font: 'SimSun', size: 24 } } } },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(c.title)] }),
          ...c.sections.flatMap((s) => [
            new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(s.heading)] }),
            ...s.paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })),
          ]),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
