// Draws the supervision charts with the Chart.js build shipped in static/vendor (no CDN). Each <canvas>
// carries its data in data-chart (the Content-Security-Policy allows no inline script).
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var Chart = window.Chart;
  Chart.defaults.font.family = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif";
  Chart.defaults.font.size = 12;
  Chart.defaults.color = "#333";
  var COLORS = ["#6c757d", "#0d6efd", "#198754", "#0dcaf0", "#b71c1c", "#fd7e14"];

  function draw(canvas) {
    var spec;
    try { spec = JSON.parse(canvas.dataset.chart); } catch (e) { canvas.dataset.drawn = "error"; return; }
    var horizontal = Boolean(spec.horizontal);
    // Long step names go on two lines rather than being cut at the canvas edge.
    var labels = spec.labels.map(function (l) {
      return horizontal && l.length > 10 ? [l.slice(0, 10), l.slice(10)] : l;
    });
    var colors = spec.labels.length <= COLORS.length && !horizontal ? COLORS.slice(0, spec.labels.length) : "#b71c1c";
    new Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: labels, datasets: [{ label: spec.label, data: spec.values, backgroundColor: colors }] },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false }, tooltip: { enabled: true } },
        scales: horizontal
          ? { x: { beginAtZero: true, title: { display: true, text: spec.label } } }
          : { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
    canvas.dataset.drawn = "true";
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
