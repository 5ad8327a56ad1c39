/*
 * The lobby board (/board): counters and the numbers they called, the latest calls, the queues' waits,
 * a clock and a scrolling notice; each call is spoken through voice.js. Built to run for weeks:
 * every DOM node is made once and updated in place, lists are bounded, one socket and four timers.
 * Where the office takes numbers from the phone, the hall's rotating QR (one <img>, one chained timeout).
 *
 * Live through WS /api/v1/events?since=<last seq>&key=<display key>. While cut off the screen says so
 * (red banner, dimmed tiles); on reconnection it catches up from the last seq it applied, silently for
 * the calls it missed (shown, not spoken) and aloud for the new ones.
 */
import { ReconnectingSocket, clockTime, formatWait, vietnameseDate, wsUrl } from "./live.js";

const KEY_STORE = "motcua.board.key";
const MAX_CATCH_UP = 2000; // further behind than this, start again from a fresh snapshot
const PROBE_MS = 30000;
const HALL_QR_RETRY_MS = 15000;
const BANNER = {
  connecting: "Đang kết nối máy chủ…",
  stale: "Mất kết nối máy chủ — đang kết nối lại…",
  badKey: "Bảng hiển thị chưa có khóa thiết bị hợp lệ — hãy mở lại địa chỉ có ?key=… do quản trị cấp",
};
const COUNTER_STATES = { open: "", paused: "Tạm dừng", closed: "Quầy đóng" };

const $ = (id) => document.getElementById(id);

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function restartAnimation(element) {
  element.classList.remove("flash");
  void element.offsetWidth; // reflow, so the same animation starts again
  element.classList.add("flash");
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try {
      const body = await response.json();
      message = (body.error && body.error.message_vi) || message;
    } catch (error) {
      /* keep the status */
    }
    throw Object.assign(new Error(message), { status: response.status });
  }
  return response.json();
}

function keyFromAddress(params) {
  const key = params.get("key");
  if (key) {
    localStorage.setItem(KEY_STORE, key);
    params.delete("key");
    const query = params.toString();
    history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
  }
  return localStorage.getItem(KEY_STORE) || "";
}

class Board {
  constructor() {
    const params = new URLSearchParams(location.search);
    this.key = keyFromAddress(params);
    this.officeParam = params.get("office") || "";
    this.config = null;
    this.timeZone = "Asia/Ho_Chi_Minh";
    this.lastSeq = 0;
    this.liveFrom = 0;
    this.tiles = new Map(); // counter number -> {root, number, state}
    this.queues = new Map(); // queue code -> {root, waiting, wait}
    this.recent = []; // [{number, counter, recall}], newest first, at most highlight_count
    this.recentItems = [];
    this.voice = null;
    this.stats = { events: 0, calls: 0, announced: 0, lastAnnouncement: "", reconnects: 0 };
    this.prepared = false;
    this.probeMisses = 0;
    this.probeBehind = null;
    this.queuesTimer = null;
    this.hallQr = { timer: null, url: "", shownAt: 0, refreshS: 0 };
    this.socket = new ReconnectingSocket({
      url: () => this.streamUrl(),
      prepare: () => this.prepare(),
      onmessage: (event) => this.handle(event),
      onstate: (state) => this.showState(state),
      onclose: (event) => this.onClose(event),
    });
  }

  start() {
    this.tick();
    setInterval(() => this.tick(), 1000);
    setInterval(() => this.probe(), PROBE_MS);
    this.socket.start();
  }

  get store() {
    const office = (this.config && this.config.office.code) || this.officeParam || "default";
    return { seq: `motcua.board.seq.${office}`, recent: `motcua.board.recent.${office}` };
  }

  streamUrl() {
    const query = new URLSearchParams({ since: String(this.lastSeq), key: this.key, office: this.config.office.code });
    return wsUrl(`/api/v1/events?${query}`);
  }

  /** Before each (re)connection: settings, a fresh snapshot, and where to resume the stream. */
  async prepare() {
    const officeQuery = this.officeParam ? `?office=${encodeURIComponent(this.officeParam)}` : "";
    let config;
    try {
      config = await getJson(`/api/v1/board/config${officeQuery}`);
    } catch (error) {
      if (error.status === 503) this.showProblem(error.message);
      throw error;
    }
    await this.checkKey(config.last_seq);
    document.body.classList.remove("problem");
    if (!this.config) this.build(config);
    const office = `?office=${encodeURIComponent(config.office.code)}`;
    const [counters, queues] = await Promise.all([
      getJson(`/api/v1/counters${office}`),
      getJson(`/api/v1/queues${office}`),
    ]);
    this.applyCounters(counters);
    this.applyQueues(queues);
    const serverSeq = config.last_seq;
    if (this.lastSeq > serverSeq || serverSeq - this.lastSeq > MAX_CATCH_UP) this.lastSeq = serverSeq;
    this.liveFrom = serverSeq; // what the server had before this connection is caught up silently
    if (this.prepared) this.stats.reconnects++;
    this.prepared = true;
  }

  /** A refused WebSocket handshake tells the page nothing, so ask the log over HTTP whether the key is good. */
  async checkKey(seq) {
    if (!this.key) {
      this.showProblem(BANNER.badKey);
      throw new Error("no display key");
    }
    const response = await fetch(`/api/v1/events?since=${seq}&limit=1`, { headers: { "X-Device-Key": this.key } });
    if (response.status === 401 || response.status === 403) {
      this.showProblem(BANNER.badKey);
      throw new Error("display key refused");
    }
  }

  build(config) {
    this.config = config;
    this.timeZone = config.office.time_zone || this.timeZone;
    setText($("title"), config.title);
    document.title = `${config.title} — Bảng số thứ tự`;
    document.documentElement.style.setProperty("--flash-count", String(Math.max(0, Math.round(config.flash_seconds / 1.6))));
    this.lastSeq = Number(localStorage.getItem(this.store.seq)) || 0;
    try {
      this.recent = JSON.parse(localStorage.getItem(this.store.recent) || "[]").slice(0, config.highlight_count);
    } catch (error) {
      this.recent = [];
    }
    const list = $("recent");
    for (let i = 0; i < config.highlight_count; i++) {
      const item = document.createElement("li");
      item.innerHTML = '<span class="num"></span><span class="to"></span>';
      item.hidden = true;
      list.appendChild(item);
      this.recentItems.push({ root: item, number: item.firstChild, to: item.lastChild });
    }
    this.renderRecent(false);
    this.setNotice(config.notice || "", config.notice_speed);
    $("queues").hidden = !config.show_queues;
    if (config.voice_enabled && window.MotcuaVoice) this.setUpVoice(config.voice);
    this.refreshHallQr();
  }

  /** The QR that leads to the take-a-number page with the hall's current token; read again as it rotates. */
  async refreshHallQr() {
    clearTimeout(this.hallQr.timer);
    const figure = $("hall-qr");
    let nextMs = HALL_QR_RETRY_MS;
    try {
      const office = encodeURIComponent(this.config.office.code);
      const response = await fetch(`/api/v1/public/phone/hall-qr/${office}`, {
        cache: "no-store",
        headers: { "X-Device-Key": this.key },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const answer = await response.json();
      this.hallQr.refreshS = answer.refresh_s;
      nextMs = Math.max(1, answer.refresh_s) * 1000;
      if (answer.enabled) {
        if (answer.url !== this.hallQr.url) $("hall-qr-img").src = answer.image;
        this.hallQr.url = answer.url;
        this.hallQr.shownAt = Date.now();
      } else {
        this.hallQr.url = "";
      }
      figure.hidden = !answer.enabled;
    } catch (error) {
      // A token shown stays valid at least one period (two refreshes); after that it would only lead to a refusal.
      const stale = Date.now() - this.hallQr.shownAt > 2 * this.hallQr.refreshS * 1000;
      if (stale) figure.hidden = true;
      nextMs = Math.min(nextMs, Math.max(1000, this.hallQr.refreshS * 1000));
    }
    this.hallQr.timer = setTimeout(() => this.refreshHallQr(), nextMs);
  }

  setUpVoice(voiceConfig) {
    this.voice = new window.MotcuaVoice.AnnouncementQueue({ maxPending: voiceConfig.queue_limit });
    this.voiceBase = voiceConfig.base_url;
    const button = $("sound");
    this.voice.addEventListener("blocked", () => {
      button.hidden = false;
    });
    button.addEventListener("click", () => {
      button.hidden = true; // the click itself lets the browser play sound from now on
    });
  }

  setNotice(text, speed) {
    const notice = $("notice");
    setText(notice, text);
    const track = notice.parentElement;
    track.parentElement.hidden = !text;
    const seconds = Math.max(10, (track.scrollWidth + window.innerWidth) / speed);
    track.style.setProperty("--notice-seconds", `${seconds.toFixed(1)}s`);
  }

  /** Tiles for the counters of the office, made once (a new counter in the config needs a reload). */
  ensureTiles(counters) {
    if (this.tiles.size > 0) return;
    const grid = $("tiles");
    const columns = this.config.columns || (counters.length <= 2 ? counters.length || 1 : counters.length <= 4 ? 2 : counters.length <= 9 ? 3 : 4);
    const rows = Math.max(1, Math.ceil(counters.length / columns));
    grid.style.setProperty("--columns", String(columns));
    grid.style.setProperty("--number-size", `${Math.min(15, 44 / rows).toFixed(1)}vh`);
    for (const counter of counters) {
      const root = document.createElement("div");
      root.className = "tile closed";
      root.innerHTML = '<div class="counter"></div><div class="number"></div><div class="state"></div>';
      setText(root.firstChild, counter.name_vi || `Quầy ${counter.number}`);
      grid.appendChild(root);
      this.tiles.set(counter.number, { root, number: root.children[1], state: root.children[2] });
    }
    for (const call of [...this.recent].reverse()) this.setTileNumber(call.counter, call.number);
  }

  applyCounters(counters) {
    this.ensureTiles(counters);
    for (const counter of counters) {
      this.setCounterStatus(counter);
      if (counter.current_ticket) this.setTileNumber(counter.number, counter.current_ticket.number);
    }
  }

  setCounterStatus(counter) {
    const tile = this.tiles.get(counter.number);
    if (!tile) return;
    for (const status of ["open", "paused", "closed"]) tile.root.classList.toggle(status, counter.status === status);
    // The server's own pause for a console gone 10 min is named; an officer's reasons stay off the hall's screen.
    const lost = counter.status === "paused" && counter.pause_reason === "mất kết nối";
    setText(tile.state, lost ? "Tạm dừng (mất kết nối)" : COUNTER_STATES[counter.status] ?? "");
    if (counter.status === "closed") setText(tile.number, "");
  }

  setTileNumber(counterNumber, ticketNumber) {
    const tile = this.tiles.get(counterNumber);
    if (tile) setText(tile.number, ticketNumber);
  }

  applyQueues(queues) {
    const panel = $("queues");
    for (const queue of queues) {
      let view = this.queues.get(queue.code);
      if (!view) {
        const root = document.createElement("div");
        root.className = "queue";
        root.innerHTML = '<div class="name"></div><div class="figures"><span>Đang chờ: <b class="waiting">0</b></span><span>Dự kiến: <b class="wait">—</b></span></div>';
        setText(root.firstChild, `${queue.prefix} · ${queue.name_vi}`);
        panel.appendChild(root);
        view = { root, waiting: root.querySelector(".waiting"), wait: root.querySelector(".wait") };
        this.queues.set(queue.code, view);
      }
      view.root.classList.toggle("closed", queue.open === false);
      this.setQueueFigures(queue.code, queue.waiting, queue.estimated_wait_s);
    }
  }

  setQueueFigures(code, waiting, estimatedWaitS) {
    const view = this.queues.get(code);
    if (!view) return;
    setText(view.waiting, String(waiting));
    setText(view.wait, waiting > 0 ? formatWait(estimatedWaitS) : "không phải chờ");
  }

  /** Counters opening or closing change every queue's expected wait: re-read them once, shortly after. */
  refreshQueuesSoon() {
    if (this.queuesTimer) return;
    this.queuesTimer = setTimeout(async () => {
      this.queuesTimer = null;
      try {
        this.applyQueues(await getJson(`/api/v1/queues?office=${encodeURIComponent(this.config.office.code)}`));
      } catch (error) {
        /* the next event or probe tries again */
      }
    }, 1000);
  }

  handle(event) {
    if (!event || typeof event.seq !== "number" || event.seq <= this.lastSeq) return;
    this.lastSeq = event.seq;
    this.stats.events++;
    localStorage.setItem(this.store.seq, String(event.seq));
    const data = event.data || {};
    const type = String(event.type || "");
    if (type.startsWith("ticket.")) {
      for (const [code, figures] of Object.entries(data.queues || {})) {
        this.setQueueFigures(code, figures.waiting, figures.estimated_wait_s);
      }
      const ticket = data.ticket;
      if ((type === "ticket.called" || type === "ticket.recalled") && ticket && ticket.counter) {
        this.showCall(ticket.number, ticket.counter, type === "ticket.recalled", event.seq > this.liveFrom);
      }
    } else if (type.startsWith("counter.") && data.counter) {
      this.setCounterStatus(data.counter);
      this.refreshQueuesSoon();
    }
  }

  showCall(number, counter, recall, live) {
    this.stats.calls++;
    this.setTileNumber(counter, number);
    this.recent = [{ number, counter, recall }, ...this.recent.filter((c) => !(c.number === number && c.counter === counter))];
    this.recent.length = Math.min(this.recent.length, this.config.highlight_count);
    localStorage.setItem(this.store.recent, JSON.stringify(this.recent));
    this.renderRecent(live);
    if (live) {
      const tile = this.tiles.get(counter);
      if (tile && this.config.flash_seconds > 0) restartAnimation(tile.root);
      this.announce(number, counter, recall);
    }
  }

  renderRecent(flashNewest) {
    this.recentItems.forEach((item, index) => {
      const call = this.recent[index];
      item.root.hidden = !call;
      if (!call) return;
      setText(item.number, call.number);
      setText(item.to, `Quầy ${call.counter}`);
      item.root.classList.toggle("newest", index === 0);
      if (index !== 0) item.root.classList.remove("flash");
    });
    if (flashNewest && this.recentItems.length && this.config.flash_seconds > 0) {
      restartAnimation(this.recentItems[0].root);
    }
  }

  async announce(number, counter, recall) {
    if (!this.voice) return;
    const query = new URLSearchParams({ number, counter: String(counter), recall: recall ? "1" : "0" });
    try {
      const announcement = await getJson(`/api/v1/board/announcement?${query}`);
      this.voice.announce(announcement, this.voiceBase);
      this.stats.announced++;
      this.stats.lastAnnouncement = announcement.text;
    } catch (error) {
      /* the call is on screen; a missing voice must not stop the board */
    }
  }

  showState(state) {
    const stale = state !== "live";
    document.body.classList.toggle("stale", stale);
    if (stale && !document.body.classList.contains("problem")) {
      setText($("banner"), this.config ? BANNER.stale : BANNER.connecting);
    }
  }

  showProblem(message) {
    document.body.classList.add("problem");
    setText($("banner"), message);
  }

  onClose() {
    /* the next prepare() tells a refused key from a server that is away */
  }

  /** A stream that is silently dead, or that misses events, is reopened. */
  async probe() {
    if (!this.config || this.socket.state !== "live") return;
    try {
      const config = await getJson(`/api/v1/board/config?office=${encodeURIComponent(this.config.office.code)}`);
      this.probeMisses = 0;
      const behind = config.last_seq > this.lastSeq;
      if (behind && this.probeBehind !== null && this.probeBehind > this.lastSeq) this.socket.restart();
      this.probeBehind = behind ? config.last_seq : null;
    } catch (error) {
      this.probeMisses++;
      if (this.probeMisses >= 2) this.socket.restart();
    }
  }

  tick() {
    const now = new Date();
    setText($("time"), clockTime(now, this.timeZone, true));
    setText($("date"), vietnameseDate(now, this.timeZone));
  }
}

const board = new Board();
window.motcuaBoard = board; // for the tests and for a look from the DevTools; one object, never grows
board.start();
