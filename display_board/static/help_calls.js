/*
 * Kiosks calling for a staff member ("Gọi cán bộ hỗ trợ"), on the counter console: which kiosk, since when,
 * and "Đã đến hỗ trợ" that closes the call on every console and dashboard. Read again on each
 * kiosk.help_* event; nothing else is asked of the server.
 */
const clock = (iso) => new Date(iso).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });

/** "vừa xong" / "3 phút trước": the server's count at reading, plus the time since (its clock, not ours). */
export function waitedText(waitedS, readAt, now = Date.now()) {
  const minutes = Math.max(0, Math.floor(((waitedS || 0) * 1000 + now - readAt) / 60000));
  return minutes < 1 ? "vừa xong" : `${minutes} phút trước`;
}

export class HelpCalls {
  /** box: the element to fill; api(method, path): the page's authorised fetch; onError(message). */
  constructor(box, api, onError = () => {}) {
    Object.assign(this, { box, api, onError });
    this.calls = [];
    this.loading = null;
    box.addEventListener("click", (event) => this.onClick(event));
    setInterval(() => this.render(), 15000); // "3 phút trước" moves on by itself
  }

  isHelpEvent(event) {
    return Boolean(event && typeof event.type === "string" && event.type.startsWith("kiosk.help"));
  }

  async load() {
    if (this.loading) return this.loading; // one read at a time; a burst of events is one read
    this.loading = (async () => {
      try {
        this.calls = await this.api("GET", "/api/v1/kiosk-help");
        this.readAt = Date.now();
        this.render();
      } catch (error) {
        if (error.status !== 401) this.onError(error.message);
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  render() {
    this.box.hidden = this.calls.length === 0;
    this.box.replaceChildren(
      ...this.calls.map((call) => {
        const row = document.createElement("div");
        row.className = "help-call";
        row.dataset.id = String(call.id);
        row.dataset.kiosk = call.kiosk;
        row.innerHTML = '<b class="help-tag">HỖ TRỢ</b><span class="help-what"></span><time></time><button class="good" data-answer></button>';
        const presses = call.presses > 1 ? ` (bấm ${call.presses} lần)` : "";
        row.children[1].textContent = `Máy ${call.kiosk} cần cán bộ hỗ trợ công dân${presses}`;
        row.children[2].dateTime = call.requested_at;
        row.children[2].textContent = `từ ${clock(call.requested_at)} · ${waitedText(call.waited_s, this.readAt)}`;
        row.children[3].textContent = "Đã đến hỗ trợ";
        return row;
      }),
    );
  }

  async onClick(event) {
    const button = event.target.closest("button[data-answer]");
    if (!button || button.disabled) return;
    button.disabled = true;
    const id = button.closest(".help-call").dataset.id;
    try {
      await this.api("POST", `/api/v1/kiosk-help/${id}/answer`);
      this.calls = this.calls.filter((call) => String(call.id) !== id); // gone at once; the event confirms
      this.render();
    } catch (error) {
      button.disabled = false;
      if (error.status !== 401) this.onError(error.message);
    }
  }
}
