/*
 * The board's voice: plays call announcements strictly one after another.
 *
 * Plain ES2017, no framework. Load with <script src="/static/board/voice.js"></script>; it defines
 * window.MotcuaVoice = { AnnouncementQueue, clipUrls }.
 *
 *   const queue = new MotcuaVoice.AnnouncementQueue({ maxPending: 6 });
 *   queue.announce(call.voice, "/voice");   // {clips, repeat, pause_ms, text} from the server
 *   queue.enqueue(["/v/chime.wav", "/v/num_3.wav"], { repeat: 2, pauseMs: 800 });  // a recall: enqueue again
 *
 * Rules:
 * - One HTMLAudioElement plays every clip, so two clips can never sound at once; an announcement starts
 *   only after the previous one ended (plus gapMs of silence).
 * - repeat plays the whole clip list that many times, with pauseMs of silence between the passes.
 * - A clip that fails to load or play (missing file, decode error, stalled over clipTimeoutMs) is skipped
 *   with a "cliperror" event; the announcement goes on with its next clip.
 * - Burst cap: at most maxPending announcements wait behind the one playing. When a burst of calls exceeds
 *   it, the OLDEST WAITING announcements are dropped ("drop" event), never the one playing: the board shows
 *   every call on screen anyway, and the voice should speak the latest calls rather than lag minutes behind.
 * - Events (EventTarget, detail carries {id, label, at: performance.now()} …): start, end, drop,
 *   clipstart, clipend, cliperror, blocked (the browser refused autoplay: ask for a click or start the
 *   browser with --autoplay-policy=no-user-gesture-required). Matching on<event> properties also work.
 * - Nothing grows with time: finished entries are forgotten and listeners are removed after each clip,
 *   so a board can run for weeks.
 */
(function (root) {
  "use strict";

  const DEFAULTS = Object.freeze({
    maxPending: 6, // waiting announcements kept in a burst (the playing one not counted)
    pauseMs: 800, // silence between repetitions of one announcement
    gapMs: 300, // silence between two announcements
    clipTimeoutMs: 20000, // a clip neither ended nor failed by then is skipped
    maxRepeat: 5,
  });
  const EVENT_TYPES = ["start", "end", "drop", "clipstart", "clipend", "cliperror", "blocked"];

  function sleep(ms) {
    if (!(ms > 0)) return Promise.resolve(); // no timer for a zero pause: setTimeout(0) still waits ≥ 4 ms
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function mediaErrorName(error) {
    const names = { 1: "aborted", 2: "network", 3: "decode", 4: "unsupported" };
    return error ? names[error.code] || "media-error" : "media-error";
  }

  /** URLs of named clips under baseUrl: clipUrls("/voice", ["num_3"]) -> ["/voice/num_3.wav"]. */
  function clipUrls(baseUrl, clipNames) {
    const base = String(baseUrl).replace(/\/+$/, "");
    return clipNames.map((name) => `${base}/${encodeURIComponent(name)}.wav`);
  }

  class AnnouncementQueue extends EventTarget {
    constructor(options = {}) {
      super();
      this.options = Object.assign({}, DEFAULTS, options);
      this._audio = options.audio || new Audio();
      this._audio.preload = "auto";
      this._pending = [];
      this._current = null;
      this._nextId = 1;
      this._idleWaiters = [];
      this._running = false;
      for (const type of EVENT_TYPES) this["on" + type] = null;
    }

    /** Queue one announcement; returns its id. A recall is simply enqueued again. */
    enqueue(clipUrls, { repeat = 1, pauseMs = this.options.pauseMs, label = "" } = {}) {
      if (!Array.isArray(clipUrls) || clipUrls.length === 0 || !clipUrls.every((u) => typeof u === "string")) {
        throw new TypeError("enqueue needs a non-empty array of clip URLs");
      }
      if (!Number.isInteger(repeat) || repeat < 1 || repeat > this.options.maxRepeat) {
        throw new RangeError(`repeat must be an integer 1..${this.options.maxRepeat}, got ${repeat}`);
      }
      const entry = { id: this._nextId++, clips: clipUrls.slice(), repeat, pauseMs, label };
      this._pending.push(entry);
      while (this._pending.length > this.options.maxPending) {
        const dropped = this._pending.shift();
        this._emit("drop", { id: dropped.id, label: dropped.label, reason: "queue-full" });
      }
      if (!this._running) this._run();
      return entry.id;
    }

    /** Queue an announcement as the server describes it: {clips: [names], repeat, pause_ms, text}. */
    announce(announcement, baseUrl) {
      return this.enqueue(clipUrls(baseUrl, announcement.clips), {
        repeat: announcement.repeat || 1,
        pauseMs: announcement.pause_ms ?? this.options.pauseMs,
        label: announcement.text || "",
      });
    }

    get pendingCount() {
      return this._pending.length;
    }

    get playing() {
      return this._current !== null;
    }

    /** Drop every waiting announcement (the one playing finishes). */
    clear() {
      for (const entry of this._pending.splice(0)) {
        this._emit("drop", { id: entry.id, label: entry.label, reason: "cleared" });
      }
    }

    /** Resolves once nothing plays and nothing waits. */
    whenIdle() {
      if (!this._running) return Promise.resolve();
      return new Promise((resolve) => this._idleWaiters.push(resolve));
    }

    async _run() {
      this._running = true;
      try {
        while (this._pending.length > 0) {
          const entry = this._pending.shift();
          this._current = entry;
          try {
            await this._play(entry);
          } finally {
            this._current = null;
          }
          if (this._pending.length > 0) await sleep(this.options.gapMs);
        }
      } finally {
        this._running = false;
      }
      for (const resolve of this._idleWaiters.splice(0)) resolve();
    }

    async _play(entry) {
      const base = { id: entry.id, label: entry.label };
      this._emit("start", Object.assign({ repeat: entry.repeat }, base));
      let failed = 0;
      for (let pass = 0; pass < entry.repeat; pass++) {
        if (pass > 0) await sleep(entry.pauseMs);
        for (const url of entry.clips) {
          if (!(await this._playClip(url, Object.assign({ pass }, base)))) failed++;
        }
      }
      this._emit("end", Object.assign({ failedClips: failed }, base));
    }

    /** Play one clip to its end; resolves true, or false when it had to be skipped. Never rejects. */
    _playClip(url, detail) {
      const audio = this._audio;
      return new Promise((resolve) => {
        let settled = false;
        let timer = null;
        const onEnded = () => settle(true, "");
        const onError = () => settle(false, mediaErrorName(audio.error));
        const settle = (ok, reason) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          audio.removeEventListener("ended", onEnded);
          audio.removeEventListener("error", onError);
          if (!ok) audio.pause();
          this._emit(ok ? "clipend" : "cliperror", Object.assign({ url, reason }, detail));
          resolve(ok);
        };
        audio.addEventListener("ended", onEnded);
        audio.addEventListener("error", onError);
        timer = setTimeout(() => settle(false, "timeout"), this.options.clipTimeoutMs);
        this._emit("clipstart", Object.assign({ url }, detail));
        audio.src = url;
        let started;
        try {
          started = audio.play();
        } catch (error) {
          started = Promise.reject(error);
        }
        Promise.resolve(started).catch((error) => {
          if (error && error.name === "NotAllowedError") this._emit("blocked", Object.assign({ url }, detail));
          settle(false, (error && error.name) || "play-failed");
        });
      });
    }

    _emit(type, detail) {
      const payload = Object.assign({ type, at: performance.now() }, detail);
      const handler = this["on" + type];
      try {
        if (typeof handler === "function") handler.call(this, payload);
        this.dispatchEvent(new CustomEvent(type, { detail: payload }));
      } catch (error) {
        console.error("voice: an event handler failed", type, error); // a bad hook must not stop the queue
      }
    }
  }

  root.MotcuaVoice = { AnnouncementQueue, clipUrls, DEFAULTS };
})(typeof window !== "undefined" ? window : globalThis);
