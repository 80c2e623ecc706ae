// The supervisors' dashboard: plain ES module, no build step. Data comes only from the API, with
// the token the supervisor pasted (kept in this browser session only).
const TOKEN = 'bihuan-token';
const $ = (selector) => document.querySelector(selector);

// Chinese labels come from the API (api/labels.ts), the one place they are kept.
let CLOCKS = {};
let STAGES = {};
let URGENCIES = {};
let CHANNELS = {};
let EVENTS = {};

const label = (table, value) => table[value] ?? value ?? '';
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
  a.addEventListener('click', () => openTimeline(id));
  td.append(a);
  return td;
};
const fill = (table, rows) => {
  const body = $(`${table} tbody`);
  body.replaceChildren(
    ...rows.map((cells) => {
      const tr = document.createElement('tr');
      tr.append(...cells);
      return tr;
    }),
  );
};

async function openTimeline(id) {
  const { timeline } = await api(`/v1/reports/${encodeURIComponent(id)}/timeline`);
  $('#timeline-report').textContent = id;
  $('#timeline').replaceChildren(
    ...timeline.map((e) => {
      const li = document.createElement('li');
      const when = document.createElement('time');
      when.textContent = time(e.at);
      li.append(
        when,
        `${label(EVENTS, e.type)}${e.actor ? `（${e.actor.role}${e.actor.unitId ? ` · ${e.actor.unitId}` : ''}）` : ''}`,
      );
      return li;
    }),
  );
  $('#timeline-panel').hidden = false;
}

function rateCard(name, rate) {
  const div = document.createElement('div');
  div.className = 'card';
  div.title = rate?.formula ?? '';
  const value = document.createElement('div');
  value.className = 'value';
  value.textContent = rate && rate.value !== null ? `${(rate.value * 100).toFixed(1)}%` : '—';
  const text = document.createElement('div');
  text.className = 'label';
  text.textContent = name;
  div.append(value, text);
  return div;
}
function countCard(name, n) {
  const card = rateCard(name, { value: null, formula: '' });
  card.querySelector('.value').textContent = String(n);
  return card;
}

const charts = {};
function draw(id, config) {
  charts[id]?.destroy();
  charts[id] = new window.Chart($(`#${id}`), config);
  window.bihuanCharts = charts; // the browser test reads what was drawn
}

async function loadLabels() {
  const res = await fetch('/dashboard/labels.json');
  ({
    clocks: CLOCKS,
    stages: STAGES,
    urgencies: URGENCIES,
    channels: CHANNELS,
    events: EVENTS,
  } = await res.json());
}

async function load() {
  if (Object.keys(STAGES).length === 0) await loadLabels();
  const [overdue, due, stats, trend, list] = await Promise.all([
    api('/v1/boards/overdue'),
    api('/v1/boards/due?withinHours=24'),
    api('/v1/statistics'),
    api('/v1/statistics/trend?bucket=day'),
    api('/v1/reports?limit=20'),
  ]);
  $('#rates').replaceChildren(
    countCard('接收件数', stats.counts.received),
    countCard('逾期件数', stats.counts.overdue),
    rateCard('整改率', stats.rates.rectificationRate),
    rateCard('响应率', stats.threeRates.responseRate),
    rateCard('解决率', stats.threeRates.resolutionRate),
    rateCard('满意率', stats.threeRates.satisfactionRate),
  );
  $('#overdue-count').textContent = `（${overdue.items.length} 项）`;
  fill(
    '#overdue',
    overdue.items.map((i) => [
      reportLink(i.reportId),
      cell(label(CLOCKS, i.clock)),
      cell(i.unitId ?? '指挥中心'),
      cell(String(i.overdueHours), 'overdue'),
      cell(String(i.rungsFired)),
    ]),
  );
  fill(
    '#due',
    due.items.map((i) => [
      reportLink(i.reportId),
      cell(label(CLOCKS, i.clock)),
      cell(i.unitId ?? '指挥中心'),
      cell(String(-i.overdueHours)),
    ]),
  );
  fill(
    '#reports',
    list.items.map((r) => [
      reportLink(r.reportId),
      cell(label(CHANNELS, r.channel)),
      cell(label(STAGES, r.stage)),
      cell(label(URGENCIES, r.urgency)),
      cell(r.street ?? ''),
      cell(r.unitId ?? ''),
      cell(r.overdue ? '是' : '', r.overdue ? 'overdue' : ''),
    ]),
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
    options: { animation: false },
  });
  draw('ontime', {
    type: 'bar',
    data: {
      labels: stats.steps.map((s) => label(CLOCKS, s.clock)),
      datasets: [
        {
          label: '按时率 %',
          data: stats.steps.map((s) => (s.onTimeRate.value ?? 0) * 100),
          backgroundColor: '#0b69a3',
        },
      ],
    },
    options: { animation: false, scales: { y: { min: 0, max: 100 } } },
  });
  document.body.dataset.loaded = 'true';
}

function show(loggedIn) {
  $('#login').hidden = loggedIn;
  $('#app').hidden = !loggedIn;
  $('#logout').hidden = !loggedIn;
}

async function start() {
  if (!sessionStorage.getItem(TOKEN)) return show(false);
  show(true);
  try {
    await load();
  } catch (err) {
    if (err.auth) {
      sessionStorage.removeItem(TOKEN);
      show(false);
      $('#login-error').hidden = false;
      $('#login-error').textContent = err.message;
    } else throw err;
  }
}

$('#login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN, $('#token').value.trim());
  void start();
});
$('#logout').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  show(false);
});
$('#close-timeline').addEventListener('click', () => ($('#timeline-panel').hidden = true));
window.addEventListener('load', () => void start());
