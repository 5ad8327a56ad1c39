/*
 * Shared by the board, the console and the phone page: a WebSocket that reconnects by itself, and the
 * Vietnamese formats of times and waits. Plain ES modules, no build step.
 */

/** Capped exponential backoff with jitter: attempt 0 -> ~minMs, doubling up to maxMs, each in [d/2, d]. */
export function backoffDelay(attempt, minMs = 500, maxMs = 15000) {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

/**
 * One WebSocket at a time, reopened after any close with backoff. Before each attempt `prepare()` runs
 * (fetch a snapshot, learn the seq to resume from); if it throws, the attempt counts as failed.
 * States reported to onstate: "connecting", "live", "stale". Nothing accumulates: one socket, one timer.
 */
export class ReconnectingSocket {
  constructor({ url, prepare = async () => {}, onmessage, onstate = () => {}, onclose = () => {},
    minDelayMs = 500, maxDelayMs = 15000, stableMs = 10000 }) {
    Object.assign(this, { url, prepare, onmessage, onstate, onclose, minDelayMs, maxDelayMs, stableMs });
    this.attempt = 0;
    this.state = "connecting";
    this._ws = null;
    this._timer = null;
    this._stopped = true;
    this._openedAt = 0;
  }

  start() {
    if (!this._stopped) return;
    this._stopped = false;
    this._connect();
  }

  stop() {
    this._stopped = true;
    clearTimeout(this._timer);
    this._timer = null;
    if (this._ws) this._ws.close(1000, "stopped");
  }

  /** Say something to the server if the socket is open (answers whether it went). */
  send(text) {
    if (!this._ws || this._ws.readyState !== WebSocket.OPEN) return false;
    this._ws.send(text);
    return true;
  }

  /** Drop the current socket (if any) and go through prepare + connect again. */
  restart() {
    if (this._ws) this._ws.close(4000, "restart");
    else if (!this._timer && !this._stopped) this._connect();
  }

  async _connect() {
    this._timer = null;
    if (this._stopped) return;
    this._setState(this.state === "live" ? "stale" : this.state);
    try {
      await this.prepare();
    } catch (error) {
      this._retry(error);
      return;
    }
    if (this._stopped) return;
    const ws = new WebSocket(this.url());
    this._ws = ws;
    ws.onopen = () => {
      this._openedAt = Date.now();
      this._setState("live");
    };
    ws.onmessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return; // not ours
      }
      this.onmessage(data);
    };
    ws.onclose = (event) => {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      if (this._ws === ws) this._ws = null;
      if (this._stopped) return;
      this.onclose(event);
      if (this._openedAt && Date.now() - this._openedAt > this.stableMs) this.attempt = 0;
      this._openedAt = 0;
      this._retry(event);
    };
  }

  _retry(reason) {
    if (this._stopped) return;
    this._setState("stale", reason);
    const delay = backoffDelay(this.attempt++, this.minDelayMs, this.maxDelayMs);
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  _setState(state, reason) {
    if (state === this.state && state !== "stale") return;
    this.state = state;
    this.onstate(state, reason);
  }
}

const WEEKDAYS = { Sun: "Chủ nhật", Mon: "Thứ Hai", Tue: "Thứ Ba", Wed: "Thứ Tư", Thu: "Thứ Năm", Fri: "Thứ Sáu",
  Sat: "Thứ Bảy" };
const partsCache = new Map();

function parts(date, timeZone) {
  let format = partsCache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    partsCache.set(timeZone, format);
  }
  const result = {};
  for (const part of format.formatToParts(date)) result[part.type] = part.value;
  return result;
}

/** "Thứ Ba, 10/03/2026" in the office's time zone. */
export function vietnameseDate(date, timeZone) {
  const p = parts(date, timeZone);
  return `${WEEKDAYS[p.weekday] || p.weekday}, ${p.day}/${p.month}/${p.year}`;
}

/** "09:05:07" (seconds = true) or "09:05". */
export function clockTime(date, timeZone, seconds = false) {
  const p = parts(date, timeZone);
  return seconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
}

/** An expected wait as people read it: "~15 phút", "~1 giờ 20 phút", "dưới 1 phút". */
export function formatWait(seconds) {
  if (seconds === null || seconds === undefined || !(seconds >= 0)) return "—";
  if (seconds < 60) return "dưới 1 phút";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `~${minutes} phút`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `~${hours} giờ ${rest} phút` : `~${hours} giờ`;
}

/** The API's Vietnamese error message from a failed fetch answer (or a plain one). */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    return (body.error && body.error.message_vi) || body.message || `Lỗi ${response.status}`;
  } catch (error) {
    return `Lỗi máy chủ (${response.status})`;
  }
}
