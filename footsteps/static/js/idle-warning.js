// The warning before an idle session ends (R9). The server decides when a
// session ends (footsteps.security); this script only asks it how long is
// left, warns a minute before, and keeps the session when the person says so
// or has been typing or tapping on this page. Loaded from a file: the
// Content Security Policy allows no inline script.
(function () {
  "use strict";
  var dialog = document.getElementById("idle-warning");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var ping = dialog.dataset.ping;
  var warnBefore = Number(dialog.dataset.warnBefore) * 1000;
  var timer = null;
  var lastInput = 0;
  var lastKept = Date.now();

  function schedule(endsInSeconds) {
    clearTimeout(timer);
    timer = setTimeout(beforeEnd, Math.max(0, endsInSeconds * 1000 - warnBefore));
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") headers["X-CSRFToken"] = dialog.dataset.csrf;
    // A session that has ended answers with a redirect to sign in: not followed.
    return fetch(ping, { method: method, headers: headers, credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (!response.ok) throw new Error("signed out");
        return response.json();
      });
  }

  function signedOut() {
    // The server ends the session and shows why on the sign-in page.
    window.location.assign(window.location.pathname + window.location.search);
  }

  function stay() {
    return ask("POST").then(function (answer) {
      lastKept = Date.now();
      if (dialog.open) dialog.close();
      schedule(answer.ends_in);
    }, signedOut);
  }

  function beforeEnd() {
    ask("GET").then(function (answer) {
      if (answer.ends_in * 1000 > warnBefore + 5000) {
        schedule(answer.ends_in); // used meanwhile, in another tab
      } else if (lastInput > lastKept) {
        stay(); // typing or tapping here is activity the server has not seen
      } else {
        dialog.showModal();
        clearTimeout(timer);
        timer = setTimeout(signedOut, Math.max(0, answer.ends_in * 1000) + 1000);
      }
    }, signedOut);
  }

  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (!dialog.open) lastInput = Date.now();
    }, { capture: true, passive: true });
  });
  dialog.querySelector("[data-stay]").addEventListener("click", stay);
  // Escape dismisses the warning, and so keeps the person signed in.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  schedule(Number(dialog.dataset.endsIn));
})();
