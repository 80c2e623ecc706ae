// The supervisors' dashboard: plain ES module, no build step. Data comes only from the API, with
// the token the supervisor pasted (kept in this browser session only).
const TOKEN = 'bihuan-token';
const $ = (selector) => document.querySelector(selector);

const CLOCKS = {
  acceptance: '受理',
  assignment: '交办',
  verification: '核查',
  rectification: '整改',
  review: '审核销号',
  feedback: '反馈',
  reward_proposal: '奖励提议',
  reward_approval: '奖励审批',
  reward_payment: '奖励发放',
};
const STAGES = {
  received: '待受理',
  accepted: '已受理',
  assigned: '已交办',
  returned: '已退回',
  disputed: '派单异议',
  verifying: '核查中',
  verified: '已核查',
  rectifying: '整改中',
  rectification_reported: '整改已报告',
  awaiting_feedback: '待反馈',
  feedback_given: '已反馈',
  reward_pending: '待奖励',
  reward_proposed: '奖励已提议',
  reward_approved: '奖励已审批',
  closed: '已办结',
  rejected: '不予受理',
  withdrawn: '已撤回',
  merged: '已合并',
  cancelled: '已撤销',
};
const URGENCIES = { general: '一般类', emergency: '紧急类', accident: '事故类' };
const CHANNELS = {
  hotline_12345: '12345热线',
  suishenpai: '随申拍',
  web: '网站',
  phone: '电话',
  mailbox: '信箱',
  transfer: '上级转办',
  walk_in: '来访',
};
const EVENTS = {
  received: '接件',
  accepted: '受理',
  rejected: '不予受理',
  assigned: '交办',
  returned: '退回',
  disputed: '派单异议',
  dispute_resolved: '异议处理',
  verification_started: '开始核查',
  verified: '核查完成',
  rectification_ordered: '责令整改',
  rectification_reported: '整改报告',
  rectified: '整改完成',
  written_off: '销号',
  review_rejected: '审核不通过',
  feedback_given: '反馈',
  satisfaction_recorded: '回访评价',
  reopened: '重新办理',
  reward_pending: '待奖励',
  reward_claimed: '认领奖励',
  reward_proposed: '奖励提议',
  reward_decided: '奖励审批',
  reward_paid: '奖励发放',
  closed: '办结',
  withdrawn: '撤回',
  merged_into: '合并',
  cancelled: '撤销',
  deadline_fixed: '确定时限',
  deadline_warning: '时限预警',
  deadline_missed: '逾期',
  clock_paused: '时限暂停',
  clock_resumed: '时限恢复',
  clock_stopped: '环节完成',
  duplicate_merged: '合并重复件',
  escalated: '督办',
  listed_supervision: '挂牌督办',
};
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

async function load() {
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
