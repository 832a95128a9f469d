// coopledger pages: small enhancements only. Every form works without this file.
(function () {
  "use strict";

  // ---- amounts in fen, never floating point ----
  function parseFen(s) {
    s = (s || "").replace(/[,，\s]/g, "");
    var m = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(s);
    if (!m) return null;
    var frac = (m[3] || "").padEnd(2, "0");
    var fen = parseInt(m[2], 10) * 100 + parseInt(frac || "0", 10);
    return m[1] ? -fen : fen;
  }
  function formatFen(fen) {
    var neg = fen < 0; if (neg) fen = -fen;
    var yuan = Math.floor(fen / 100).toString(), cents = (fen % 100).toString().padStart(2, "0");
    yuan = yuan.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + yuan + "." + cents;
  }

  // ---- voucher entry ----
  var form = document.getElementById("voucher-form");
  if (form) voucherEntry(form);

  function voucherEntry(form) {
    var tbody = document.getElementById("lines");
    var accounts = [];
    try { accounts = JSON.parse(document.getElementById("picker-accounts").textContent) || []; } catch (e) { accounts = []; }
    var byCode = {};
    accounts.forEach(function (a) { a.ini = (a.p || "").split(","); byCode[a.c] = a; });
    var MAX_ROWS = 500, MAX_OPTIONS = 12;

    function rows() { return Array.prototype.slice.call(tbody.querySelectorAll("tr[data-row]")); }
    function field(row, name) { return row.querySelector('[data-field="' + name + '"]'); }
    function blank(row) {
      return ["account", "household", "party", "debit", "credit", "summary"].every(function (f) { return !field(row, f).value.trim(); });
    }
    function codeOf(value) { return (value || "").trim().split(/[\s\u3000]/)[0]; }

    // initials: does q match consecutive characters' initials anywhere in the name?
    function iniMatch(ini, q) {
      if (!q || q.length > ini.length) return false;
      for (var s = 0; s + q.length <= ini.length; s++) {
        var ok = true;
        for (var i = 0; i < q.length; i++) { if (ini[s + i].indexOf(q[i]) < 0) { ok = false; break; } }
        if (ok) return true;
      }
      return false;
    }
    function search(q) {
      q = q.trim().toLowerCase();
      if (!q) return accounts.slice(0, MAX_OPTIONS);
      var code = [], pin = [], name = [];
      var letters = /^[a-z]+$/.test(q);
      accounts.forEach(function (a) {
        if (a.c.indexOf(q) === 0 || (a.c + " " + a.n) === q) code.push(a);
        else if (letters && iniMatch(a.ini, q)) pin.push(a);
        else if (a.n.toLowerCase().indexOf(q) >= 0) name.push(a);
      });
      return code.concat(pin, name).slice(0, MAX_OPTIONS);
    }

    function setAux(row) {
      var a = byCode[codeOf(field(row, "account").value)];
      var aux = a ? a.a : "none";
      row.querySelectorAll("[data-aux]").forEach(function (div) { div.hidden = div.getAttribute("data-aux") !== aux; });
    }

    // the account combobox
    function picker(input) {
      input.removeAttribute("list");
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      var list = document.createElement("ul");
      list.setAttribute("role", "listbox");
      list.id = input.id + "-list";
      list.hidden = true;
      list.setAttribute("aria-label", "匹配的科目");
      input.setAttribute("aria-controls", list.id);
      input.parentNode.appendChild(list);
      var items = [], active = -1;

      function render() {
        items = search(input.value);
        list.innerHTML = "";
        items.forEach(function (a, i) {
          var li = document.createElement("li");
          li.id = list.id + "-" + i;
          li.setAttribute("role", "option");
          li.textContent = a.c + " " + a.n + (a.a !== "none" ? " ★" : "");
          li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); moveOn(input); });
          list.appendChild(li);
        });
        active = items.length ? 0 : -1;
        mark();
        open(items.length > 0);
      }
      function mark() {
        Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
        if (active >= 0) { input.setAttribute("aria-activedescendant", list.id + "-" + active); list.children[active].scrollIntoView({ block: "nearest" }); }
        else input.removeAttribute("aria-activedescendant");
      }
      function open(on) { list.hidden = !on; input.setAttribute("aria-expanded", on ? "true" : "false"); }
      function choose(i) {
        var a = items[i]; if (!a) return;
        input.value = a.c + " " + a.n;
        open(false);
        var row = input.closest("tr");
        setAux(row);
        changed(row);
      }
      input.addEventListener("input", render);
      input.addEventListener("blur", function () { open(false); setAux(input.closest("tr")); });
      input.addEventListener("keydown", function (e) {
        if (list.hidden && e.key === "ArrowDown") { e.preventDefault(); render(); return; }
        if (list.hidden) return;
        if (e.key === "ArrowDown") { e.preventDefault(); active = Math.min(active + 1, items.length - 1); mark(); }
        else if (e.key === "ArrowUp") { e.preventDefault(); active = Math.max(active - 1, 0); mark(); }
        else if (e.key === "Escape") { e.preventDefault(); open(false); }
        else if ((e.key === "Enter" || e.key === "Tab") && active >= 0 && !e.ctrlKey && input.value.trim()) {
          choose(active);
          open(false);
          if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); moveOn(input); }
        }
      }, true);
    }

    // the next visible, enabled field of the form after el
    function focusables() {
      return Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), select, textarea, button"))
        .filter(function (el) { return !el.disabled && el.offsetParent !== null && !el.closest("[hidden]"); });
    }
    function moveOn(el) {
      if (el.getAttribute("data-field") === "account") setAux(el.closest("tr"));
      ensureBlankRow();
      var all = focusables(), i = all.indexOf(el);
      if (i >= 0 && i + 1 < all.length) { all[i + 1].focus(); if (all[i + 1].select) all[i + 1].select(); }
    }

    function renumber(row, n) {
      row.setAttribute("data-row", n);
      row.querySelector(".c-no").textContent = n + 1;
      row.querySelectorAll("[id],[for],[name],[aria-describedby],[aria-controls]").forEach(function (el) {
        ["id", "for", "aria-describedby", "aria-controls"].forEach(function (at) {
          var v = el.getAttribute(at); if (v) el.setAttribute(at, v.replace(/^(e-)?l\d+-/, function (m, e) { return (e || "") + "l" + n + "-"; }));
        });
        var name = el.getAttribute("name"); if (name) el.setAttribute("name", name.replace(/^lines\[\d+\]/, "lines[" + n + "]"));
      });
      row.querySelectorAll("label").forEach(function (l) { l.textContent = l.textContent.replace(/第 \d+ 行/, "第 " + (n + 1) + " 行"); });
    }
    function addRow() {
      var all = rows();
      if (all.length >= MAX_ROWS) return null;
      var last = all[all.length - 1];
      var row = last.cloneNode(true);
      row.querySelectorAll(".err, ul[role=listbox]").forEach(function (el) { el.remove(); });
      row.querySelectorAll("input").forEach(function (el) { el.value = ""; el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
      renumber(row, all.length);
      tbody.appendChild(row);
      setup(row);
      setAux(row);
      return row;
    }
    function ensureBlankRow() {
      var all = rows();
      if (!all.length || !blank(all[all.length - 1])) addRow();
    }

    function totals() {
      var d = 0, c = 0;
      rows().forEach(function (row) {
        var x = parseFen(field(row, "debit").value), y = parseFen(field(row, "credit").value);
        if (x !== null) d += x;
        if (y !== null) c += y;
      });
      document.getElementById("sum-debit").textContent = formatFen(d);
      document.getElementById("sum-credit").textContent = formatFen(c);
      var diff = document.getElementById("sum-diff");
      diff.textContent = formatFen(d - c);
      diff.className = "diff " + (d === c && d !== 0 ? "good" : "bad");
    }
    function changed(row) { ensureBlankRow(); totals(); }

    // "=" in an amount cell fills what balances the voucher, as in 用友/金蝶.
    function balancing(input) {
      var d = 0, c = 0;
      rows().forEach(function (row) {
        var x = field(row, "debit"), y = field(row, "credit");
        if (x !== input) d += parseFen(x.value) || 0;
        if (y !== input) c += parseFen(y.value) || 0;
      });
      return input.getAttribute("data-field") === "debit" ? c - d : d - c;
    }
    // An empty line summary takes the previous line's (or the voucher's) on entry.
    function carryDown(row, input) {
      if (input.value.trim() || !field(row, "account").value.trim()) return;
      var all = rows(), i = all.indexOf(row);
      var prev = i > 0 ? field(all[i - 1], "summary").value.trim() : "";
      input.value = prev || document.getElementById("summary").value.trim();
      if (input.value) { input.select(); changed(row); }
    }

    function setup(row) {
      picker(field(row, "account"));
      row.addEventListener("input", function () { changed(row); });
      ["debit", "credit"].forEach(function (f) {
        var input = field(row, f);
        function fill() {
          var fen = balancing(input);
          if (fen <= 0) return;
          input.value = formatFen(fen).replace(/,/g, "");
          var other = field(row, f === "debit" ? "credit" : "debit");
          if (parseFen(other.value) !== null) other.value = "";
          changed(row);
        }
        // "=" never reaches the cell: caught before it is inserted, or taken out after.
        input.addEventListener("beforeinput", function (e) {
          if (e.data === "=") { e.preventDefault(); fill(); }
        });
        input.addEventListener("input", function () {
          if (input.value.indexOf("=") >= 0) { input.value = input.value.replace(/=/g, ""); fill(); }
        });
      });
      field(row, "summary").addEventListener("focus", function (e) { carryDown(row, e.target); });
    }

    rows().forEach(function (row) { setup(row); setAux(row); });
    ensureBlankRow();
    totals();
    var add = document.getElementById("add-line");
    add.hidden = false;
    add.addEventListener("click", function () { var r = addRow(); if (r) field(r, "account").focus(); });

    // Enter moves on instead of submitting; Ctrl+Enter saves.
    form.addEventListener("keydown", function (e) {
      var t = e.target;
      if (e.key !== "Enter" || t.tagName === "TEXTAREA" || t.tagName === "BUTTON" || t.tagName === "A") return;
      e.preventDefault();
      if (e.ctrlKey || e.metaKey) { form.requestSubmit ? form.requestSubmit() : form.submit(); return; }
      moveOn(t);
    });
    // Some keyboards send Enter's keypress on its own: never let it submit implicitly.
    form.addEventListener("keypress", function (e) {
      var t = e.target;
      if (e.key === "Enter" && t.tagName === "INPUT" && !e.ctrlKey && !e.metaKey) e.preventDefault();
    });
    // Blank rows are not sent, so the server numbers lines as the user sees them.
    form.addEventListener("submit", function () {
      rows().forEach(function (row) {
        if (blank(row)) row.querySelectorAll("input").forEach(function (el) { el.disabled = true; });
      });
    });
    // After a refusal, put the cursor on the first field the server marked.
    // otherwise in 摘要, where typing a voucher starts.
    var bad = form.querySelector('[aria-invalid="true"]');
    if (bad) bad.focus();
    else document.getElementById("summary").focus();
  }

  // ---- confirm dangerous buttons ----
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (e) { if (!window.confirm(el.getAttribute("data-confirm"))) e.preventDefault(); });
  });
})();

// ---- review queue: tick every item ----
(function () {
  "use strict";
  var all = document.getElementById("review-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('#review-form input[name="item"]').forEach(function (b) { b.checked = all.checked; });
  });
})();

// ---- household links: tick every household ----
(function () {
  "use strict";
  var all = document.getElementById("links-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('#links-form input[name="household"]').forEach(function (b) { b.checked = all.checked; });
  });
})();
