/* The province page: every office below the signed-in supervisor's office on one screen, sortable;
 * a click opens that office's own dashboard. Refreshed on every event of the stream (at most every 2 s). */
"use strict";

const TOKEN_KEY = "motcua.dashboard.token";  // shared with /dashboard: one sign-in for both pages
const state = { token: sessionStorage.getItem(TOKEN_KEY) || "", rows: [], alerts: [], names: {}, sort: null, timer: 0 };
const $ = (id) => document.getElementById(id);

function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  return `${Math.round(seconds / 60).toLocaleString("vi-VN")} phút`;
}

function percent(share) {
  return share === null || share === undefined ? "—" : `${(100 * share).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} %`;
}

async function signIn(event) {
  event.preventDefault();
  const answer = await fetch("/api/v1/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  const body = await answer.json();
  if (!answer.ok) { $("login-error").textContent = body.error.message_vi; return; }
  state.token = body.access_token;
  sessionStorage.setItem(TOKEN_KEY, state.token);
  start();
}

async function load() {
  const answer = await fetch("/api/v1/analytics/province", { headers: { Authorization: `Bearer ${state.token}` } });
  if (answer.status === 401 || answer.status === 403) {
    const body = await answer.json();
    sessionStorage.removeItem(TOKEN_KEY);
    state.token = "";
    $("app").hidden = true;
    $("login").hidden = false;
    $("login-error").textContent = body.error.message_vi;
    return;
  }
  const data = await answer.json();
  $("target-min").textContent = Math.round(data.wait_target_s / 60);
  state.target = data.wait_target_s;
  state.rows = data.offices.map((row) => ({ ...row, open: row.counters.open }));
  $("title").textContent = `Toàn tỉnh — ${data.offices[0].name_vi}`;
  state.names = Object.fromEntries(data.offices.map((row) => [row.office, row.name_vi]));
  state.alerts = data.alerts;
  render();
  renderAlerts();
}

const ALERT_KINDS = {
  office_over_target: "Quá mục tiêu chờ",
  wait_over_target: "Hàng chờ quá mục tiêu",
  counter_paused_long: "Quầy tạm dừng lâu",
  cases_overdue: "Hồ sơ quá hạn",
};

/** One line per open alert, each a link into the office's own dashboard. */
function renderAlerts() {
  $("alert-count").textContent = state.alerts.length.toLocaleString("vi-VN");
  $("no-alerts").hidden = state.alerts.length > 0;
  $("alerts").replaceChildren(...state.alerts.map((alert) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/dashboard?office=${encodeURIComponent(alert.office)}`;
    link.dataset.office = alert.office;
    link.dataset.kind = alert.kind;
    const kind = document.createElement("span");
    kind.className = "kind";
    kind.textContent = `⚠ ${state.names[alert.office] || alert.office} · ${ALERT_KINDS[alert.kind] || alert.kind}`;
    link.append(kind, alert.message_vi);
    item.append(link);
    return item;
  }));
}

function render() {
  const rows = [...state.rows];
  if (state.sort) {
    const { key, down } = state.sort;
    rows.sort((a, b) => {
      const x = a[key] ?? -1, y = b[key] ?? -1;
      const order = typeof x === "string" ? x.localeCompare(y, "vi") : x - y;
      return down ? -order : order;
    });
  }
  $("rows").replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    tr.dataset.office = row.office;
    tr.className = row.parent ? "level-1" : "";
    const cells = [
      row.name_vi,
      row.waiting.toLocaleString("vi-VN"),
      minutes(row.longest_wait_s),
      minutes(row.mean_wait_s),
      row.issued_today.toLocaleString("vi-VN"),
      row.served_today.toLocaleString("vi-VN"),
      `${row.counters.open} / ${row.counters.paused}`,
      `${row.cases_due_soon.toLocaleString("vi-VN")} / ${row.cases_overdue.toLocaleString("vi-VN")}`,
      percent(row.on_time_rate),
      percent(row.satisfaction),
      percent(row.reuse),
      row.pace_per_officer === null ? "—"
        : `${row.pace_per_officer.toLocaleString("vi-VN")} / ${(row.pace_target || 0).toLocaleString("vi-VN")}`,
      row.alerts ? `⚠ ${row.alerts}` : "—",
    ];
    for (const [index, text] of cells.entries()) {
      const td = document.createElement("td");
      td.textContent = text;
      if ((index === 2 && row.longest_wait_s > state.target) || (index === 3 && row.over_wait_target)) td.className = "over";
      if (index === 12 && row.alerts) td.className = "alerting";
      if (index === 7 && row.cases_overdue) td.className = "over";
      if (index === 11 && row.pace_target && row.pace_per_officer !== null && row.pace_per_officer < row.pace_target) td.className = "over";
      tr.append(td);
    }
    tr.addEventListener("click", () => { location.href = `/dashboard?office=${encodeURIComponent(row.office)}`; });
    return tr;
  }));
}

function sortBy(key) {
  state.sort = { key, down: state.sort && state.sort.key === key ? !state.sort.down : true };
  render();
}

function listen() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/v1/events?token=${encodeURIComponent(state.token)}`);
  socket.onmessage = () => {
    if (!state.timer) state.timer = setTimeout(() => { state.timer = 0; load().catch(showError); }, 2000);
  };
  socket.onclose = () => setTimeout(() => { if (state.token) listen(); }, 3000);
}

function showError(error) { $("error").textContent = String(error.message || error); }

function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  load().catch(showError);
  listen();
}

$("login-form").addEventListener("submit", (event) => signIn(event).catch(showError));
for (const th of document.querySelectorAll("th[data-key]")) th.addEventListener("click", () => sortBy(th.dataset.key));
if (state.token) start(); else $("login").hidden = false;
