// Symphony dashboard: follows the event stream and drives the control API. The server renders
// every page; this script only swaps in fresh server-rendered sections and sends control
// requests, so the pages read the same with JavaScript off.
"use strict";
(function () {
  document.documentElement.classList.add("js");

  var TOKEN_KEY = "symphony-control-token";
  var TOKEN_FORM = /^[0-9a-f]{64}$/;
  var ARM_MS = 5000;

  // The control token reaches the page only in the URL fragment (never sent to any server,
  // never in logs or Referer) or typed into the unlock form. It lives in this tab's session
  // storage and goes out only as the Authorization header of same-origin control requests.
  function takeTokenFromFragment() {
    var m = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(location.hash);
    if (!m) return;
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, "", location.pathname + location.search);
  }
  function token() {
    var t = sessionStorage.getItem(TOKEN_KEY) || "";
    return TOKEN_FORM.test(t) ? t : "";
  }

  function say(text, isError) {
    var el = document.getElementById("control-message");
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  function showUnlock(show) {
    var form = document.getElementById("unlock");
    if (form) form.hidden = !show;
  }

  // Live sections: every element with data-live and an id is replaced by its counterpart in
  // a freshly fetched copy of this page, unless the operator is in the middle of a two-step
  // confirmation there.
  var fetching = false, again = false;
  function refresh() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(location.pathname + location.search, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (old) {
          if (old.querySelector("[data-armed], button:disabled")) return;
          var next = fresh.getElementById(old.id);
          if (next) old.replaceWith(document.importNode(next, true));
        });
        var stamp = fresh.querySelector("footer");
        var foot = document.querySelector("footer");
        if (stamp && foot) foot.replaceWith(document.importNode(stamp, true));
      })
      .catch(function (err) { setLive("lost", "update failed: " + err.message); })
      .finally(function () {
        fetching = false;
        if (again) { again = false; refresh(); }
      });
  }

  function setLive(cls, text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.className = "live-status " + cls;
    el.textContent = text;
  }

  function follow() {
    if (!window.EventSource) return;
    var es = new EventSource("/api/v1/events");
    es.addEventListener("open", function () { setLive("live", "live"); });
    es.addEventListener("state", function () { setLive("live", "live"); refresh(); });
    es.addEventListener("error", function () { setLive("lost", "reconnecting…"); });
  }

  function disarm(btn) {
    if (!btn.hasAttribute("data-armed")) return;
    btn.removeAttribute("data-armed");
    btn.textContent = btn.dataset.label;
    clearTimeout(btn._disarm);
  }

  function arm(btn) {
    document.querySelectorAll("button[data-armed]").forEach(disarm);
    btn.dataset.label = btn.textContent;
    btn.setAttribute("data-armed", "");
    btn.textContent = btn.dataset.confirm + (btn.dataset.issue ? " " + btn.dataset.issue : "");
    btn._disarm = setTimeout(function () { disarm(btn); }, ARM_MS);
  }

  function bodyFor(action, btn) {
    if (action === "pause") {
      var reason = document.getElementById("pause-reason");
      return { reason: reason ? reason.value.trim() : "" };
    }
    if (action === "stop" || action === "unstop") return { issue_identifier: btn.dataset.issue };
    return {};
  }

  function doneText(action, doc, btn) {
    switch (action) {
      case "pause": return "Dispatch paused: " + doc.reason;
      case "resume": return "Dispatch resumed.";
      case "stop": return "Stop requested for " + btn.dataset.issue + ".";
      case "unstop": return btn.dataset.issue + " released.";
    }
    return "Done.";
  }

  function send(btn) {
    var action = btn.dataset.action;
    var t = token();
    if (!t) {
      say("Controls are locked: open the dashboard link that carries the token, or paste the control token below.", true);
      showUnlock(true);
      return;
    }
    btn.disabled = true;
    say("Sending " + action + "…", false);
    fetch("/api/v1/control/" + action, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Authorization": "Bearer " + t, "Content-Type": "application/json" },
      body: JSON.stringify(bodyFor(action, btn))
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (doc) {
        if (r.ok) { say(doneText(action, doc, btn), false); return; }
        if (r.status === 401) { sessionStorage.removeItem(TOKEN_KEY); showUnlock(true); }
        say((doc.error && doc.error.message) || ("HTTP " + r.status), true);
      });
    }).catch(function (err) {
      say("The service did not answer: " + err.message, true);
    }).finally(function () {
      btn.disabled = false;
      refresh();
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button[data-action]");
    if (!btn || btn.disabled) return;
    if (btn.hasAttribute("data-armed")) { disarm(btn); send(btn); } else { arm(btn); }
  });

  document.addEventListener("submit", function (ev) {
    if (ev.target.id !== "unlock") return;
    ev.preventDefault();
    var input = document.getElementById("token-input");
    var t = (input.value || "").trim();
    if (!TOKEN_FORM.test(t)) { say("A control token is 64 lowercase hex characters.", true); return; }
    sessionStorage.setItem(TOKEN_KEY, t);
    input.value = "";
    showUnlock(false);
    say("Controls unlocked for this tab.", false);
  });

  takeTokenFromFragment();
  document.addEventListener("DOMContentLoaded", function () {
    showUnlock(!token() && document.querySelector("[data-action]") !== null);
    follow();
  });
})();
