/*
 * /tra-cuu: the citizen follows a case with its code (filled from the receipt's QR: ?ma=…) and the last
 * four digits of the ID number. It shows the status in plain words, the due date and the papers still
 * missing — nothing else comes back from the server (no name, no full ID, no address, no papers).
 */
const $ = (id) => document.getElementById(id);

// status → [what it means, in Vietnamese; in English]
const PLAIN = {
  new: ["Hồ sơ đã nộp, đang chờ cán bộ tiếp nhận tại quầy.", "Submitted; waiting to be received at the counter."],
  received: ["Hồ sơ đã được tiếp nhận và đang được giải quyết.", "Received; it is being handled."],
  not_received: ["Hồ sơ không được tiếp nhận. Lý do ghi trên phiếu từ chối (Mẫu 03).", "Not received; the reason is on the refusal slip."],
  in_process: ["Hồ sơ đang được giải quyết.", "Being handled."],
  papers_requested: ["Cần bổ sung giấy tờ. Thời hạn giải quyết tạm dừng đến khi nhận đủ.", "Papers are needed; the time limit stops until they arrive."],
  fee_requested: ["Cần nộp phí, lệ phí để tiếp tục giải quyết.", "A fee must be paid to continue."],
  withdrawn: ["Hồ sơ đã được rút theo đề nghị của công dân.", "Withdrawn at your request."],
  stopped: ["Hồ sơ đã dừng xử lý.", "Handling has stopped."],
  done: ["Đã có kết quả. Mời mang giấy hẹn đến nhận kết quả.", "The result is ready; bring your receipt to collect it."],
  returned: ["Đã trả kết quả.", "The result has been handed over."],
};

function dayVi(text) {
  return text ? String(text).slice(0, 10).split("-").reverse().join("/") : "—";
}

async function lookup(event) {
  if (event) event.preventDefault();
  const code = $("code").value.trim().toUpperCase();
  const last4 = $("last4").value.trim();
  $("error").hidden = true;
  if (!/^\d{4}$/.test(last4)) return showError("Nhập đúng 4 chữ số cuối của số định danh. / Enter the last 4 digits of your ID number.");
  let response;
  try {
    response = await fetch("/api/v1/public/dossiers/lookup", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ code, last4 }),
    });
  } catch (error) {
    return showError("Không kết nối được máy chủ; hãy thử lại. / Cannot reach the server; try again.");
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const error = body.error || {};
    if (response.status === 404) {
      return showError("Không tìm thấy hồ sơ với mã và 4 số này. Kiểm tra lại mã trên giấy hẹn. / No case with this code and these digits.");
    }
    return showError([error.message_vi, error.message_en].filter(Boolean).join(" / ") || `Lỗi ${response.status}`);
  }
  show(await response.json());
}

function show(answer) {
  $("result").hidden = false;
  $("result").dataset.status = answer.status;
  $("result-code").textContent = `Mã hồ sơ ${answer.code}`;
  $("procedure").textContent = answer.procedure_name_vi;
  $("status").textContent = answer.status_name_vi;
  $("status-en").textContent = answer.status_name_en;
  const [vi, en] = PLAIN[answer.status] || ["", ""];
  $("explain").textContent = `${vi} ${en ? `(${en})` : ""}`;
  $("due-row").hidden = !answer.due_date;
  $("due").textContent = dayVi(answer.due_date);
  const missing = answer.missing || [];
  $("missing-box").hidden = missing.length === 0;
  $("missing").replaceChildren(...missing.map((paper) => {
    const item = document.createElement("li");
    item.textContent = paper.name_vi;
    return item;
  }));
  $("missing-reason").textContent = answer.missing_reason ? `Ghi chú của cán bộ: ${answer.missing_reason}` : "";
  $("where").textContent = `Mang giấy tờ đến Bộ phận Một cửa — ${answer.office_name_vi}, kèm giấy hẹn. / Bring them to the one-stop desk of ${answer.office_name_en}.`;
}

function showError(message) {
  $("result").hidden = true;
  $("error").textContent = message;
  $("error").hidden = false;
}

const params = new URLSearchParams(location.search);
if (params.get("ma")) $("code").value = params.get("ma").slice(0, 40);
$("lookup-form").addEventListener("submit", lookup);
($("code").value ? $("last4") : $("code")).focus();
