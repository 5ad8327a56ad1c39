/*
 * The citizen's phone (/t/{public_code}, from the QR on the ticket): number, queue, people ahead,
 * expected wait and the clock time of the call, live; "Mời Ông/Bà đến quầy 3" (and a vibration) when called.
 * No key: the server sends this one ticket's public fields only (no name, no ID number).
 */
import { ReconnectingSocket, clockTime, formatWait, wsUrl } from "./live.js";

const code = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
const $ = (id) => document.getElementById(id);
const ENDED = {
  done: "Đã hoàn thành. Cảm ơn Ông/Bà đã sử dụng dịch vụ!",
  no_show: "Ông/Bà đã lỡ lượt gọi. Mời Ông/Bà liên hệ cán bộ tại quầy để được gọi lại.",
  cancelled: "Số thứ tự này đã bị hủy.",
  expired: "Số thứ tự này đã hết hạn (hết ngày làm việc).",
};

const phone = {
  ticket: null,
  etaAt: null, // ms since epoch of the expected call, from the last estimate received
  lastCallKey: "",
  updates: 0,
  timeZone: undefined, // the office's (times are shown as the office's clock, wherever the phone is)
};
window.motcuaPhone = phone;

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function render(ticket) {
  phone.ticket = ticket;
  phone.updates++;
  const card = $("card");
  card.dataset.status = ticket.status;
  setText($("number"), ticket.number);
  setText($("queue"), ticket.queue_name_vi || ticket.queue);
  const called = ticket.status === "called" && ticket.counter;
  $("call").hidden = !called;
  if (called) {
    setText($("call-counter"), `quầy ${ticket.counter}`);
    document.title = `${ticket.number} — Mời Ông/Bà đến quầy ${ticket.counter}`;
    const callKey = `${ticket.counter}|${ticket.called_at}`;
    if (callKey !== phone.lastCallKey && navigator.vibrate) navigator.vibrate([400, 150, 400, 150, 700]);
    phone.lastCallKey = callKey;
  } else {
    document.title = `Số ${ticket.number} — ${ticket.queue_name_vi || ticket.queue}`;
  }
  if (ticket.status === "waiting") {
    setText($("ahead"), String(ticket.people_ahead ?? "—"));
    phone.etaAt = ticket.estimated_wait_s == null ? null : Date.now() + ticket.estimated_wait_s * 1000;
  } else {
    phone.etaAt = null;
  }
  setText($("status"), statusLine(ticket));
  showActions(ticket);
  tick();
}

/** "Tôi không đến được" while the place is still the citizen's; "Đánh giá" once, after the visit. */
function showActions(ticket) {
  $("cancel-box").hidden = !(ticket.status === "waiting" || ticket.status === "called");
  $("rate-box").hidden = ticket.status !== "done" || phone.rated === true;
}

const rating = { score: 0, reasons: null };

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw data;
  return data;
}

$("cancel").addEventListener("click", async () => {
  if (!window.confirm("Ông/Bà không đến được và muốn hủy số thứ tự này?")) return;
  try {
    render(await post(`/api/v1/public/phone/tickets/${encodeURIComponent(code)}/cancel`));
  } catch (error) {
    setText($("status"), error.message || "Không hủy được, Ông/Bà vui lòng thử lại.");
  }
});

$("stars").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-score]");
  if (!button) return;
  rating.score = Number(button.dataset.score);
  for (const b of $("stars").children) b.classList.toggle("on", b === button);
  if (rating.reasons === null) {
    rating.reasons = await fetch("/api/v1/ratings/reasons").then((r) => r.json()).catch(() => ({ reasons: [] }));
  }
  const low = rating.score <= (rating.reasons.ask_reasons_at_or_below ?? 0);
  const box = $("reasons");
  box.textContent = "";
  if (low) {
    for (const reason of rating.reasons.reasons || []) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.value = reason.code;
      label.append(input, document.createTextNode(reason.label_vi || reason.code));
      box.append(label);
    }
  }
  box.hidden = !low;
  $("rate-send").hidden = false;
});

$("rate-box").addEventListener("submit", async (event) => {
  event.preventDefault();
  const reasons = [...$("reasons").querySelectorAll("input:checked")].map((i) => i.value);
  $("rate-error").hidden = true;
  try {
    await post("/api/v1/ratings", { ticket: code, score: rating.score, reasons });
    phone.rated = true;
  } catch (error) {
    if (error.code === "already_rated") phone.rated = true;
    else {
      $("rate-error").textContent = error.message || "Chưa gửi được, Ông/Bà vui lòng thử lại.";
      $("rate-error").hidden = false;
      return;
    }
  }
  for (const b of $("stars").children) b.disabled = true;
  $("reasons").hidden = true;
  $("rate-send").hidden = true;
  $("rate-done").hidden = false;
});

function statusLine(ticket) {
  if (ticket.status === "waiting" || ticket.status === "called") return "";
  if (ticket.status === "serving") return `Ông/Bà đang được phục vụ tại quầy ${ticket.counter}.`;
  if (ticket.status === "on_hold") return `Tạm giữ lượt tại quầy ${ticket.counter}: khi đủ giấy tờ, mời quay lại quầy.`;
  return ENDED[ticket.status] || "";
}

/** The expected wait and the clock time of the call, counted down between updates. */
function tick() {
  if (!phone.ticket || phone.ticket.status !== "waiting") return;
  if (phone.etaAt === null) {
    setText($("wait"), "—");
    setText($("eta"), "—");
    return;
  }
  const left = Math.max(0, (phone.etaAt - Date.now()) / 1000);
  setText($("wait"), phone.ticket.people_ahead === 0 && left < 60 ? "sắp đến lượt" : formatWait(left));
  setText($("eta"), `khoảng ${clockTime(new Date(Math.max(phone.etaAt, Date.now())), phone.timeZone)}`);
}

function notFound() {
  socket.stop();
  document.body.innerHTML =
    '<main class="card not-found"><h1>Không tìm thấy số thứ tự</h1>' +
    "<p>Mã trên phiếu không đúng hoặc đã hết hạn. Ông/Bà vui lòng quét lại mã QR trên phiếu.</p></main>";
}

const socket = new ReconnectingSocket({
  url: () => wsUrl(`/api/v1/public/tickets/${encodeURIComponent(code)}/events`),
  onmessage: (message) => {
    if (message.type === "ticket" && message.ticket) render(message.ticket);
  },
  onstate: (state) => {
    $("banner").hidden = state !== "stale";
  },
  onclose: (event) => {
    if (event.code === 4404) notFound();
  },
  maxDelayMs: 20000,
});

async function start() {
  fetch(`/api/v1/public/phone/tickets/${encodeURIComponent(code)}/office`)
    .then((r) => (r.ok ? r.json() : null))
    .then((office) => {
      if (office) phone.timeZone = office.time_zone;
      tick();
    })
    .catch(() => {});
  try {
    const response = await fetch(`/api/v1/public/tickets/${encodeURIComponent(code)}`, { cache: "no-store" });
    if (response.status === 404) return notFound();
    if (response.ok) render(await response.json());
  } catch (error) {
    /* the socket below retries */
  }
  socket.start();
  setInterval(tick, 15000);
}

start();
