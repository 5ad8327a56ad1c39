// What the phone pages (take, book, manage) share: the error box and the JSON calls to the server.
// Loaded before each page's own script (both deferred, so in order).
"use strict";
window.phonePage = (function () {
  var $ = function (id) { return document.getElementById(id); };

  // The server's words (Vietnamese) for a refused request, or a polite fallback.
  function showError(answer) {
    var box = $("error");
    box.textContent = (answer && (answer.message || (answer.error && answer.error.message_vi))) ||
      "Có lỗi, Ông/Bà vui lòng thử lại.";
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }

  // A JSON request; resolves with the answer, rejects with the error body when it is not 2xx.
  function call(method, path, body) {
    return fetch(path, {
      method: method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { throw data; }
        return data;
      });
    });
  }

  return { $: $, showError: showError, call: call };
})();
