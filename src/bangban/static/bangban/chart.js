/* The architecture chart of one point (network/chart.html): draws the ECharts tree from the option the
   page carries in <script type="application/json" id="chart-option">; a click on a point opens its
   level. The list under the chart says the same without this script. */
(function () {
  "use strict";
  window.addEventListener("DOMContentLoaded", function () {
    var element = document.getElementById("chart");
    var source = document.getElementById("chart-option");
    if (!element || !source || !window.echarts) { return; }
    var option = JSON.parse(source.textContent);
    var leaves = option.bangbanLeaves || 1;
    var leafHeight = option.bangbanLeafHeight || 26;
    delete option.bangbanLeaves;
    delete option.bangbanLeafHeight;
    var series = option.series[0];
    if (window.innerWidth < 768) {
      // Phones: less room kept for the labels at the sides (the list below reads better there).
      series.left = 110; series.right = 190; series.label.fontSize = 12;
    }
    element.style.height = Math.max(420, leaves * leafHeight + 60) + "px";  // CSSOM: allowed by the CSP
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.href = params.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
