/*
 * The supervisors' dashboard: sign in (supervisor or admin), read /api/v1/analytics/overview, and read it
 * again whenever the event stream says something happened. Alerts (alert.* events) show at once.
 * Text from the server is always set with textContent (a pause reason is typed by people).
 */
"use strict";

const TOKEN_KEY = "motcua.dashboard.token";
const OFFICE = new URLSearchParams(location.search).get("office");  // from the province page; default: one's own
const ROLES = ["supervisor", "admin"];
const STATUS_VI = { open: "Đang mở", paused: "Tạm dừng", closed: "Đóng" };
const KPI_STATUS_VI = { ok: "Đạt", off_target: "Chưa đạt", no_data: "Chưa có dữ liệu" };

const state = { token: sessionStorage.getItem(TOKEN_KEY) || "", data: null, socket: null, retry: 1000, timer: 0 };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}, text = "") {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  return (seconds / 60).toFixed(seconds < 600 ? 1 : 0);
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return h ? `${h} giờ ${m} phút` : `${m} phút ${String(r).padStart(2, "0")} giây`;
}

// ---- talking to the server -------------------------------------------------------------------------

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body) headers["Content-Type"] = "application/json";
  const answer = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (answer.status === 401) {
    signOut("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.");
    throw new Error("unauthorized");
  }
  if (!answer.ok) {
    let message = `Lỗi ${answer.status}`;
    try { message = (await answer.json()).error.message_vi || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return answer;
}

async function signIn(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const answer = await fetch("/api/v1/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value.trim(), password: $("password").value }),
    });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.error ? body.error.message_vi : "Đăng nhập không thành công.");
    if (!ROLES.includes(body.role)) {
      await fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${body.access_token}` } });
      throw new Error("Chỉ lãnh đạo, giám sát viên hoặc quản trị viên mới xem được bảng điều khiển.");
    }
    state.token = body.access_token;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $("password").value = "";
    start();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
}

function signOut(message = "") {
  if (state.token) fetch("/api/v1/auth/logout", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } });
  state.token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
  $("app").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message;
}

async function start() {
  $("login").hidden = true;
  $("app").hidden = false;
  try {
    const me = await (await api("GET", "/api/v1/auth/me")).json();
    $("who").textContent = me.full_name || me.username || "";
  } catch (_) { /* shown by refresh below */ }
  await refresh();
  loadHelp();
  connect();
}

async function refresh() {
  try {
    const answer = await api("GET", `/api/v1/analytics/overview${OFFICE ? `?office=${encodeURIComponent(OFFICE)}` : ""}`);
    state.data = await answer.json();
    state.data.receivedAt = Date.now();
    render(state.data);
  } catch (error) {
    if (error.message !== "unauthorized") $("advice").textContent = `Không đọc được số liệu: ${error.message}`;
  }
}

function refreshSoon(delay = 400) {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, delay);
}

function connect() {
  if (!state.token) return;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/api/v1/events?token=${encodeURIComponent(state.token)}`);
  state.socket = socket;
  socket.onopen = () => { state.retry = 1000; link(true); refreshSoon(0); };
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (String(event.type).startsWith("kiosk.help")) { loadHelp(); return; }
    refreshSoon(String(event.type).startsWith("alert.") ? 0 : 400);
  };
  socket.onclose = (closed) => {
    link(false);
    if (closed.code === 4401) { signOut("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại."); return; }
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 30000);
  };
}

function link(on) {
  $("link").textContent = on ? "trực tiếp" : "mất kết nối, đang thử lại…";
  $("link").className = `link-state ${on ? "on" : "off"}`;
}

// ---- drawing -------------------------------------------------------------------------------------

function render(data) {
  if (!state.datesSet) {  // the report form starts on the office's own day
    $("report-from").value = data.day;
    $("report-to").value = data.day;
    state.datesSet = true;
  }
  $("office-name").textContent = data.office.name_vi;
  const day = new Date(`${data.day}T00:00:00`);
  $("today").textContent = day.toLocaleDateString("vi-VN", { weekday: "long", day: "2-digit", month: "2-digit", year: "numeric" });
  $("target-min").textContent = String(Math.round(data.targets.wait_s / 60));
  renderAlerts(data.alerts);
  const advice = $("advice");
  advice.textContent = `Gợi ý: ${data.advice.message_vi}`;
  advice.className = data.advice.over_target.length ? "advice warn" : "advice";
  renderQueues(data);
  renderKpis(data.kpis);
  renderCounters(data);
  renderHourChart(data);
  renderQueueChart(data);
}

function renderAlerts(alerts) {
  const box = $("alerts");
  box.replaceChildren(...alerts.map((a) => el("p", { text: `⚠ ${a.message_vi}` })));
  box.hidden = alerts.length === 0;
}

function renderQueues(data) {
  const target = data.targets.wait_s;
  $("queues").replaceChildren(...data.queues.map((q) => {
    const share = Math.min(1, (q.estimated_wait_s || 0) / target);
    const gauge = el("div", { class: "gauge" }, el("span", { style: `width:${(share * 100).toFixed(0)}%` }));
    return el("article", { class: `queue${q.over_target ? " over" : ""}`, "data-queue": q.code },
      el("h3", { text: `${q.code} — ${q.name_vi}` }),
      el("div", { class: "big", text: `${minutes(q.estimated_wait_s)} phút` }),
      el("div", { class: "muted", text: `dự kiến chờ cho người lấy số bây giờ · ${q.waiting} người đang chờ` }),
      gauge,
      el("div", { class: "stats" },
        el("span", { text: `Hôm nay chờ TB: ${minutes(q.mean_wait_today_s)} phút` }),
        el("span", { text: `p90: ${minutes(q.p90_wait_today_s)} phút` }),
        el("span", { text: `${q.served_today}/${q.issued_today} xong` }),
        el("span", { text: `Sai số dự báo: ${minutes(q.estimate_mae_today_s)} phút` }),
        el("span", { text: q.counters.length ? `Quầy ${q.counters.join(", ")}` : "Chưa có quầy" })));
  }));
}

function kpiValue(kpi) {
  if (kpi.value === null) return "chưa có dữ liệu";
  if (kpi.unit === "s") return `${minutes(kpi.value)} phút`;
  if (kpi.unit === "share") return `${(kpi.value * 100).toFixed(1)} %`;
  return `${Math.round(kpi.value).toLocaleString("vi-VN")} /năm`;
}

function kpiTarget(kpi) {
  const sign = kpi.better === "lower" ? "≤" : "≥";
  if (kpi.unit === "s") return `${sign} ${minutes(kpi.target)} phút`;
  if (kpi.unit === "share") return `${sign} ${Math.round(kpi.target * 100)} %`;
  return `${sign} ${kpi.target.toLocaleString("vi-VN")} /năm`;
}

function renderKpis(kpis) {
  $("kpis").replaceChildren(...kpis.map((k) => el("tr", { "data-kpi": k.code },
    el("td", {}, el("div", { text: k.name_vi }), el("div", { class: "muted", text: k.note_vi || `trên ${k.count} lượt` })),
    el("td", { class: "value", text: kpiValue(k) }),
    el("td", { class: "muted", text: kpiTarget(k) }),
    el("td", {}, el("span", { class: `status ${k.status}`, text: KPI_STATUS_VI[k.status] })))));
}

function renderCounters(data) {
  const limit = data.limits.paused_too_long_s;
  const elapsed = (Date.now() - data.receivedAt) / 1000;
  $("counters").replaceChildren(...data.counters.map((c) => {
    const forS = c.for_s === null ? null : c.for_s + elapsed;
    const long = c.status === "paused" && forS > limit;
    const current = c.current_ticket ? `${c.current_ticket.number} (${c.current_ticket.status === "serving" ? "đang phục vụ" : "đã gọi"})` : "—";
    const detail = c.status === "paused" ? `${c.pause_reason || "không rõ lý do"} · ${duration(forS)}` :
      c.status === "open" ? `mở ${duration(forS)}` : "";
    return el("tr", { class: long ? "long" : "", "data-counter": String(c.number) },
      el("td", { text: c.name_vi }),
      el("td", {}, el("span", { class: `status ${c.status}`, text: STATUS_VI[c.status] || c.status })),
      el("td", { text: c.staff_name || "—" }),
      el("td", { text: current }),
      el("td", { text: detail }));
  }));
}

function barChart(container, bars, target, legend) {
  const width = 860, height = 260, left = 44, bottom = 30, top = 16;
  const top_value = Math.max(target, ...bars.map((b) => Math.max(b.value || 0, b.second || 0)), 1) * 1.15;
  const scale = (v) => height - bottom - (height - bottom - top) * v / top_value;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
  for (let i = 0; i <= 4; i++) {
    const v = top_value * i / 4;
    chart.append(svg("line", { x1: left, x2: width, y1: scale(v), y2: scale(v), stroke: "#e5e7eb" }));
    chart.append(svg("text", { x: left - 6, y: scale(v) + 4, "text-anchor": "end" }, (v / 60).toFixed(0)));
  }
  const slot = (width - left) / Math.max(bars.length, 1);
  bars.forEach((b, i) => {
    const x = left + slot * i + slot * 0.15;
    const w = slot * (b.second === undefined ? 0.7 : 0.35);
    if (b.value !== null) {
      chart.append(svg("rect", { x, y: scale(b.value), width: w, height: scale(0) - scale(b.value), fill: b.value > target ? "#b91c1c" : "#1d4ed8" }));
      chart.append(svg("text", { x: x + w / 2, y: scale(b.value) - 4, "text-anchor": "middle" }, minutes(b.value)));
    }
    if (b.second !== undefined && b.second !== null) {
      chart.append(svg("rect", { x: x + w, y: scale(b.second), width: w, height: scale(0) - scale(b.second), fill: "#f59e0b" }));
      chart.append(svg("text", { x: x + w * 1.5, y: scale(b.second) - 4, "text-anchor": "middle" }, minutes(b.second)));
    }
    chart.append(svg("text", { x: left + slot * (i + 0.5), y: height - 10, "text-anchor": "middle" }, b.label));
  });
  chart.append(svg("line", { x1: left, x2: width, y1: scale(target), y2: scale(target), stroke: "#b91c1c", "stroke-dasharray": "8 6", "stroke-width": 2 }));
  chart.append(svg("text", { x: width - 4, y: scale(target) - 6, "text-anchor": "end", fill: "#b91c1c" }, legend));
  container.replaceChildren(chart);
}

function renderHourChart(data) {
  const bars = data.waits_by_hour.map((h) => ({ label: `${String(h.hour).padStart(2, "0")}h`, value: h.mean_wait_s }));
  if (!bars.length) { $("chart-hours").textContent = "Hôm nay chưa có ai lấy số."; return; }
  barChart($("chart-hours"), bars, data.targets.wait_s, `mục tiêu ${Math.round(data.targets.wait_s / 60)} phút`);
}

function renderQueueChart(data) {
  const bars = data.queues.map((q) => ({ label: `${q.code} ${q.name_vi}`.slice(0, 22), value: q.mean_wait_today_s, second: q.estimated_wait_s }));
  barChart($("chart-queues"), bars, data.targets.wait_s, "xanh: TB hôm nay · cam: dự kiến bây giờ");
}

// ---- kiosks calling for a staff member ("Gọi cán bộ hỗ trợ") ---------------------------------------

async function loadHelp() {
  try {
    const answer = await api("GET", `/api/v1/kiosk-help${OFFICE ? `?office=${encodeURIComponent(OFFICE)}` : ""}`);
    state.help = await answer.json();
    state.helpReadAt = Date.now();
    renderHelp();
  } catch (error) {
    if (error.message !== "unauthorized") $("advice").textContent = `Không đọc được yêu cầu hỗ trợ: ${error.message}`;
  }
}

function renderHelp() {
  const calls = state.help || [];
  const box = $("help-calls");
  box.hidden = calls.length === 0;
  box.replaceChildren(...calls.map((call) => {
    const since = new Date(call.requested_at);
    // The server's count at reading plus the time since: its clock, not this computer's.
    const waited = Math.max(0, Math.floor(((call.waited_s || 0) * 1000 + Date.now() - state.helpReadAt) / 60000));
    const presses = call.presses > 1 ? ` (bấm ${call.presses} lần)` : "";
    const button = el("button", { type: "button", text: "Đã đến hỗ trợ" });
    button.addEventListener("click", () => answerHelp(call.id, button));
    return el("div", { class: "help-call", "data-id": String(call.id), "data-kiosk": call.kiosk },
      el("b", { class: "help-tag", text: "HỖ TRỢ" }),
      el("span", { class: "help-what", text: `Máy ${call.kiosk} cần cán bộ hỗ trợ công dân${presses}` }),
      el("time", { datetime: call.requested_at,
        text: `từ ${since.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" })} · ${waited < 1 ? "vừa xong" : `${waited} phút trước`}` }),
      button);
  }));
}

async function answerHelp(id, button) {
  button.disabled = true;
  try {
    await api("POST", `/api/v1/kiosk-help/${id}/answer`);
    state.help = (state.help || []).filter((call) => call.id !== id);
    renderHelp();
  } catch (error) {
    button.disabled = false;
    if (error.message !== "unauthorized") $("advice").textContent = error.message;
  }
}

// ---- reports -------------------------------------------------------------------------------------

async function downloadReport(event) {
  event.preventDefault();
  const from = $("report-from").value, to = $("report-to").value;
  const format = $("report-format").value, by = $("report-by").value;
  $("report-status").textContent = "Đang lập báo cáo…";
  try {
    const answer = await api("GET", `/api/v1/reports?from=${from}&to=${to}&format=${format}&by=${by}`);
    const blob = await answer.blob();
    const link = el("a", { href: URL.createObjectURL(blob), download: `bao-cao-${from}-${to}-${by}.${format}` });
    document.body.append(link);
    link.click();
    link.remove();
    $("report-status").textContent = `Đã tải (${Math.round(blob.size / 1024)} KB).`;
  } catch (error) {
    $("report-status").textContent = error.message;
  }
}

function init() {
  $("login-form").addEventListener("submit", signIn);
  $("logout").addEventListener("click", () => signOut());
  $("report-form").addEventListener("submit", downloadReport);
  setInterval(() => { if (state.data) renderCounters(state.data); }, 1000);
  setInterval(() => { if (state.help) renderHelp(); }, 15000);
  setInterval(() => { if (state.token) refreshSoon(0); }, 30000);
  if (state.token) start(); else $("login").hidden = false;
}

init();
