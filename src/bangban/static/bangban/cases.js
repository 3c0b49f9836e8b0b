/* The registration form's enhancements; the form works without them and the server checks again.
   - an ID number fills birth date, age and the elderly flag, and a mistyped one is caught at once
     (GB 11643 check character, ISO 7064 MOD 11-2, as cases/identifiers.py);
   - a credit code's GB 32100 check character likewise;
   - person / enterprise and 帮办 / 代办 show only the fields that apply;
   - the down arrow moves from the item search box into the results; Enter there searches (Enter in
     any other field registers: the form's first, hidden button);
   - the transfer form lists the receivers of the chosen point only. */
(function () {
  "use strict";
  // The transfer form: the receiver list shows the qualified helpers of the point chosen only
  // (without JavaScript they are grouped by point; the action checks the receiver serves there).
  // The case page asks for the form when its section is opened (htmx: bound on its arrival).
  function bind(form) {
    var box = form.querySelector("[data-transfer-helpers]");
    if (!box || form.hasAttribute("data-bound")) return;
    form.setAttribute("data-bound", "");
    var select = box.querySelector("select");
    function filter() {
      var chosen = form.querySelector("input[name=to_point]:checked");
      var point = chosen ? chosen.value : "";
      select.querySelectorAll("optgroup").forEach(function (group) {
        var match = group.getAttribute("data-point") === point;
        group.hidden = !match;
        group.disabled = !match;
      });
      var selected = select.options[select.selectedIndex];
      if (selected && selected.parentNode.disabled) select.value = "";
    }
    form.addEventListener("change", function (event) {
      if (event.target.name === "to_point") filter();
    });
    filter();
  }
  function within(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll("form.action-form"));
    if (root.matches && root.matches("form.action-form")) found.push(root);
    found.forEach(bind);
  }
  within(document);
  document.addEventListener("htmx:load", function (event) { within(event.detail.elt); });
})();

(function () {
  "use strict";
  var form = document.querySelector("[data-register-form]");
  if (!form) return;

  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECKS = "10X98765432";
  var CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  var ELDERLY_AGE = 60;

  function compact(text) {
    // Full-width ASCII (what a Chinese input method types) to half-width; spaces dropped.
    return text.replace(/[\uFF01-\uFF5E]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xFEE0);
    }).replace(/[\s\u3000\u200B-\u200D\u2060\uFEFF]/g, "").toUpperCase();
  }

  function idCheck(body) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(body.charAt(i), 10) * ID_WEIGHTS[i];
    return ID_CHECKS.charAt(sum % 11);
  }

  function today() {
    var now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate());
  }

  function ageOn(born, day) {
    var years = day.getFullYear() - born.getFullYear();
    var month = born.getMonth(), date = born.getDate();
    // 29 February: the birthday is 28 February in a common year.
    if (month === 1 && date === 29 && new Date(day.getFullYear(), 1, 29).getMonth() !== 1) date = 28;
    var birthday = new Date(day.getFullYear(), month, date);
    return day < birthday ? years - 1 : years;
  }

  /* {number, born} for a valid number, or {error} in Chinese; null while still typing. */
  function parseId(text) {
    var n = compact(text);
    if (!n) return null;
    if (n.length === 15 && /^\d{15}$/.test(n)) {
      var b = n.slice(0, 6) + "19" + n.slice(6);
      n = b + idCheck(b);
    }
    if (n.length < 18) return /^\d*$/.test(n) ? null : { error: "身份证号码前 17 位只能是数字，最后一位是数字或 X。" };
    if (n.length > 18) return { error: "身份证号码应为 18 位，现为 " + n.length + " 位。" };
    if (!/^\d{17}[\dX]$/.test(n)) return { error: "身份证号码前 17 位只能是数字，最后一位是数字或 X。" };
    var y = +n.slice(6, 10), m = +n.slice(10, 12), d = +n.slice(12, 14);
    var born = new Date(y, m - 1, d);
    if (born.getFullYear() !== y || born.getMonth() !== m - 1 || born.getDate() !== d || y < 1900)
      return { error: "出生日期 " + n.slice(6, 14) + " 不存在。" };
    if (born > today()) return { error: "出生日期 " + n.slice(6, 14) + " 晚于今天。" };
    if (idCheck(n.slice(0, 17)) !== n.charAt(17)) return { error: "身份证号码校验位不正确，请核对。" };
    return { number: n, born: born };
  }

  function creditError(text) {
    var c = compact(text);
    if (c.length < 18) return null;
    if (c.length > 18) return "统一社会信用代码应为 18 位，现为 " + c.length + " 位。";
    var sum = 0;
    for (var i = 0; i < 17; i++) {
      var v = CREDIT_ALPHABET.indexOf(c.charAt(i));
      if (v < 0) return "统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z）。";
      sum += v * Math.pow(3, i) % 31;
    }
    if (CREDIT_ALPHABET.charAt((31 - sum % 31) % 31) !== c.charAt(17)) return "统一社会信用代码校验位不正确，请核对。";
    return "";
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function showProblem(input, message) {
    var id = input.id + "_live";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "errorlist live-check";
      box.setAttribute("role", "alert");
      input.parentNode.appendChild(box);
      var described = input.getAttribute("aria-describedby");
      input.setAttribute("aria-describedby", (described ? described + " " : "") + id);
    }
    box.textContent = message || "";
    if (message) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  var number = form.querySelector("[data-id-number]");
  var docType = form.querySelector("[name=document_type]");
  var derived = form.querySelector("[data-id-derived]");
  var birth = form.querySelector("[name=birth_on]");

  function onNumber() {
    if (!number || !derived) return;
    var type = docType ? docType.value : "resident_id";
    if (type !== "resident_id" && type !== "hk_macao_taiwan_permit") {
      showProblem(number, "");
      return;
    }
    var result = parseId(number.value);
    derived.textContent = "";
    if (!result || result.error) {
      showProblem(number, result ? result.error : "");
      return;
    }
    showProblem(number, "");
    var age = ageOn(result.born, today());
    var iso = result.born.getFullYear() + "-" + pad(result.born.getMonth() + 1) + "-" + pad(result.born.getDate());
    if (birth) birth.value = iso;
    var parts = [["出生日期", iso], ["年龄", String(age)]];
    parts.forEach(function (p) {
      var span = document.createElement("span");
      span.className = "me-3";
      span.appendChild(document.createTextNode(p[0] + "："));
      var strong = document.createElement("strong");
      strong.textContent = p[1];
      span.appendChild(strong);
      derived.appendChild(span);
    });
    if (age >= ELDERLY_AGE) {
      var badge = document.createElement("span");
      badge.className = "badge text-bg-warning";
      badge.textContent = "老年人";
      derived.appendChild(badge);
    }
  }
  if (number) number.addEventListener("input", onNumber);
  if (docType) docType.addEventListener("change", onNumber);

  var credit = form.querySelector("[data-credit-code]");
  if (credit) credit.addEventListener("input", function () {
    showProblem(credit, creditError(credit.value) || "");
  });

  // Show only the fields of the chosen applicant kind and of 代办.
  function toggle(name, attr) {
    var checked = form.querySelector("[name=" + name + "]:checked");
    var value = checked ? checked.value : "";
    form.querySelectorAll("[" + attr + "]").forEach(function (el) {
      el.hidden = el.getAttribute(attr) !== value;
    });
  }
  function toggles() {
    toggle("applicant_kind", "data-show-for-applicant");
    toggle("kind", "data-show-for-kind");
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "applicant_kind" || event.target.name === "kind") toggles();
  });
  toggles();

  // Down arrow from the search box to the results; Enter in the box searches, never submits.
  var search = form.querySelector("[data-item-search]");
  if (search) search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      var first = form.querySelector("#item-results input[name=item]:checked") ||
        form.querySelector("#item-results input[name=item]");
      if (first) { event.preventDefault(); first.focus(); }
    } else if (event.key === "Enter") {
      event.preventDefault();
      // As typing does: one search once the words stop changing, none if they have not changed
      // since the last (a second answer would replace the results while an item is being chosen).
      if (window.htmx) window.htmx.trigger(search, "input");
      else form.querySelector("[name=find_item]").click();
    }
  });
  onNumber();
})();
