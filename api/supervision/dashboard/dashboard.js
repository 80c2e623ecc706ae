// The supervisors' dashboard: plain ES module, no build step. Data comes only from the API, with
// the token the supervisor pasted (kept in this browser session only).
const TOKEN = 'bihuan-token';
const $ = (selector) => document.querySelector(selector);

// Chinese labels come from the API (api/labels.ts), the one place they are kept.
let L = { clocks: {}, stages: {}, urgencies: {}, channels: {}, events: {}, roles: {}, rungs: {} };
let UNITS = {};
const label = (table, value) => table[value] ?? value ?? '';
const unitName = (id) => (id ? (UNITS[id] ?? id) : '指挥中心');
const time = (iso) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';

async function api(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` } });
  if (res.status === 401 || res.status === 403)
    throw Object.assign(new Error('登录已失效或无权限'), { auth: true });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

const cell = (text, className) => {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
};
const reportLink = (id) => {
  const td = document.createElement('td');
  const a = document.createElement('a');
  a.textContent = id.replace(/^report:/, '');
  a.dataset.report = id;
  a.addEventListener('click', () => void openTimeline(id).catch(fail));
  td.append(a);
  return td;
};
const row = (cells) => {
  const tr = document.createElement('tr');
  tr.append(...cells);
  return tr;
};
const fill = (table, rows) => $(`${table} tbody`).replaceChildren(...rows.map(row));
const options = (select, table) =>
  select.append(...Object.entries(table).map(([value, text]) => new Option(text, value)));

/** What a timeline entry adds to its type: the clock, rung, unit or deadline it is about. */
function detail(e) {
  const d = e.data ?? {};
  const parts = [];
  if (d.clock) parts.push(label(L.clocks, d.clock));
  if (d.rung) parts.push(label(L.rungs, d.rung));
  if (d.unitId) parts.push(unitName(d.unitId));
  if (d.dueAt && e.type !== 'deadline_missed') parts.push(`时限 ${time(d.dueAt)}`);
  return parts.join(' · ');
}

async function openTimeline(id) {
  const { timeline } = await api(`/v1/reports/${encodeURIComponent(id)}/timeline`);
  $('#timeline-report').textContent = id;
  $('#timeline').replaceChildren(
    ...timeline.map((e) => {
      const li = document.createElement('li');
      li.dataset.type = e.type;
      const when = document.createElement('time');
      when.textContent = time(e.at);
      const what = document.createElement('strong');
      what.textContent = label(L.events, e.type);
      const who = e.actor
        ? `（${label(L.roles, e.actor.role)}${e.actor.unitId ? ` · ${unitName(e.actor.unitId)}` : ''}）`
        : '';
      const more = detail(e);
      li.append(when, what, who, more ? ` ${more}` : '');
      return li;
    }),
  );
  $('#timeline-panel').hidden = false;
}

function card(name, text, title = '') {
  const div = document.createElement('div');
  div.className = 'card';
  div.title = title;
  const value = document.createElement('div');
  value.className = 'value';
  value.textContent = text;
  const caption = document.createElement('div');
  caption.className = 'label';
  caption.textContent = name;
  div.append(value, caption);
  return div;
}
const percent = (rate) => (rate && rate.value !== null ? `${(rate.value * 100).toFixed(1)}%` : '—');
const rateCard = (name, rate) => card(name, percent(rate), rate?.formula ?? '');

const charts = {};
function draw(id, config) {
  charts[id]?.destroy();
  config.options = { animation: false, maintainAspectRatio: false, ...config.options };
  charts[id] = new window.Chart($(`#${id}`), config);
  window.bihuanCharts = charts; // the browser test reads what was drawn
}

async function loadReference() {
  L = await (await fetch('/dashboard/labels.json')).json();
  options($('#filter-stage'), L.stages);
  options($('#filter-urgency'), L.urgencies);
  UNITS = Object.fromEntries((await api('/v1/units')).map((u) => [u.id, u.name]));
  options($('#filter-unit'), UNITS);
}

/** The statistics' window ends at the API's own clock (its board's asOf), not the browser's. */
function period(asOf) {
  const days = Number($('#period').value);
  if (!days) return { query: '', bucket: 'month' };
  const from = new Date(Date.parse(asOf) - days * 86_400_000).toISOString();
  return { query: `receivedFrom=${encodeURIComponent(from)}&`, bucket: days > 31 ? 'week' : 'day' };
}

async function loadBoards() {
  const [overdue, due] = await Promise.all([api('/v1/boards/overdue'), api('/v1/boards/due?withinHours=24')]);
  $('#as-of').textContent = `数据截至 ${time(overdue.asOf)}`;
  $('#overdue-count').textContent = `（${overdue.items.length} 项）`;
  $('#overdue-summary').textContent = overdue.byClock
    .map((c) => `${label(L.clocks, c.clock)} ${c.count} 件`)
    .concat(overdue.byRung.map((r) => `督办${r.rungsFired}次 ${r.count} 件`))
    .join('　');
  fill(
    '#overdue',
    overdue.items.map((i) => [
      reportLink(i.reportId),
      cell(label(L.clocks, i.clock)),
      cell(unitName(i.unitId)),
      cell(String(i.overdueHours), 'overdue'),
      cell(String(i.rungsFired)),
    ]),
  );
  fill(
    '#due',
    due.items.map((i) => [
      reportLink(i.reportId),
      cell(label(L.clocks, i.clock)),
      cell(unitName(i.unitId)),
      cell(String(-i.overdueHours)),
    ]),
  );
  return overdue.asOf;
}

async function loadFigures(asOf) {
  const { query, bucket } = period(asOf);
  const [stats, trend] = await Promise.all([
    api(`/v1/statistics?${query}`),
    api(`/v1/statistics/trend?${query}bucket=${bucket}`),
  ]);
  $('#rates').replaceChildren(
    card('接收件数', String(stats.counts.received)),
    card('逾期件数', String(stats.counts.overdue)),
    rateCard('整改率', stats.rates.rectificationRate),
    rateCard('响应率', stats.threeRates.responseRate),
    rateCard('解决率', stats.threeRates.resolutionRate),
    rateCard('满意率', stats.threeRates.satisfactionRate),
  );
  draw('trend', {
    type: 'line',
    data: {
      labels: trend.map((d) => d.period),
      datasets: [
        { label: '接收', data: trend.map((d) => d.received), borderColor: '#0b69a3' },
        { label: '办结', data: trend.map((d) => d.closed), borderColor: '#2f8132' },
        { label: '逾期', data: trend.map((d) => d.overdue), borderColor: '#b71c1c' },
      ],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw('ontime', {
    type: 'bar',
    data: {
      labels: stats.steps.map((s) => label(L.clocks, s.clock)),
      datasets: [
        {
          label: '按时率 %',
          data: stats.steps.map((s) => (s.onTimeRate.value ?? 0) * 100),
          backgroundColor: '#0b69a3',
        },
      ],
    },
    options: { scales: { y: { min: 0, max: 100 } } },
  });
}

let nextCursor;
function listQuery() {
  const q = new URLSearchParams({ limit: '20' });
  for (const [name, id] of [
    ['stage', '#filter-stage'],
    ['urgency', '#filter-urgency'],
    ['unitId', '#filter-unit'],
  ])
    if ($(id).value) q.set(name, $(id).value);
  if ($('#filter-overdue').checked) q.set('overdue', 'true');
  if ($('#filter-q').value.trim()) q.set('q', $('#filter-q').value.trim());
  return q;
}
async function loadReports(more = false) {
  const q = listQuery();
  if (more && nextCursor) q.set('cursor', nextCursor);
  const page = await api(`/v1/reports?${q}`);
  nextCursor = page.nextCursor ?? undefined;
  $('#more').hidden = !nextCursor;
  const rows = page.items.map((r) =>
    row([
      reportLink(r.reportId),
      cell(label(L.channels, r.channel)),
      cell(label(L.stages, r.stage)),
      cell(label(L.urgencies, r.urgency)),
      cell(r.street ?? ''),
      cell(r.unitId ? unitName(r.unitId) : ''),
      cell(r.overdue ? '是' : '', r.overdue ? 'overdue' : ''),
    ]),
  );
  if (more) $('#reports tbody').append(...rows);
  else $('#reports tbody').replaceChildren(...rows);
  document.body.dataset.reports = String($('#reports tbody').children.length);
}

async function load() {
  delete document.body.dataset.loaded;
  if (Object.keys(L.stages).length === 0) await loadReference();
  const asOf = await loadBoards();
  await Promise.all([loadFigures(asOf), loadReports()]);
  document.body.dataset.loaded = 'true';
}

function show(loggedIn) {
  $('#login').hidden = loggedIn;
  $('#app').hidden = !loggedIn;
  $('#logout').hidden = !loggedIn;
  if (!loggedIn) $('#timeline-panel').hidden = true;
}

function fail(err) {
  if (!err.auth) throw err;
  sessionStorage.removeItem(TOKEN);
  show(false);
  $('#login-error').hidden = false;
  $('#login-error').textContent = err.message;
}

async function start() {
  if (!sessionStorage.getItem(TOKEN)) return show(false);
  show(true);
  $('#login-error').hidden = true;
  await load().catch(fail);
}

$('#login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN, $('#token').value.trim());
  $('#token').value = '';
  void start();
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  show(false);
});
$('#filters').addEventListener('submit', (event) => {
  event.preventDefault();
  delete document.body.dataset.reports;
  void loadReports().catch(fail);
});
$('#more').addEventListener('click', () => void loadReports(true).catch(fail));
$('#period').addEventListener('change', () => void load().catch(fail));
$('#close-timeline').addEventListener('click', () => ($('#timeline-panel').hidden = true));
window.addEventListener('load', () => void start());
