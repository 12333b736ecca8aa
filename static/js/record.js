// The record page asks for per-mode notes only when "remove" is the chosen next action, and
// "Use this suggestion" puts the suggested next action into the form (saving is still a click).
(function () {
  "use strict";
  function sync() {
    const action = document.getElementById("id_next_action");
    const notes = document.getElementById("mode-notes");
    if (action && notes) notes.hidden = action.value !== "remove";
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_next_action") sync();
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("[data-suggest]");
    const action = document.getElementById("id_next_action");
    if (!button || !action) return;
    action.value = button.dataset.suggest;
    sync();
    action.focus();
  });
  document.body.addEventListener("htmx:afterSwap", sync);
})();
