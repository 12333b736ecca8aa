// The record page asks for per-mode notes only when "remove" is the chosen next action.
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
  document.body.addEventListener("htmx:afterSwap", sync);
})();
