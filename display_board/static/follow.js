/*
 * /ho-so: an office's cases followed to their due date (GET /api/v1/dossiers/follow-up). Supervisors see the
 * office and may filter by officer; staff see the cases they received. The console's sign-in is reused
 * (sessionStorage of the tab that opened it), else the page asks for one.
 */
const TOKEN = "motcua.console.token";
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem(TOKEN) || "";

const dayVi = (text) => (text ? String(text).slice(0, 10).split("-").reverse().join("/") : "—");
const PACE_VERDICTS_VI = { meets: "Đạt", below: "Chưa đạt", too_short: "chưa đủ 20 ngày làm việc để đánh giá" };

async function api(path, init = {}) {
  const headers = { Accept: "application/json", ...(init.body ? { "Content-Type": "application/json" } : {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...init, headers });
  if (response.status === 401) {
    token = "";
    sessionStorage.removeItem(TOKEN);
    show("login");
    throw new Error("Cần đăng nhập.");
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message_vi) || `Lỗi ${response.status}`);
  return body;
}

function show(view) {
  $("login-view").hidden = view !== "login";
  $("follow-view").hidden = view !== "follow";
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  row.append(td);
}

function caseRows(rows, last) {
  return rows.map((item) => {
    const row = document.createElement("tr");
    row.dataset.code = item.code;
    cell(row, item.code, "num");
    cell(row, item.procedure_name_vi);
    cell(row, dayVi(item.due_date));
    if (last === "late") cell(row, `${item.late_days} ngày`, "late");
    else cell(row, item.status_name_vi);
    cell(row, (item.officer || "—").replace(/^user:/, ""));
    return row;
  });
}

async function load(event) {
  if (event) event.preventDefault();
  $("error").hidden = true;
  const params = new URLSearchParams();
  for (const [key, id] of [["procedure", "f-procedure"], ["officer", "f-officer"], ["from", "f-from"], ["to", "f-to"]]) {
    if ($(id).value.trim()) params.set(key, $(id).value.trim());
  }
  try {
    const view = await api(`/api/v1/dossiers/follow-up?${params}`);
    $("today").textContent = dayVi(view.today);
    $("n-overdue").textContent = view.overdue.length;
    $("n-due-soon").textContent = view.due_soon.length;
    $("n-paused").textContent = view.paused.length;
    $("n-on-track").textContent = view.on_track.length;
    const rate = view.on_time.rate;
    $("on-time").textContent = rate === null ? "—" : `${Math.round(rate * 100)} %`;
    $("on-time-detail").textContent = `${view.on_time.on_time}/${view.on_time.results} hồ sơ có kết quả, ${dayVi(view.period.first)}–${dayVi(view.period.last)}`;
    $("statuses").replaceChildren(...view.by_status.filter((s) => s.count).map((s) => {
      const chip = document.createElement("span");
      chip.textContent = `${s.name_vi}: ${s.count}`;
      return chip;
    }));
    $("overdue").replaceChildren(...caseRows(view.overdue, "late"));
    $("due-soon").replaceChildren(...caseRows(view.due_soon, "status"));
    $("productivity").replaceChildren(...view.productivity.map((p) => {
      const row = document.createElement("tr");
      cell(row, p.officer.replace(/^user:/, ""));
      cell(row, String(p.received));
      cell(row, p.per_year === null ? "—" : p.per_year.toLocaleString("vi-VN"));
      cell(row, p.target_per_year.toLocaleString("vi-VN"));
      // the dashboard's and `motcua report`'s verdict: none before 20 working days
      cell(row, PACE_VERDICTS_VI[p.verdict], p.verdict === "meets" ? "meets" : "misses");
      return row;
    }));
    show("follow");
  } catch (error) {
    if (token) {
      $("error").textContent = error.message;
      $("error").hidden = false;
    }
  }
}

async function start() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await api("/api/v1/auth/login", {
        method: "POST",
        body: JSON.stringify({ username: $("username").value.trim(), password: $("password").value }),
      });
      token = answer.access_token;
      sessionStorage.setItem(TOKEN, token);
      await begin();
    } catch (error) {
      $("error").textContent = error.message;
      $("error").hidden = false;
    }
  });
  $("filters").addEventListener("submit", load);
  if (!token) return show("login");
  await begin();
}

async function begin() {
  const me = await api("/api/v1/auth/me");
  $("me").textContent = me.username;
  $("f-officer-label").hidden = me.role === "staff";
  const procedures = await api("/api/v1/procedures");
  $("f-procedure").replaceChildren($("f-procedure").firstElementChild, ...procedures.map((p) => {
    const option = document.createElement("option");
    option.value = p.code;
    option.textContent = `${p.code} · ${p.name_vi}`;
    return option;
  }));
  await load();
}

start();
