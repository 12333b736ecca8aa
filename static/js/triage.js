// Keyboard triage: j/k move between rows, Enter opens, a/n/r focus owner, next action,
// review date of the current row, x toggles its selection. Keys are ignored while typing.
(function () {
  "use strict";
  let current = null;

  function rows() {
    return Array.from(document.querySelectorAll("#record-table tbody tr[data-href]"));
  }

  function select(row) {
    if (!row) return;
    if (current) current.classList.remove("current");
    current = row;
    row.classList.add("current");
    row.focus({ preventScroll: false });
  }

  function typing(target) {
    return target.closest("input, select, textarea, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape" && current) current.focus();
      return;
    }
    const all = rows();
    if (!all.length) return;
    if (!current || !document.body.contains(current)) current = null;
    const index = current ? all.indexOf(current) : -1;
    if (event.key === "j") select(all[Math.min(index + 1, all.length - 1)]);
    else if (event.key === "k") select(all[Math.max(index - 1, 0)]);
    else if (event.key === "Enter" && current) {
      // Only the row itself opens: Enter on its Save button, a link or the pager does their own.
      if (event.target !== current) return;
      window.location.href = current.dataset.href;
    }
    else if (["a", "n", "r"].includes(event.key) && current) {
      const field = current.querySelector('[data-key="' + event.key + '"]');
      if (field) field.focus();
    } else if (event.key === "x" && current) {
      const box = current.querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    } else return;
    event.preventDefault();
  });

  // A repository suggestion fills the filter's input and applies it; pressing it keeps the
  // focus in the input, so the half-typed name is never applied on the way.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("button.suggestion")) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    const choice = event.target.closest("button.suggestion");
    if (!choice) return;
    const input = document.getElementById("id_repository");
    input.value = choice.dataset.repository;
    choice.closest("ul").replaceChildren();
    htmx.trigger(input.form, "change");
  });

  document.body.dataset.keyboard = "on";

  // After a row is swapped in place, keep it current.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const row = event.detail.target;
    if (row && row.matches && row.matches("tr[data-href]")) select(document.getElementById(row.id));
  });
})();
