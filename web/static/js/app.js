// Behaviour shared by every page; no inline scripts, so the Content-Security-Policy can forbid them.
(function () {
  "use strict";

  function renumber(list) {
    var rows = list.querySelectorAll(":scope > .table-responsive > table > tbody > tr[data-row]");
    rows.forEach(function (row, i) {
      var cell = row.querySelector(".row-number");
      if (cell) { cell.textContent = String(i + 1); }
    });
    var max = parseInt(list.dataset.maxItems || "0", 10);
    var add = list.querySelector(":scope > [data-add-row]");
    if (add && max) { add.disabled = rows.length >= max; }
  }

  function addRow(list) {
    var name = list.dataset.list;
    var index = parseInt(list.dataset.nextIndex || "0", 10);
    list.dataset.nextIndex = String(index + 1);
    var template = list.querySelector(":scope > template");
    var html = template.innerHTML.split(name + "-__index__").join(name + "-" + index);
    var body = list.querySelector(":scope > .table-responsive > table > tbody");
    body.insertAdjacentHTML("beforeend", html);
    renumber(list);
    var first = body.lastElementChild.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var add = target.closest("[data-add-row]");
    if (add) {
      addRow(add.closest(".list-field"));
      return;
    }
    var remove = target.closest("[data-remove-row]");
    if (remove) {
      var list = remove.closest(".list-field");
      remove.closest("tr").remove();
      renumber(list);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    // A preview opens in a new tab and changes nothing: no confirmation, and the form stays usable.
    if (submitter && submitter.getAttribute("formtarget") === "_blank") {
      return;
    }
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      return;
    }
    // One click, one submission: a double click must not send the same action twice.
    if (form.method.toLowerCase() === "post") {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    }
  });

  document.querySelectorAll(".list-field").forEach(renumber);

  // ---- errors you cannot miss ---------------------------------------------------------------------
  // The control an error message is about: the input itself, or the first input of a group (choices, lists).
  function focusable(target) {
    if (!target) { return null; }
    if (target.matches("input, select, textarea")) { return target; }
    return target.querySelector("input, select, textarea, button");
  }
  function focusField(id) {
    var el = focusable(document.getElementById(id));
    if (!el) { return false; }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("[data-error-link]");
    if (link && focusField(link.getAttribute("href").slice(1))) { event.preventDefault(); }
  });
  // After a refused submission the page is the answer to a POST: point the address back at the request
  // page, show the summary and put the cursor on the first field to correct.
  var failed = document.querySelector("form[data-failed]");
  if (failed) {
    if (failed.dataset.requestUrl && window.history.replaceState) {
      window.history.replaceState(null, "", failed.dataset.requestUrl + "#" + failed.parentElement.id);
    }
    var focusFirst = function () {
      var first = failed.querySelector("[data-error-link]");
      if (!(first && focusField(first.getAttribute("href").slice(1)))) {
        var summary = failed.querySelector(".error-summary");
        if (summary) {
          summary.focus({ preventScroll: true });
          summary.scrollIntoView({ block: "start" });
        }
      }
    };
    // Once the page has loaded: focus given while it is still being parsed can be lost.
    if (document.readyState === "complete") { focusFirst(); } else { window.addEventListener("load", focusFirst); }
  }

  // ---- the procedure diagram, loaded on demand ----------------------------------------------------
  function loadScripts(urls, done) {
    if (!urls.length) { done(); return; }
    var tag = document.createElement("script");
    tag.src = urls[0];
    tag.onload = function () { loadScripts(urls.slice(1), done); };
    document.body.appendChild(tag);
  }
  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element && event.target.closest("[data-diagram-toggle]");
    if (!toggle) { return; }
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? "收起流程图" : "查看完整流程图";
    if (open && !toggle.dataset.loaded) {
      toggle.dataset.loaded = "true";
      loadScripts(toggle.dataset.scripts.split(" "), function () {});
    }
  });
})();
