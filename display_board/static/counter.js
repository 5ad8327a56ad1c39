/*
 * The counter console (/counter): staff sign in, take a counter, call and serve citizens.
 *
 * The token lives in sessionStorage (closing the browser signs out of this tab). Without a valid token
 * the page shows the sign-in form and asks the server for nothing else. Every change comes back through
 * the event stream (WS /api/v1/events?token=…), which makes the page re-read its counter and list.
 */
import { BookingDialog } from "./booking_dialog.js";
import { CASE_KEYS, CasePanel } from "./case_panel.js";
import { HelpCalls } from "./help_calls.js";
import { ReconnectingSocket, clockTime, errorMessage, formatWait, wsUrl } from "./live.js";

const TOKEN = "motcua.console.token";
const $ = (id) => document.getElementById(id);
const STATUS_VI = {
  waiting: "Đang chờ",
  called: "Đã gọi — chờ công dân đến quầy",
  serving: "Đang phục vụ",
  on_hold: "Tạm giữ",
  done: "Đã hoàn thành",
  no_show: "Vắng mặt",
  cancelled: "Đã hủy",
  expired: "Hết hạn",
};
const dayVi = (text) => (text ? String(text).slice(0, 10).split("-").reverse().join("/") : "—");
// A message's status as staff read it (the outbox's statuses folded into four, and two rare ones).
const MESSAGE_STATUS = {
  pending: ["chờ gửi", "pending"], sending: ["chờ gửi", "pending"], sent: ["đã gửi", "sent"],
  delivered: ["đã nhận", "delivered"], failed: ["lỗi", "failed"], undelivered: ["lỗi", "failed"],
  unconfirmed: ["không rõ đã gửi", "failed"], cancelled: ["đã hủy", "pending"],
};
const MESSAGE_KIND = {
  near: "Sắp đến lượt", call: "Mời đến quầy", appointment_booked: "Xác nhận lịch hẹn",
  appointment_reminder: "Nhắc lịch hẹn", case_received: "Đã tiếp nhận hồ sơ", case_papers_requested: "Cần bổ sung giấy tờ",
  case_result_ready: "Đã có kết quả", case_overdue: "Xin lỗi trễ hẹn", one_time_code: "Mã xác nhận",
};
const MESSAGES_POLL_MS = 10000; // while a message is still on its way (no event tells the console)
const LOST_REASON = "mất kết nối"; // the reason of an automatic pause (server: counters/presence.py)
const HEARTBEAT_MS = 20000; // the script's sign of life over the event socket (server: counters/presence.py HEARTBEAT_S)
const COUNTER_VI = { open: "Đang mở", paused: "Tạm dừng", closed: "Đóng" };
// Which buttons make sense for the current ticket's state (the server checks again).
const ENABLED = {
  none: ["callNext"],
  called: ["callNext", "recall", "startService", "finish", "noShow", "hold", "transfer"],
  serving: ["callNext", "finish", "hold", "transfer"],
};
const CASE_ACTIONS = new Set([...Object.values(CASE_KEYS), "checkCase", "printCase"]);
const KEYS = { F1: "callNext", " ": "callNext", r: "recall", s: "startService", f: "finish", n: "noShow", h: "hold",
  t: "transfer", p: "pause" };

class ApiError extends Error {
  constructor(status, message, english = "") {
    super(message);
    this.status = status;
    this.english = english;
  }

  /** Vietnamese first, then English (the case actions show both). */
  get bilingual() {
    return this.english && this.english !== this.message ? `${this.message} / ${this.english}` : this.message;
  }
}

async function apiError(response) {
  try {
    const body = await response.json();
    const error = body.error || {};
    const vi = error.message_vi || body.message || `Lỗi ${response.status}`;
    return new ApiError(response.status, vi, error.message_en || body.message_en || "");
  } catch (error) {
    return new ApiError(response.status, `Lỗi máy chủ (${response.status})`);
  }
}

class Console {
  constructor() {
    this.token = sessionStorage.getItem(TOKEN) || "";
    this.me = null;
    this.counter = null; // the counter view from GET /counters
    this.current = null; // full TicketView of the current ticket
    this.queues = [];
    this.refreshTimer = null;
    this.messagesTimer = null;
    this.busy = false;
    this.pending = []; // actions asked for while another was running, in order
    this.stats = { refreshes: 0, events: 0 };
    this.casePanel = new CasePanel(this);
    this.bookingDialog = new BookingDialog(this);
    this.helpCalls = new HelpCalls($("help-calls"), (method, path) => this.api(method, path), (message) => this.showError(message));
    this.visit = null; // {id, since}: the visit at the counter, timed from when this console saw the call
    setInterval(() => this.renderTimer(), 1000);
    // This script's own sign of life: a frozen tab keeps its socket but stops this timer, and the server
    // pauses the counter "mất kết nối" after 10 minutes without it (queue_server/counters/presence.py).
    setInterval(() => this.heartbeat(), HEARTBEAT_MS);
    this.socket = new ReconnectingSocket({
      url: () => wsUrl(`/api/v1/events?${new URLSearchParams({ token: this.token })}`),
      prepare: () => this.refresh(),
      onmessage: (event) => this.onEvent(event),
      onstate: (state) => {
        $("stale").hidden = state !== "stale";
        if (state === "live") this.heartbeat();
      },
      onclose: (event) => {
        if (event.code === 4401) this.signedOut("Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.");
      },
    });
  }

  async start() {
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.login();
    });
    $("logout").addEventListener("click", () => this.logout());
    $("actions").addEventListener("click", (event) => this.onButton(event));
    document.querySelector(".counter-actions").addEventListener("click", (event) => this.onButton(event));
    $("waiting").addEventListener("click", (event) => this.onListButton(event));
    $("held").addEventListener("click", (event) => this.onListButton(event));
    document.addEventListener("keydown", (event) => this.onKey(event));
    this.casePanel.bind();
    this.bookingDialog.bind();
    if (!this.token) return this.show("login");
    try {
      this.me = await this.api("GET", "/api/v1/auth/me");
    } catch (error) {
      return; // api() already showed the sign-in form
    }
    await this.afterSignIn();
  }

  heartbeat() {
    if (this.counter) this.socket.send("heartbeat");
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  async api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, "Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.");
    }
    if (response.status === 401) {
      this.signedOut(await errorMessage(response));
      throw new ApiError(401, "signed out");
    }
    if (!response.ok) throw await apiError(response);
    return response.status === 204 ? null : response.json();
  }

  async apiBlob(path) {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${this.token}` } });
    if (!response.ok) throw await apiError(response);
    return response.blob();
  }

  // ---- sign-in and seat -------------------------------------------------------------------------

  async login() {
    this.hideMessages();
    const username = $("username").value.trim();
    const password = $("password").value;
    try {
      const answer = await this.api("POST", "/api/v1/auth/login", { username, password });
      this.token = answer.access_token;
      sessionStorage.setItem(TOKEN, this.token);
      this.me = { username: answer.username, role: answer.role };
      $("password").value = "";
      await this.afterSignIn();
    } catch (error) {
      if (error.status !== 401) this.showError(error.message);
    }
  }

  async logout() {
    try {
      await this.api("POST", "/api/v1/auth/logout");
    } catch (error) {
      /* signed out locally anyway */
    }
    this.signedOut("Đã đăng xuất.");
  }

  signedOut(message) {
    this.token = "";
    this.me = null;
    this.counter = null;
    sessionStorage.removeItem(TOKEN);
    this.socket.stop();
    this.casePanel.close();
    this.show("login");
    if (message) this.showError(message);
  }

  async afterSignIn() {
    $("me").textContent = this.me.username;
    $("logout").hidden = false;
    $("book-open").hidden = false;
    const counters = await this.api("GET", "/api/v1/counters");
    const mine = counters.find((c) => c.staff === this.me.username && c.status !== "closed");
    if (mine) return this.seat(mine);
    this.showPicker(counters);
  }

  showPicker(counters) {
    const box = $("counters");
    box.replaceChildren();
    for (const counter of counters) {
      const button = document.createElement("button");
      const taken = counter.status !== "closed" && counter.staff && counter.staff !== this.me.username;
      button.disabled = Boolean(taken);
      button.innerHTML = "<b></b><span></span><small></small>";
      button.children[0].textContent = counter.name_vi || `Quầy ${counter.number}`;
      button.children[1].textContent = `Hàng đợi: ${counter.queues.join(", ")}`;
      button.children[2].textContent = taken ? `Đang có ${counter.staff_name || counter.staff} làm việc` : COUNTER_VI[counter.status];
      button.addEventListener("click", () => this.openCounter(counter.number));
      box.appendChild(button);
    }
    this.show("pick");
  }

  async openCounter(number) {
    this.hideMessages();
    try {
      await this.seat(await this.api("POST", `/api/v1/counters/${number}/open`));
    } catch (error) {
      if (error.status !== 401) this.showError(error.message);
    }
  }

  async seat(counter) {
    this.counter = counter;
    this.queues = await this.api("GET", "/api/v1/queues");
    $("seat").textContent = counter.name_vi || `Quầy ${counter.number}`;
    $("seat").hidden = false;
    $("case-search").hidden = false;
    $("follow-link").hidden = false;
    document.title = `${counter.name_vi || `Quầy ${counter.number}`} — Bộ phận Một cửa`;
    this.show("work");
    this.socket.start(); // prepare() = refresh()
  }

  // ---- reading the state ------------------------------------------------------------------------

  async refresh() {
    if (!this.counter) return;
    const number = this.counter.number;
    const counters = await this.api("GET", "/api/v1/counters");
    const counter = counters.find((c) => c.number === number);
    if (!counter || counter.status === "closed" || counter.staff !== this.me.username) {
      this.counter = null;
      this.socket.stop();
      $("seat").hidden = true;
      this.showPicker(counters);
      this.showNotice(`Quầy ${number} đã đóng.`);
      return;
    }
    const lost = counter.status === "paused" && counter.pause_reason === LOST_REASON;
    if (lost && !this.lostShown) {
      // The server paused the counter while this console was away (counters/presence.py).
      this.showNotice("Đã kết nối lại. Quầy đã tự tạm dừng vì mất kết nối — bấm P (Tiếp tục làm việc) để gọi số tiếp.");
    }
    this.lostShown = lost;
    this.counter = counter;
    this.counters = counters;
    const [current, list] = await Promise.all([
      counter.current_ticket ? this.api("GET", `/api/v1/tickets/${counter.current_ticket.id}`) : null,
      this.api("GET", `/api/v1/counters/${number}/waiting`),
    ]);
    this.current = current;
    this.stats.refreshes++;
    this.renderCurrent();
    this.renderList(list);
    this.helpCalls.load();
    if (current && current.dossier_code) this.casePanel.follow(current.dossier_code);
    this.loadMessages();
  }

  /** The current ticket's messages (read again on its events, and while one is still on its way). */
  async loadMessages() {
    clearTimeout(this.messagesTimer);
    this.messagesTimer = null;
    const ticket = this.current;
    let messages = [];
    try {
      if (ticket) messages = await this.api("GET", `/api/v1/tickets/${ticket.id}/messages`);
    } catch (error) {
      return; // keep what is shown; the ticket's next event reads them again
    }
    if (ticket !== this.current) return; // a newer refresh took over
    this.renderMessages(messages);
    const moving = messages.some((m) => ["pending", "sending", "sent"].includes(m.status));
    if (moving) this.messagesTimer = setTimeout(() => this.loadMessages(), MESSAGES_POLL_MS);
  }

  renderMessages(messages) {
    $("cur-messages").hidden = messages.length === 0;
    $("cur-message-list").replaceChildren(
      ...messages.map((message) => {
        const [label, tone] = MESSAGE_STATUS[message.status] || [message.status, "pending"];
        const item = document.createElement("li");
        item.innerHTML = '<span class="kind"></span><span class="msg-status"></span><time></time>';
        item.dataset.status = message.status;
        const to = [(message.channel || "").toUpperCase(), message.to || ""].join(" ").trim();
        item.children[0].textContent = [MESSAGE_KIND[message.kind] || message.kind, to].filter(Boolean).join(" · ");
        item.children[0].title = [message.text, message.last_error].filter(Boolean).join("\n");
        item.children[1].textContent = label;
        item.children[1].classList.add(tone);
        const at = message.delivered_at || message.sent_at || message.created_at;
        item.children[2].dateTime = at;
        item.children[2].textContent = clockTime(new Date(at), message.time_zone); // the office's clock
        return item;
      }),
    );
  }

  refreshSoon() {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = null;
      try {
        await this.refresh();
      } catch (error) {
        if (error.status !== 401) this.showError(error.message);
      }
    }, 150);
  }

  onEvent(event) {
    if (!this.counter || !event || !event.type) return;
    this.stats.events++;
    if (this.helpCalls.isHelpEvent(event)) this.helpCalls.load();
    const data = event.data || {};
    if (event.type.startsWith("dossier.") && data.dossier && data.dossier.code === this.casePanel.code) {
      this.caseSoon();
    }
    const ticket = data.ticket;
    const mineQueue = ticket && (this.counter.queues.includes(ticket.queue) || Object.keys(data.queues || {}).some((q) => this.counter.queues.includes(q)));
    const mineCounter = (ticket && ticket.counter === this.counter.number) || (data.counter && data.counter.number === this.counter.number);
    if (mineQueue || mineCounter) this.refreshSoon();
  }

  renderCurrent() {
    const ticket = this.current;
    const status = ticket ? ticket.status : "none";
    $("current").dataset.status = status;
    $("cur-number").textContent = ticket ? ticket.number : "—";
    $("cur-queue").textContent = ticket ? `${ticket.queue} · ${ticket.queue_name_vi}` : "";
    $("cur-state").textContent = ticket ? STATUS_VI[ticket.status] || ticket.status : "Chưa gọi số nào";
    const dossier = ticket && ticket.dossier_code;
    $("cur-dossier").hidden = !dossier;
    $("cur-dossier-code").textContent = dossier || "";
    const details = [];
    if (ticket && ticket.recall_count) details.push(`Đã gọi lại ${ticket.recall_count} lần`);
    if (ticket && ticket.priority) details.push(`Ưu tiên: ${this.priorityName(ticket.priority)}`);
    $("cur-detail").textContent = details.join(" · ");
    const visiting = ticket && (ticket.status === "called" || ticket.status === "serving");
    if (!visiting) this.visit = null;
    else if (!this.visit || this.visit.id !== ticket.id) this.visit = { id: ticket.id, since: Date.now() };
    this.renderTimer();
    const paused = this.counter.status === "paused";
    const counterStatus = $("counter-status");
    counterStatus.textContent = `${this.counter.name_vi || `Quầy ${this.counter.number}`}: ${COUNTER_VI[this.counter.status]}` + (paused && this.counter.pause_reason ? ` (${this.counter.pause_reason})` : "");
    counterStatus.classList.toggle("paused", paused);
    $("pause-button").querySelector("span").textContent = paused ? "Tiếp tục làm việc" : "Tạm dừng quầy";
    const enabled = new Set(paused ? [] : ENABLED[status] || ENABLED.none);
    for (const button of $("actions").querySelectorAll("button")) button.disabled = !enabled.has(button.dataset.action);
  }

  renderTimer() {
    const timer = $("cur-timer");
    timer.hidden = !this.visit;
    if (!this.visit) return;
    const seconds = Math.max(0, Math.floor((Date.now() - this.visit.since) / 1000));
    const minutes = Math.floor(seconds / 60);
    timer.textContent = `Thời gian tiếp công dân: ${minutes}:${String(seconds % 60).padStart(2, "0")}`;
    timer.classList.toggle("long", minutes >= 30); // the plan's 30 minutes per case
  }

  priorityName(code) {
    return this.priorityNames?.[code] || code;
  }

  renderList(list) {
    this.priorityNames = this.priorityNames || {};
    const rows = list.waiting.map((t) => {
      if (t.priority) this.priorityNames[t.priority] = t.priority_name_vi || t.priority;
      return this.row(t, t.next ? "next" : "", "call", "Gọi");
    });
    $("waiting").replaceChildren(...rows);
    $("waiting-total").textContent = String(list.total);
    $("queues-served").textContent = `hàng đợi ${list.queues.join(", ")}`;
    $("waiting-empty").hidden = list.waiting.length > 0;
    $("held").replaceChildren(...list.on_hold.map((t) => this.row(t, "", "resume", "Gọi lại vào quầy")));
    $("held-empty").hidden = list.on_hold.length > 0;
  }

  row(ticket, className, action, label) {
    const row = document.createElement("tr");
    row.className = className;
    row.dataset.id = String(ticket.id);
    row.dataset.number = ticket.number;
    row.innerHTML = '<td class="num"></td><td></td><td></td><td class="prio"></td><td><button></button></td>';
    const cells = row.children;
    cells[0].textContent = ticket.number;
    cells[1].textContent = ticket.queue_name_vi;
    if (ticket.dossier_code) {
      const dossier = document.createElement("small");
      dossier.className = "dossier";
      dossier.textContent = `Hồ sơ ${ticket.dossier_code}`;
      cells[1].append(document.createElement("br"), dossier);
    }
    cells[2].textContent = formatWait(ticket.waited_s).replace("~", "");
    cells[3].textContent = ticket.priority_name_vi || "";
    if (ticket.for_counter) {
      const sent = document.createElement("small");
      sent.className = "sent";
      sent.textContent = ticket.for_counter === this.counter.number ? "chuyển đến quầy này" : `chờ quầy ${ticket.for_counter}`;
      cells[3].append(sent);
    }
    const button = cells[4].firstChild;
    button.textContent = label;
    button.dataset.action = action;
    button.disabled = this.counter.status !== "open";
    return row;
  }

  // ---- acting -----------------------------------------------------------------------------------

  onButton(event) {
    const button = event.target.closest("button[data-action]");
    if (button && !button.disabled) this.run(button.dataset.action);
  }

  onListButton(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || button.disabled) return;
    const row = button.closest("tr");
    this.run(button.dataset.action, { id: Number(row.dataset.id), number: row.dataset.number });
  }

  caseSoon() {
    if (this.caseTimer) return;
    this.caseTimer = setTimeout(async () => {
      this.caseTimer = null;
      try {
        await this.casePanel.reload();
      } catch (error) {
        if (error.status !== 401) this.showError(error.message);
      }
    }, 150);
  }

  onKey(event) {
    if (!this.counter || event.ctrlKey || event.altKey || event.metaKey) return;
    if (document.querySelector("dialog[open]")) return;
    if (event.target.closest("input, select, textarea")) return;
    if (event.key === "/") {
      event.preventDefault();
      $("case-query").focus();
      return;
    }
    const caseAction = this.casePanel.isOpen && CASE_KEYS[event.key.toLowerCase()];
    if (caseAction) {
      event.preventDefault();
      const button = document.querySelector(`button[data-case="${caseAction}"]`);
      if (button && !button.disabled && !button.hidden) this.run(caseAction);
      return;
    }
    const action = KEYS[event.key] || KEYS[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault(); // F1 would open the browser's help, Space would scroll
    const button = document.querySelector(`button[data-action="${action}"]`);
    if (button && !button.disabled) this.run(action);
  }

  async run(action, target) {
    if (this.busy) {
      // Pressed while an earlier action is still settling (its event may already be on screen): do it
      // after, in order, rather than drop it.
      this.pending.push({ action, target });
      return;
    }
    this.busy = true;
    this.hideMessages();
    try {
      await this[action](target);
      await this.refresh();
    } catch (error) {
      const caseWork = CASE_ACTIONS.has(action);
      if (error.status !== 401) this.showError(caseWork && error.bilingual ? error.bilingual : error.message);
    } finally {
      this.busy = false;
      this.runPending();
    }
  }

  runPending() {
    // The next one that still applies (a button greyed out meanwhile means its moment has passed).
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      const button = document.querySelector(`button[data-action="${next.action}"], button[data-case="${next.action}"]`);
      if (next.target || (button && !button.disabled)) return this.run(next.action, next.target);
    }
  }

  get ticketPath() {
    if (!this.current) throw new ApiError(0, "Chưa có số nào đang phục vụ tại quầy.");
    return `/api/v1/tickets/${this.current.id}`;
  }

  async callNext() {
    const called = await this.api("POST", `/api/v1/counters/${this.counter.number}/call-next`);
    this.showNotice(called ? `Đã gọi số ${called.number}.` : "Không còn ai đang chờ.");
  }

  async call(target) {
    const called = await this.api("POST", `/api/v1/counters/${this.counter.number}/call/${target.id}`);
    this.showNotice(`Đã gọi số ${called.number}.`);
  }

  async recall() {
    const ticket = await this.api("POST", `${this.ticketPath}/recall`);
    this.showNotice(`Đã gọi lại số ${ticket.number}.`);
  }

  async startService() {
    await this.api("POST", `${this.ticketPath}/start`);
  }

  async finish() {
    const ticket = await this.api("POST", `${this.ticketPath}/finish`, {});
    this.showNotice(`Đã hoàn thành số ${ticket.number}.`);
  }

  async noShow() {
    const ticket = await this.api("POST", `${this.ticketPath}/no-show`);
    this.showNotice(`Số ${ticket.number}: vắng mặt.`);
  }

  async hold() {
    const path = this.ticketPath;
    const reason = await this.askReason(`Tạm giữ số ${this.current.number}`, "Lý do (ví dụ: công dân đi bổ sung giấy tờ)", false);
    if (reason === null) return;
    const ticket = await this.api("POST", `${path}/hold`, { reason: reason || null });
    this.showNotice(`Đã tạm giữ số ${ticket.number}.`);
  }

  async resume(target) {
    const ticket = await this.api("POST", `/api/v1/tickets/${target.id}/resume`);
    this.showNotice(`Đã gọi lại số ${ticket.number} vào quầy.`);
  }

  async transfer() {
    const path = this.ticketPath;
    const choice = await this.askTransfer();
    if (!choice) return;
    const ticket = await this.api("POST", `${path}/transfer`, choice);
    this.showNotice(choice.counter
      ? `Đã chuyển số ${ticket.number} đến quầy ${choice.counter} (hàng ${ticket.queue_name_vi}).`
      : `Đã chuyển số ${ticket.number} sang hàng ${ticket.queue_name_vi}.`);
  }

  async pause() {
    const path = `/api/v1/counters/${this.counter.number}`;
    if (this.counter.status === "paused") {
      await this.api("POST", `${path}/resume`);
      return;
    }
    const reason = await this.askReason("Tạm dừng quầy", "Lý do tạm dừng (bắt buộc)", true);
    if (reason === null) return;
    await this.api("POST", `${path}/pause`, { reason });
  }

  async closeCounter() {
    await this.api("POST", `/api/v1/counters/${this.counter.number}/close`);
  }

  // ---- case actions (each answers the case's new view) ------------------------------------------

  get casePath() {
    if (!this.casePanel.code) throw new ApiError(0, "Chưa mở hồ sơ nào.");
    return `/api/v1/dossiers/${encodeURIComponent(this.casePanel.code)}`;
  }

  async caseAction(action, body, done) {
    const view = await this.api("POST", `${this.casePath}/${action}`, body || {});
    this.casePanel.render(view);
    this.showNotice(done(view));
    return view;
  }

  async receive() {
    const view = await this.caseAction("receive", {}, (v) => `Đã tiếp nhận hồ sơ ${v.code}; hẹn trả ${dayVi(v.due_date)}.`);
    try {
      await this.api("POST", `${this.casePath}/receipt/print`);
      this.showNotice(`Đã tiếp nhận hồ sơ ${view.code}; hẹn trả ${dayVi(view.due_date)}. Đã in giấy hẹn.`);
    } catch (error) {
      if (error.status === 401) throw error;
      this.showError(`Đã tiếp nhận hồ sơ ${view.code}, nhưng chưa in được giấy hẹn: ${error.bilingual || error.message}`);
    }
  }

  async requestPapers() {
    const view = this.casePanel.view;
    const missing = new Set(view.missing_papers.map((p) => p.type));
    const choice = await this.askCase({
      title: `Yêu cầu bổ sung hồ sơ ${view.code} (Mẫu 02)`,
      papers: view.papers.map((p) => ({ type: p.type, name: p.name_vi, checked: missing.has(p.type) })),
      reason: "Nội dung cần bổ sung, hoàn thiện (bắt buộc)",
    });
    if (!choice) return;
    await this.caseAction("request-papers", { papers: choice.papers, reason: choice.reason },
      (v) => `Đã yêu cầu bổ sung ${v.requested_papers.length} giấy tờ cho hồ sơ ${v.code}. In Mẫu 02 cho công dân.`);
  }

  async refuse() {
    const choice = await this.askCase({ title: `Từ chối tiếp nhận hồ sơ ${this.casePanel.code} (Mẫu 03)`, reason: "Lý do từ chối (bắt buộc)" });
    if (!choice) return;
    await this.caseAction("refuse", { reason: choice.reason }, (v) => `Đã từ chối hồ sơ ${v.code}. In Mẫu 03 cho công dân.`);
  }

  async extend() {
    const choice = await this.askCase({ title: `Gia hạn hồ sơ ${this.casePanel.code} (Mẫu 04: xin lỗi, hẹn lại)`, date: true, reason: "Lý do chậm trả kết quả (bắt buộc)" });
    if (!choice) return;
    await this.caseAction("extend", { due_date: choice.date, reason: choice.reason },
      (v) => `Đã hẹn lại ngày trả kết quả: ${dayVi(v.due_date)}. In Mẫu 04 cho công dân.`);
  }

  async finishCase() {
    await this.caseAction("finish", {}, (v) => `Hồ sơ ${v.code} đã có kết quả.`);
  }

  async returnResult() {
    const choice = await this.askCase({ title: `Trả kết quả hồ sơ ${this.casePanel.code}`, ack: true, reason: "Ghi chú (không bắt buộc)", optional: true });
    if (!choice) return;
    await this.caseAction("return", { note: ["Công dân đã nhận kết quả và ký nhận", choice.reason].filter(Boolean).join(" — ") },
      (v) => `Đã trả kết quả hồ sơ ${v.code}.`);
  }

  async forward() {
    // The server names the offices of the same province tree: a case never leaves its province.
    const offices = await this.api("GET", `/api/v1/offices?forward_from=${encodeURIComponent(this.casePanel.view.office)}`);
    if (offices.length === 0) throw new ApiError(0, "Không có đơn vị nào khác để chuyển hồ sơ.");
    const choice = await this.askCase({ title: `Chuyển hồ sơ ${this.casePanel.code} đến đơn vị có thẩm quyền`, offices, reason: "Ghi chú (không bắt buộc)", optional: true });
    if (!choice) return;
    await this.caseAction("forward", { office: choice.office, note: choice.reason || null },
      (v) => `Đã chuyển hồ sơ ${v.code} đến ${choice.officeName}.`);
  }

  async withdraw() {
    const choice = await this.askCase({ title: `Công dân rút hồ sơ ${this.casePanel.code}`, reason: "Lý do (không bắt buộc)", optional: true });
    if (!choice) return;
    await this.caseAction("withdraw", { reason: choice.reason || null }, (v) => `Hồ sơ ${v.code}: công dân đã rút.`);
  }

  async checkCase(target) {
    const view = await this.api("POST", `${this.casePath}/checks`, { subject: target.subject, checked: target.checked });
    this.casePanel.render(view);
  }

  async printCase(target) {
    if (target.kind === "thermal") {
      await this.api("POST", `${this.casePath}/receipt/print`);
      this.showNotice("Đã in giấy hẹn trên máy in của quầy.");
      return;
    }
    const path = target.kind === "01" ? `${this.casePath}/receipt.pdf` : `${this.casePath}/forms/${target.kind}.pdf`;
    const url = URL.createObjectURL(await this.apiBlob(path));
    window.open(url, "_blank");
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /** The case dialog: some of papers, office, date, reason, acknowledgement; null on cancel. */
  askCase({ title, papers, offices, date, reason, optional, ack }) {
    $("case-dialog-title").textContent = title;
    const paperBox = $("case-dialog-papers");
    paperBox.hidden = !papers;
    paperBox.replaceChildren(...(papers || []).map((paper) => {
      const label = document.createElement("label");
      label.className = "check";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = paper.type;
      box.checked = paper.checked;
      label.append(box, ` ${paper.name}`);
      return label;
    }));
    $("case-dialog-office-label").hidden = !offices;
    $("case-dialog-office").replaceChildren(...(offices || []).map((office) => {
      const option = document.createElement("option");
      option.value = office.code;
      option.textContent = `${office.code} · ${office.name_vi}`;
      return option;
    }));
    $("case-dialog-date-label").hidden = !date;
    $("case-dialog-date").required = Boolean(date);
    $("case-dialog-date").value = "";
    $("case-dialog-reason-text").textContent = reason || "Lý do";
    $("case-dialog-reason").required = !optional;
    $("case-dialog-reason").value = "";
    $("case-dialog-ack-label").hidden = !ack;
    $("case-dialog-ack").required = Boolean(ack);
    $("case-dialog-ack").checked = false;
    return this.dialog("case-dialog", () => {
      const select = $("case-dialog-office");
      return {
        papers: [...paperBox.querySelectorAll("input:checked")].map((box) => box.value),
        office: select.value,
        officeName: select.selectedOptions[0] ? select.selectedOptions[0].textContent : "",
        date: $("case-dialog-date").value,
        reason: $("case-dialog-reason").value.trim(),
      };
    });
  }

  // ---- dialogs ----------------------------------------------------------------------------------

  askReason(title, label, required) {
    $("reason-title").textContent = title;
    $("reason-label").textContent = label;
    const input = $("reason-input");
    input.value = "";
    input.required = required;
    return this.dialog("reason-dialog", () => input.value.trim());
  }

  askTransfer() {
    $("transfer-number").textContent = this.current.number;
    const select = $("transfer-queue");
    const counterSelect = $("transfer-counter");
    const others = (this.counters || []).filter((c) => c.number !== this.counter.number);
    const anyCounter = new Option("Bất kỳ quầy nào phục vụ hàng đợi", "");
    counterSelect.replaceChildren(anyCounter, ...others.map((c) => {
      const state = c.status === "closed" ? "đóng" : c.status === "paused" ? "tạm dừng" : "đang mở";
      return new Option(`${c.name_vi || `Quầy ${c.number}`} · ${state}`, String(c.number));
    }));
    // A counter chosen: only its queues, the ticket's own first when it serves it.
    const fillQueues = () => {
      const chosen = others.find((c) => String(c.number) === counterSelect.value);
      const queues = chosen ? this.queues.filter((q) => chosen.queues.includes(q.code)) : this.queues;
      select.replaceChildren(...queues.map((q) => new Option(`${q.code} · ${q.name_vi}`, q.code)));
      const preferred = chosen ? queues.find((q) => q.code === this.current.queue) : queues.find((q) => q.code !== this.current.queue);
      select.value = (preferred || queues[0]).code;
    };
    counterSelect.onchange = fillQueues;
    counterSelect.value = "";
    fillQueues();
    $("transfer-reason").value = "";
    return this.dialog("transfer-dialog", () => ({
      queue: select.value,
      counter: counterSelect.value ? Number(counterSelect.value) : null,
      to: document.querySelector('#transfer-form input[name="to"]:checked').value,
      reason: $("transfer-reason").value.trim() || null,
    }));
  }

  /** Show a dialog; resolves with read() on OK, null on cancel or Esc. */
  dialog(id, read) {
    const dialog = $(id);
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok" ? read() : null), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  // ---- showing ----------------------------------------------------------------------------------

  show(view) {
    for (const name of ["login", "pick", "work"]) $(`${name}-view`).hidden = name !== view;
    document.querySelector(".keys").hidden = view !== "work";
    if (view === "login") {
      $("me").textContent = "";
      $("logout").hidden = true;
      $("book-open").hidden = true;
      if ($("book-dialog").open) $("book-dialog").close();
      $("seat").hidden = true;
      $("username").focus();
    }
  }

  showError(message) {
    $("notice").hidden = true;
    $("error").textContent = message;
    $("error").hidden = false;
  }

  showNotice(message) {
    $("notice").textContent = message;
    $("notice").hidden = false;
  }

  hideMessages() {
    $("error").hidden = true;
    $("notice").hidden = true;
  }
}

const app = new Console();
window.motcuaConsole = app;
app.start();
