// One booking, from its secret link: show the code and QR, move it within the day, or cancel it.
"use strict";
(function () {
  var token = decodeURIComponent(location.pathname.split("/")[3] || "");
  var base = "/api/v1/public/booking/manage/" + encodeURIComponent(token);
  var $ = window.phonePage.$, call = window.phonePage.call, showError = window.phonePage.showError;
  var booking = null;

  function render(data) {
    booking = data;
    $("office").textContent = data.office_name_vi;
    $("code").textContent = data.code;
    $("queue").textContent = data.queue_name_vi;
    $("time").textContent = data.local_time;
    $("date").textContent = data.local_date;
    $("qr").src = base + "/qr.png";
    var active = data.status === "booked";
    $("actions").hidden = !active;
    $("qr").hidden = !active;
    $("state").className = active ? "ok" : "note";
    $("state").textContent = active ? "Đã đặt lịch thành công." :
      data.status === "cancelled" ? "Lịch hẹn đã hủy." : "Lịch hẹn đã được sử dụng.";
    $("card").hidden = false;
  }

  $("cancel").addEventListener("click", function () {
    if (!window.confirm("Ông/Bà chắc chắn muốn hủy lịch hẹn này?")) { return; }
    call("POST", base + "/cancel").then(render).catch(showError);
  });

  $("move").addEventListener("click", function () {
    $("error").hidden = true;
    var time = $("move-time").value.trim();
    if (!/^\d{2}:\d{2}$/.test(time)) { showError({ message: "Ông/Bà nhập giờ theo dạng HH:MM." }); return; }
    var day = booking.local_date.split("/");
    call("POST", base + "/move", { slot_start: day[2] + "-" + day[1] + "-" + day[0] + "T" + time + ":00" })
      .then(render).catch(showError);
  });

  call("GET", base).then(render).catch(showError);
})();
