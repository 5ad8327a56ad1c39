/*
 * The console's "Đặt lịch hẹn" dialog: staff book a time for a citizen (at the counter or on the phone)
 * with the same procedures, days, free slots and rules as the citizen's booking page; the answer is the
 * booking's code, which the citizen shows at the kiosk or the counter on the day.
 */
const $ = (id) => document.getElementById(id);
const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
const BASE = "/api/v1/appointments/for-citizen";

function option(value, text) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = text;
  return element;
}

/** "Thứ Tư, 11/03/2026" for a day given as YYYY-MM-DD (the office's calendar day). */
function dayLabel(day) {
  const [year, month, date] = day.split("-").map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, date)).getUTCDay();
  return `${WEEKDAYS[weekday]}, ${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
}

export class BookingDialog {
  constructor(owner) {
    this.owner = owner; // the console: its api() carries the staff member's token
    this.office = null;
  }

  bind() {
    $("book-open").addEventListener("click", () => this.open());
    $("book-procedure").addEventListener("change", () => this.loadSlots());
    $("book-day").addEventListener("change", () => this.loadSlots());
    $("book-close").addEventListener("click", () => $("book-dialog").close());
    $("book-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.book();
    });
  }

  async open() {
    this.say("book-error", "");
    this.say("book-result", "");
    $("book-code").hidden = true;
    $("book-form").reset();
    let info;
    try {
      info = await this.owner.api("GET", `${BASE}/options`);
    } catch (error) {
      if (error.status !== 401) this.owner.showError(error.message);
      return;
    }
    this.office = info.office;
    $("book-office").textContent = info.name_vi;
    $("book-procedure").replaceChildren(...info.procedures.map((p) => option(p.code, p.name_vi)));
    $("book-day").replaceChildren(...info.days.map((d) => option(d, dayLabel(d))));
    $("book-dialog").showModal();
    if (!info.procedures.length) return this.say("book-error", "Đơn vị chưa có thủ tục nhận đặt lịch.");
    await this.loadSlots();
  }

  async loadSlots() {
    const query = new URLSearchParams({ office: this.office, procedure: $("book-procedure").value, day: $("book-day").value });
    let slots = [];
    try {
      slots = await this.owner.api("GET", `${BASE}/slots?${query}`);
    } catch (error) {
      this.say("book-error", error.message);
    }
    const free = slots.filter((slot) => slot.free > 0);
    $("book-slot").replaceChildren(
      ...free.map((slot) => option(slot.start, `${slot.start.slice(11, 16)} (còn ${slot.free} chỗ)`)),
    );
    $("book-submit").disabled = free.length === 0;
    if (!free.length) this.say("book-error", "Ngày này không còn giờ trống; chọn ngày khác.");
  }

  async book() {
    this.say("book-error", "");
    this.say("book-result", "");
    const body = {
      office: this.office,
      procedure: $("book-procedure").value,
      slot_start: $("book-slot").value,
      name: $("book-name").value,
      phone: $("book-phone").value,
      consent: $("book-consent").checked,
    };
    $("book-submit").disabled = true;
    try {
      const booking = await this.owner.api("POST", BASE, body);
      this.say("book-result", `Đã đặt lịch ${booking.queue_name_vi} lúc ${booking.local_time} ngày ${booking.local_date}. ` +
        "Mã lịch hẹn (công dân đọc hoặc quét tại ki-ốt, tại quầy):");
      $("book-code").textContent = booking.code;
      $("book-code").hidden = false;
      $("book-name").value = "";
      $("book-phone").value = "";
      $("book-consent").checked = false; // the next citizen gives their own consent
    } catch (error) {
      this.say("book-error", error.message);
    }
    await this.loadSlots();
  }

  say(id, text) {
    $(id).textContent = text;
    $(id).hidden = !text;
  }
}
