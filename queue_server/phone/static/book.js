// Book a time: procedure → day → a free slot → name and phone → the booking's own page.
"use strict";
(function () {
  var office = decodeURIComponent(location.pathname.split("/")[3] || "");
  var $ = window.phonePage.$, call = window.phonePage.call, showError = window.phonePage.showError;
  var chosen = null;
  var WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];

  function hhmm(iso) { return iso.slice(11, 16); }

  function loadSlots() {
    chosen = null;
    var box = $("slots");
    box.textContent = "";
    $("no-slots").hidden = true;
    var query = "?procedure=" + encodeURIComponent($("procedure").value) + "&day=" + $("day").value;
    call("GET", "/api/v1/public/booking/" + encodeURIComponent(office) + "/slots" + query).then(function (slots) {
      var free = 0;
      slots.forEach(function (slot) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "slot"; b.textContent = hhmm(slot.start);
        b.disabled = slot.free < 1;
        b.setAttribute("data-start", slot.start);
        if (!b.disabled) { free += 1; }
        b.addEventListener("click", function () {
          Array.prototype.forEach.call(box.children, function (c) { c.classList.remove("on"); });
          b.classList.add("on");
          chosen = slot.start;
        });
        box.appendChild(b);
      });
      $("no-slots").hidden = free > 0;
    }).catch(showError);
  }

  $("procedure").addEventListener("change", loadSlots);
  $("day").addEventListener("change", loadSlots);

  $("form").addEventListener("submit", function (event) {
    event.preventDefault();
    $("error").hidden = true;
    if (!chosen) { showError({ message: "Ông/Bà vui lòng chọn giờ hẹn." }); return; }
    $("book").disabled = true;
    call("POST", "/api/v1/public/booking", {
      office: office, procedure: $("procedure").value, slot_start: chosen,
      name: $("name").value, phone: $("phone").value, consent: $("consent").checked,
    }).then(function (booking) {
      location.href = "/p/booking/" + encodeURIComponent(booking.manage_token);
    }).catch(function (answer) { $("book").disabled = false; showError(answer); loadSlots(); });
  });

  call("GET", "/api/v1/public/booking/" + encodeURIComponent(office)).then(function (info) {
    $("office").textContent = info.name_vi;
    info.procedures.forEach(function (p) {
      var o = document.createElement("option"); o.value = p.code; o.textContent = p.name_vi;
      $("procedure").appendChild(o);
    });
    info.days.forEach(function (d) {
      var day = new Date(d + "T00:00:00");
      var o = document.createElement("option"); o.value = d;
      o.textContent = WEEKDAYS[day.getDay()] + ", " + d.slice(8, 10) + "/" + d.slice(5, 7) + "/" + d.slice(0, 4);
      $("day").appendChild(o);
    });
    if (!info.procedures.length) { showError({ message: "Đơn vị chưa nhận đặt lịch qua mạng." }); return; }
    $("form").hidden = false;
    loadSlots();
  }).catch(showError);
})();
