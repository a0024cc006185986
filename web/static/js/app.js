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
})();
