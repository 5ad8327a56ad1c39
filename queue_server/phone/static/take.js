// Take a number from the phone: choose a service, confirm the phone, land on the ticket's page.
"use strict";
(function () {
  var office = decodeURIComponent(location.pathname.split("/")[3] || "");
  var hall = new URLSearchParams(location.search).get("hall");
  var $ = window.phonePage.$, call = window.phonePage.call, showError = window.phonePage.showError;
  var info = null;

  function minutes(seconds) {
    var m = Math.round((seconds || 0) / 60);
    return m < 1 ? "dưới 1 phút" : "khoảng " + m + " phút";
  }

  function render() {
    $("office").textContent = info.name_vi;
    var list = $("queues");
    list.textContent = "";
    info.queues.forEach(function (q) {
      if (!q.remote) { return; }
      var label = document.createElement("label");
      label.className = "choice" + (q.open ? "" : " off");
      var input = document.createElement("input");
      input.type = "radio"; input.name = "queue"; input.value = q.code; input.disabled = !q.open;
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(list.children, function (c) { c.classList.remove("on"); });
        label.classList.add("on");
      });
      var text = document.createElement("span");
      var name = document.createElement("div"); name.className = "name"; name.textContent = q.name_vi;
      var meta = document.createElement("div"); meta.className = "meta";
      meta.textContent = q.open ? q.waiting + " người đang chờ · chờ " + minutes(q.estimated_wait_s) : q.reason_vi;
      text.appendChild(name); text.appendChild(meta);
      label.appendChild(input); label.appendChild(text);
      list.appendChild(label);
    });
    if (!list.children.length) {
      showError({ message: "Đơn vị chưa nhận lấy số từ xa. Mời Ông/Bà lấy số tại ki-ốt." });
      return;
    }
    if (info.confirm === "hall_qr" && !hall) { $("hall-note").hidden = false; return; }
    $("code-step").hidden = info.confirm !== "code";
    $("form").hidden = false;
  }

  $("send-code").addEventListener("click", function () {
    $("error").hidden = true;
    $("send-code").disabled = true;
    call("POST", "/api/v1/public/phone/code", { office: office, phone: $("phone").value })
      .then(function () { $("code-sent").hidden = false; $("code").focus(); })
      .catch(showError)
      .then(function () { setTimeout(function () { $("send-code").disabled = false; }, 30000); });
  });

  $("form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("error").hidden = true;
    var chosen = document.querySelector("input[name=queue]:checked");
    if (!chosen) { showError({ message: "Ông/Bà vui lòng chọn dịch vụ." }); return; }
    $("take").disabled = true;
    call("POST", "/api/v1/public/phone/tickets", {
      office: office, queue: chosen.value, phone: $("phone").value,
      code: info.confirm === "code" ? $("code").value : null, hall: hall, consent: $("consent").checked,
    }).then(function (ticket) {
      location.href = "/t/" + encodeURIComponent(ticket.public_code);
    }).catch(function (answer) { $("take").disabled = false; showError(answer); });
  });

  call("GET", "/api/v1/public/phone/offices/" + encodeURIComponent(office))
    .then(function (data) { info = data; render(); })
    .catch(showError);
})();
