// The supervisors' dashboard: plain ES module, no build step. Data comes only from the API, with
// the token the supervisor pasted (kept in this browser session only).
const TOKEN = 'bihuan-token';
const $ = (selector) => document.querySelector(selector);

// Chinese labels come from the API (api/labels.ts), the one place they are kept.
let L = {
  clocks: {},
  stages: {},
  urgencies: {},
  channels: {},
  events: {},
  roles: {},
  rungs: {},
  supervisionActions: {},
};
let UNITS = {};
const label = (table, value) => table[value] ?? value ?? '';
const unitName = (id) => (id ? (UNITS[id] ?? id) : '指挥中心');
const time = (iso) =>
  iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';

const bearer = () => ({ authorization: `Bearer ${sessionStorage.getItem(TOKEN)}` });

async function api(path) {
  const res = await fetch(path, { headers: bearer() });
  if (res.status === 401 || res.status === 403)
    throw Object.assign(new Error('登录已失效或无权限'), { auth: true });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

/**
 * A step on a report, through the same endpoint every client uses. The Idempotency-Key makes a
 * double click or a retry after a dropped connection one step. A refusal is shown, not thrown:
 * the API's problem document says why (wrong stage, not this role's, …).
 */
async function act(id, step, body) {
  const res = await fetch(`/v1/reports/${encodeURIComponent(id)}/${step}`, {
    method: 'POST',
    headers: { ...bearer(), 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  if (res.ok) return { ok: true };
  const problem = await res.json().catch(() => ({}));
  return { ok: false, message: `${problem.title ?? res.status}：${problem.detail ?? ''}` };
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
  a.addEventListener('click', () => void openReport(id).catch(fail));
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
  if (d.action) parts.push(label(L.supervisionActions, d.action));
  if (d.unitId) parts.push(unitName(d.unitId));
  if (d.dueAt && e.type !== 'deadline_missed') parts.push(`时限 ${time(d.dueAt)}`);
  return parts.join(' · ');
}

function renderTimeline(timeline) {
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
}

// The desk: what the open report waits for decides which forms show. The API still judges every
// action (role, stage, input); the page only offers what could apply.
const TERMINAL = ['closed', 'rejected', 'withdrawn', 'merged', 'cancelled'];
let openId;
let acted = 0;

function renderDesk(view) {
  const open = !TERMINAL.includes(view.stage.name);
  $('#desk').hidden = !open;
  const extension = (view.extensions ?? []).find((e) => !e.decision);
  const pause = (view.pauseRequests ?? []).find((p) => !p.decision);
  const interview = (view.interviews ?? []).find((i) => !i.held);
  const returned = view.stage.name === 'returned' ? view.assignments.at(-1) : undefined;
  $('#desk-interview').hidden = !interview;
  $('#desk-lift').hidden = !(view.listing && !view.listing.lifted);
  $('#desk-extension').hidden = !extension;
  if (extension)
    $('#desk-extension .pending').textContent =
      `${unitName(extension.unitId)} 申请将${label(L.clocks, extension.clock)}时限由 ${time(extension.dueAt)} ` +
      `延至 ${time(extension.proposedDueAt)}：${extension.reason}`;
  $('#desk-pause').hidden = !pause;
  if (pause)
    $('#desk-pause .pending').textContent =
      `${unitName(pause.unitId)} 申请暂停${label(L.clocks, pause.clock)}时限：${pause.reason}`;
  $('#desk-return').hidden = !(returned && returned.ended?.review === 'pending');
  if (returned)
    $('#desk-return .pending').textContent = `${unitName(returned.unitId)} 退回：${view.stage.reason}`;
  const units = $('#desk-return select[name="unitId"]');
  units.replaceChildren(
    ...Object.entries(UNITS)
      .filter(([id]) => id !== returned?.unitId)
      .map(([id, name]) => new Option(name, id)),
  );
}

async function openReport(id) {
  const view = await api(`/v1/reports/${encodeURIComponent(id)}`);
  openId = id;
  $('#timeline-report').textContent = id;
  renderTimeline(view.timeline);
  renderDesk(view);
  $('#timeline-panel').hidden = false;
}

/** A `datetime-local` value (the browser's own time zone) as an instant, or nothing. */
const instant = (value) => (value ? new Date(value).toISOString() : undefined);
const text = (form, name) => form.elements[name].value.trim();

/** What each desk form sends: the step's body, from the form's fields. */
const BODIES = {
  'supervise-report': (f) => ({ action: f.elements.action.value, reason: text(f, 'reason') }),
  'record-interview': (f) => ({
    heldAt: instant(f.elements.heldAt.value),
    attendees: text(f, 'attendees')
      .split(/[,，、]/)
      .map((a) => a.trim())
      .filter(Boolean),
    notes: text(f, 'notes'),
    ...(f.elements.followUpDueAt.value ? { followUpDueAt: instant(f.elements.followUpDueAt.value) } : {}),
  }),
  'lift-listing': (f) => ({ reason: text(f, 'reason') }),
  'decide-extension': (f) => ({
    decision: f.elements.decision.value,
    reason: text(f, 'reason'),
    ...(f.elements.decision.value === 'shortened' ? { dueAt: instant(f.elements.dueAt.value) } : {}),
  }),
  'decide-pause': (f) => ({ decision: f.elements.decision.value, reason: text(f, 'reason') }),
  'assign-report': (f) => ({ unitId: f.elements.unitId.value, routing: 'manual' }),
  'refuse-return': (f) => ({ reason: text(f, 'reason') || '经审核，属该单位职责' }),
};

async function submitDesk(event) {
  event.preventDefault();
  const form = event.target;
  const step = event.submitter?.dataset.step ?? form.dataset.step;
  const message = $('#desk-message');
  const result = await act(openId, step, BODIES[step](form));
  message.className = result.ok ? 'done' : 'error';
  message.textContent = result.ok ? '已提交' : result.message;
  if (!result.ok) return;
  form.reset();
  await openReport(openId);
  await load();
  acted += 1;
  document.body.dataset.acted = `${acted}:${step}`; // the browser test waits on it
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
  options($('#desk-supervise select[name="action"]'), L.supervisionActions);
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
for (const form of document.querySelectorAll('#desk form'))
  form.addEventListener('submit', (event) => void submitDesk(event).catch(fail));
window.addEventListener('load', () => void start());
