import * as chineseDays from 'chinese-days';
import type { CalendarDay, CalendarYear } from './work-calendar.js';

/**
 * The days off the law itself fixes, for a year whose State Council notice (国务院办公厅关于某年部分
 * 节假日安排的通知) has not been imported yet — usually published in November for the next year.
 * 《全国年节及纪念日放假办法》as amended (国务院令第795号, in force from 2025-01-01): 元旦 1 day;
 * 春节 4 days, 农历除夕 to 正月初三; 清明节 1 day (the solar term); 劳动节 2 days, 1–2 May; 端午节
 * 1 day (五月初五); 中秋节 1 day (八月十五); 国庆节 3 days, 1–3 October.
 *
 * The notice later adds the bridging days and the make-up working days (调休) the law leaves to it,
 * so a year built from the law is provisional: deadlines computed with it say so in their
 * provenance, and are recomputed when the notice arrives. Lunar dates and the solar term come from
 * `chinese-days` (pure computation, no I/O).
 */
export const STATUTORY_RULE = {
  version: 'statutory-2025',
  source: '《全国年节及纪念日放假办法》（国务院令第795号修订，2025年1月1日起施行）',
  sourceUrl: 'https://www.gov.cn/zhengce/content/202411/content_6986380.htm',
} as const;

const lib = (chineseDays as unknown as { default?: typeof chineseDays }).default ?? chineseDays;

const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
/** The Gregorian date of a lunar month and day in the lunar year that begins in `year`. */
const fromLunar = (year: number, month: number, day: number) =>
  lib.getSolarDateFromLunar(`${year}-${pad(month)}-${pad(day)}`).date;

/** The days off of `year` under the law alone, in date order, all in `year`. */
export function statutoryHolidays(year: number): CalendarDay[] {
  const day = (date: string, zh: string, en: string): CalendarDay => ({ date, zh, en });
  const springFestival = fromLunar(year, 1, 1);
  const qingming = lib.getSolarTerms(`${year}-04-01`, `${year}-04-10`).find((t) => t.name === '清明')?.date;
  if (!qingming) throw new Error(`no 清明 solar term found in early April ${year}`);
  const days = [
    day(`${year}-01-01`, '元旦', "New Year's Day"),
    // 除夕 is the day before 正月初一, even where 腊月 has 29 days.
    ...[-1, 0, 1, 2].map((d) => day(shift(springFestival, d), '春节', 'Spring Festival')),
    day(qingming, '清明节', 'Qingming Festival'),
    day(`${year}-05-01`, '劳动节', 'Labour Day'),
    day(`${year}-05-02`, '劳动节', 'Labour Day'),
    day(fromLunar(year, 5, 5), '端午节', 'Dragon Boat Festival'),
    day(fromLunar(year, 8, 15), '中秋节', 'Mid-Autumn Festival'),
    day(`${year}-10-01`, '国庆节', 'National Day'),
    day(`${year}-10-02`, '国庆节', 'National Day'),
    day(`${year}-10-03`, '国庆节', 'National Day'),
  ];
  // 除夕 of a Spring Festival on 1 January would fall in the year before: kept to `year`'s own days.
  const own = days.filter((d) => d.date.startsWith(`${year}-`));
  const unique = new Map(own.map((d) => [d.date, d]));
  return [...unique.values()].sort((a, b) => a.date.localeCompare(b.date));
}

/** A provisional calendar year from the law alone: its days off, no make-up working days. */
export function statutoryYear(year: number): CalendarYear {
  return {
    year,
    version: `cn-${year}.${STATUTORY_RULE.version}`,
    source: `${STATUTORY_RULE.source}（${year}年国务院办公厅通知未导入：暂按法定假日计算，不含调休）`,
    sourceUrl: STATUTORY_RULE.sourceUrl,
    holidays: statutoryHolidays(year),
    adjustedWorkdays: [],
    provisional: true,
  };
}
