// Draw every Plotly figure whose JSON the server put beside it (no inline scripts, so the
// Content-Security-Policy stays strict). Runs on load and after each htmx swap.
(function () {
  "use strict";

  function draw(root) {
    root.querySelectorAll(".chart-figure[data-figure]:not([data-drawn])").forEach(function (div) {
      const source = document.getElementById(div.dataset.figure);
      if (!source || typeof Plotly === "undefined") return;
      const figure = JSON.parse(source.textContent);
      div.dataset.drawn = "yes";
      Plotly.newPlot(div, figure.data, figure.layout, { displaylogo: false, responsive: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.body.addEventListener("htmx:afterSettle", function () { draw(document); });
})();
