/* The idle log-out on shared station PCs (network/sessions.py, decision 0035).
 *
 * - Typing and clicking that send no request are activity too: they are told to the server at most
 *   once a "beat", so a long form being filled in never times out.
 * - Before the idle limit a dialog warns, with a countdown and one click to go on ("继续使用"); the
 *   server is asked first, since another tab of this browser may have been in use.
 * - Once logged out, the page is covered but kept as it is: what was typed stays until the same user
 *   has logged in again (in a new tab), then "继续" brings the page back with the new CSRF token and
 *   the form can be sent. Another user logging in reloads the page instead (it was not theirs).
 * - A form sent after a long pause asks the server first, so it is never sent into a log-in page.
 */
(function () {
  "use strict";
  var box = document.getElementById("idle-dialog");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-session-url");
  var user = box.getAttribute("data-user");
  var idle = Number(box.getAttribute("data-idle-seconds")) * 1000;
  var warn = Number(box.getAttribute("data-warning-seconds")) * 1000;
  var beat = Number(box.getAttribute("data-beat-seconds")) * 1000;
  var KEY = "bangban.activity"; // when the server last saw activity from this browser (any tab)
  var state = "active"; // active | warning | final | expired
  var timer = null;
  var ticker = null;
  var lastBeat = Date.now(); // the server last saw this tab active (as far as it knows)
  var lastTold = 0; // the last time typing or clicking was told to the server
  var main = document.getElementById("main");

  function seen() {
    var stored = 0;
    try {
      stored = Number(window.localStorage.getItem(KEY)) || 0;
    } catch (e) {
      /* storage off: this tab alone */
    }
    return Math.max(stored, lastBeat);
  }

  function note(at) {
    lastBeat = Math.max(lastBeat, at);
    try {
      window.localStorage.setItem(KEY, String(at));
    } catch (e) {
      /* storage off */
    }
  }

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function ask(method) {
    return window
      .fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token(), Accept: "application/json" },
      })
      .then(function (response) {
        if (response.status === 401) return { authenticated: false };
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        if (answer.authenticated && answer.user !== user) {
          // Someone else logged in in another tab: this page was not theirs.
          window.location.reload();
          return new Promise(function () {});
        }
        return answer;
      });
  }

  function show(which) {
    state = which;
    box.querySelectorAll("[data-idle]").forEach(function (element) {
      element.hidden = element.getAttribute("data-idle") !== which;
    });
    if (which === "active") {
      if (main) main.hidden = false;
      window.bootstrap.Modal.getOrCreateInstance(box).hide();
      return;
    }
    if (which === "expired" && main) main.hidden = true; // not left on screen for the next person
    window.bootstrap.Modal.getOrCreateInstance(box).show();
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    if (delay === undefined) delay = seen() + idle - warn - Date.now();
    timer = window.setTimeout(check, Math.max(delay, 0));
  }

  function check() {
    ask("GET")
      .then(function (answer) {
        if (!answer.authenticated) return expire();
        if (answer.left * 1000 > warn + 1000) {
          // Another tab was in use: the server's clock, not this tab's.
          if (answer.renewable) note(Date.now() - idle + answer.left * 1000);
          return schedule(answer.left * 1000 - warn);
        }
        countdown(answer.renewable ? "warning" : "final", answer.left * 1000);
      })
      .catch(function () {
        timer = window.setTimeout(check, Math.min(warn / 2, 30000));
      });
  }

  function countdown(which, left) {
    var end = Date.now() + left;
    show(which);
    var shown = box.querySelectorAll("[data-idle=" + which + "] [data-idle-countdown]");
    function tick() {
      var rest = Math.max(0, Math.round((end - Date.now()) / 1000));
      var text = Math.floor(rest / 60) + ":" + String(rest % 60).padStart(2, "0");
      shown.forEach(function (element) {
        element.textContent = text;
      });
      if (rest === 0) {
        window.clearInterval(ticker);
        check(); // someone may have gone on in another tab
      }
    }
    window.clearInterval(ticker);
    tick();
    ticker = window.setInterval(tick, 1000);
  }

  function expire() {
    window.clearTimeout(timer);
    window.clearInterval(ticker);
    show("expired");
  }

  function goOn() {
    ask("POST")
      .then(function (answer) {
        if (!answer.authenticated) return expire();
        note(Date.now());
        show("active");
        schedule();
      })
      .catch(expire);
  }

  function resume() {
    var notYet = box.querySelector("[data-idle-not-yet]");
    ask("GET")
      .catch(function () {
        return { authenticated: false };
      })
      .then(function (answer) {
        if (!answer.authenticated) {
          notYet.hidden = false;
          return;
        }
        notYet.hidden = true;
        document.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(function (input) {
          input.value = answer.csrf;
        });
        document.body.setAttribute("hx-headers", JSON.stringify({ "X-CSRFToken": answer.csrf }));
        note(Date.now());
        show("active");
        schedule();
      });
  }

  box.querySelector("[data-idle-continue]").addEventListener("click", goOn);
  box.querySelector("[data-idle-resume]").addEventListener("click", resume);
  box.querySelector("[data-idle-dismiss]").addEventListener("click", function () {
    show("active");
    schedule(warn); // at the login's end the page is covered and keeps what was typed
  });

  // Activity in this tab that sends no request (typing, clicking): told to the server once a beat.
  function active() {
    var now = Date.now();
    if (state !== "active" || now - lastTold < beat || now - lastBeat < beat) return;
    lastTold = now;
    ask("POST")
      .then(function (answer) {
        if (!answer.authenticated) return expire();
        note(now);
        schedule();
      })
      .catch(function () {
        /* tried again at the next activity */
      });
  }
  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, active, true);
  });

  // A form sent after a long pause: the server is asked first, and an expired session keeps the page.
  document.addEventListener(
    "submit",
    function (event) {
      if (state === "expired") {
        event.preventDefault();
        event.stopImmediatePropagation();
        show("expired");
        return;
      }
      if (Date.now() - seen() < idle - 2 * beat) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      var form = event.target;
      var submitter = event.submitter;
      ask("GET")
        .then(function (answer) {
          if (!answer.authenticated) return expire();
          note(Date.now());
          if (form.requestSubmit) form.requestSubmit(submitter || undefined);
          else form.submit();
        })
        .catch(expire);
    },
    true
  );

  note(Date.now()); // this page's own request
  schedule();
})();
