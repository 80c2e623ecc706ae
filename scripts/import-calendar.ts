/**
 * Writes `domain/calendar/cn-<year>.json` from the `chinese-days` package, so adding a year (or a
 * corrected notice) is a data edit reviewed in a diff:
 *
 *   npx tsx scripts/import-calendar.ts 2027 '国办发明电〔2026〕N号' https://www.gov.cn/zhengce/...
 *
 * The notice number and address are not in chinese-days' data: give them for a new year; a re-import
 * keeps those of the existing file. The version's revision goes up whenever the content changes.
 * Days off next to each other form one arrangement, named as the notice names it (国庆节、中秋节);
 * an adjusted workday belongs to the nearest arrangement of its festival. Check every date against
 * the notice before committing: the project decides deadlines with this file, not with the package.
 *
 * Into a running system, without a release (the notice reaches open reports at once):
 *
 *   BIHUAN_TOKEN=<admin token> npx tsx scripts/import-calendar.ts 2027 --to http://localhost:3000 [--file notice.json]
 *
 * PUTs the year (the file written above, or `--file` with `source`, `sourceUrl`, `holidays` and
 * `adjustedWorkdays`) to `/v1/calendars/<year>`, and prints which open reports' deadlines moved.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { CalendarDay, CalendarYear } from '../domain/work-calendar.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const [value] = args.splice(at, 2).slice(1);
  if (!value) throw new Error(`${name} needs a value`);
  return value;
};
const api = option('--to');
const noticeFile = option('--file');
const [yearArg, noticeNumber, noticeUrl] = args;
const year = Number(yearArg);
if (api) {
  await pushToApi(api, year, noticeFile);
  process.exit(0);
}
if (!Number.isInteger(year) || year < 2000) {
  throw new Error(
    'usage: import-calendar.ts <year> [notice number, e.g. 国办发明电〔2025〕7号] [notice url]',
  );
}
type Upstream = Record<string, string>; // date → "English,中文,statutory days"
const upstreamPath = fileURLToPath(import.meta.resolve(`chinese-days/dist/years/${year}.json`));
if (!existsSync(upstreamPath)) throw new Error(`chinese-days has no ${year} yet: update the devDependency`);
const upstream = JSON.parse(await readFile(upstreamPath, 'utf8')) as {
  holidays: Upstream;
  workdays: Upstream;
};
const target = fileURLToPath(new URL(`../domain/calendar/cn-${year}.json`, import.meta.url));
const previous = existsSync(target)
  ? (JSON.parse(await readFile(target, 'utf8')) as CalendarYear)
  : undefined;

/** chinese-days uses short or informal names for three festivals; these are the notices' names. */
const OFFICIAL: Record<string, { en: string; zh: string }> = {
  清明: { en: 'Qingming Festival', zh: '清明节' },
  端午: { en: 'Dragon Boat Festival', zh: '端午节' },
  中秋: { en: 'Mid-Autumn Festival', zh: '中秋节' },
};
const DAY = 86_400_000;
const nameOf = (raw: string) => {
  const [en = '', zh = ''] = raw.split(',');
  return OFFICIAL[zh] ?? { en, zh };
};

// Runs of consecutive days off, each with the festivals it covers in order of appearance.
const runs: { start: number; end: number; festivals: { en: string; zh: string }[] }[] = [];
for (const [date, raw] of Object.entries(upstream.holidays).sort(([a], [b]) => a.localeCompare(b))) {
  const t = Date.parse(date);
  const name = nameOf(raw);
  const last = runs.at(-1);
  const run = last && t - last.end === DAY ? last : { start: t, end: t, festivals: [] };
  if (run !== last) runs.push(run);
  run.end = t;
  if (!run.festivals.some((f) => f.zh === name.zh)) run.festivals.push(name);
}
const labelOf = (run: (typeof runs)[number]) => ({
  zh: run.festivals.map((f) => f.zh).join('、'),
  en: run.festivals.map((f) => f.en).join(' and '),
});
const holidays: CalendarDay[] = runs.flatMap((run) => {
  const days = Array.from({ length: (run.end - run.start) / DAY + 1 }, (_, i) => run.start + i * DAY);
  return days.map((t) => ({ date: new Date(t).toISOString().slice(0, 10), ...labelOf(run) }));
});
const adjustedWorkdays: CalendarDay[] = Object.entries(upstream.workdays)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([date, raw]) => {
    const t = Date.parse(date);
    const distance = (r: (typeof runs)[number]) => Math.min(Math.abs(t - r.start), Math.abs(t - r.end));
    const own = runs.filter((r) => r.festivals.some((f) => f.zh === nameOf(raw).zh));
    const nearest = own.sort((a, b) => distance(a) - distance(b))[0];
    if (!nearest) throw new Error(`adjusted workday ${date} (${raw}) belongs to no days off`);
    return { date, ...labelOf(nearest) };
  });

const source = noticeNumber
  ? `国务院办公厅关于${year}年部分节假日安排的通知（${noticeNumber}）`
  : previous?.source;
const sourceUrl = noticeUrl ?? previous?.sourceUrl;
if (!source || !sourceUrl) throw new Error(`a new year needs the notice number and url`);
const file = (version: string) => ({ year, version, source, sourceUrl, holidays, adjustedWorkdays });
const unchanged = previous && JSON.stringify(file(previous.version)) === JSON.stringify(previous);
const revision = Number(previous?.version.split('.').at(-1) ?? 0) + (unchanged ? 0 : 1);

// One day per line: the diff of a changed notice shows exactly the days that changed.
const list = (days: CalendarDay[]) => `[\n${days.map((d) => JSON.stringify(d)).join(',\n')}\n]`;
const json = `{\n"year": ${year}, "version": "cn-${year}.${revision}", "source": ${JSON.stringify(source)},
"sourceUrl": ${JSON.stringify(sourceUrl)},
"holidays": ${list(holidays)}, "adjustedWorkdays": ${list(adjustedWorkdays)}}`;
const options = (await resolveConfig(target)) ?? {};
await writeFile(target, await format(json, { ...options, parser: 'json' }));
console.log(
  `${target}: cn-${year}.${revision}, ${holidays.length} days off, ${adjustedWorkdays.length} adjusted workdays`,
);

/** PUT /v1/calendars/<year> on a running system, and what it answered. */
async function pushToApi(base: string, year: number, file: string | undefined): Promise<void> {
  const token = process.env.BIHUAN_TOKEN;
  if (!token) throw new Error('set BIHUAN_TOKEN to an admin token of the API');
  if (!Number.isInteger(year))
    throw new Error('usage: import-calendar.ts <year> --to <api url> [--file notice.json]');
  const path = file ?? fileURLToPath(new URL(`../domain/calendar/cn-${year}.json`, import.meta.url));
  const { source, sourceUrl, holidays, adjustedWorkdays } = JSON.parse(
    await readFile(path, 'utf8'),
  ) as CalendarYear;
  const res = await fetch(new URL(`/v1/calendars/${year}`, base), {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source, sourceUrl, holidays, adjustedWorkdays }),
  });
  const answer = (await res.json()) as {
    version?: string;
    created?: boolean;
    totals?: { reports: number; moved: number; failed: number };
    detail?: string;
  };
  if (!res.ok) throw new Error(`${res.status}: ${answer.detail ?? JSON.stringify(answer)}`);
  console.log(
    `${answer.version} ${answer.created ? 'imported' : 'already imported'}; ${answer.totals?.reports ?? 0} open reports recomputed, ${answer.totals?.moved ?? 0} deadlines moved, ${answer.totals?.failed ?? 0} failed`,
  );
}
