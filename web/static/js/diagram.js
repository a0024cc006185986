// Renders the procedure diagram with the Mermaid build shipped in static/vendor (no CDN). Loaded only when
// someone asks for the diagram (app.js adds this script and Mermaid's on the first click), so the request
// page does not pay for a 3.5 MB script it seldom needs.
(function () {
  "use strict";
  if (!window.mermaid) { return; }
  window.mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: "neutral",
    fontFamily: "\"Noto Sans CJK SC\", \"Microsoft YaHei\", \"PingFang SC\", sans-serif",
    state: { useMaxWidth: false }
  });
  // The diagram text waits in a <template>; it becomes a <pre class="mermaid"> only now.
  document.querySelectorAll(".diagram-box").forEach(function (box) {
    var source = box.querySelector("template");
    if (source && !box.querySelector("pre.mermaid")) {
      var pre = document.createElement("pre");
      pre.className = "mermaid";
      pre.textContent = source.content.textContent;
      box.appendChild(pre);
    }
  });
  // Large procedures are drawn at their natural size in a scrolling box, centred on the current step.
  function centre(box) {
    var current = box.querySelector("svg .current");
    if (!current) { return; }
    var a = box.getBoundingClientRect();
    var b = current.getBoundingClientRect();
    box.scrollLeft += (b.left + b.width / 2) - (a.left + a.width / 2);
    box.scrollTop += (b.top + b.height / 2) - (a.top + a.height / 2);
  }
  window.mermaid.run({ querySelector: ".mermaid" }).then(function () {
    document.querySelectorAll(".diagram-box").forEach(function (box) {
      box.dataset.rendered = "true";
      var svg = box.querySelector("svg");
      if (svg) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", "流程图");
      }
      centre(box);
    });
  }).catch(function (err) {
    document.querySelectorAll(".diagram-box").forEach(function (box) {
      box.dataset.rendered = "error";
      box.insertAdjacentHTML("beforeend", "<div class=\"text-danger small\">流程图无法显示：" +
        String(err && err.message || err).replace(/[<>&]/g, "") + "</div>");
    });
  });
})();
