/* The statistics page's charts (ECharts): the figures the page's tables show, read from #stats-data.
   Each chart marks its element data-drawn="1" once ECharts has finished drawing it. */
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var words = data.labels;

  function draw(id, option, onClick) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.on("finished", function () { element.dataset.drawn = "1"; });
    if (onClick) { chart.on("click", onClick); }
    chart.setOption(Object.assign({ animationDuration: 300, tooltip: { trigger: "axis" } }, option));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function name(table, key) { return key ? (table[key] || key) : words.unset; }

  var units = data.units;
  draw("chart-units", {
    legend: { top: 0 },
    grid: { left: 40, right: 10, bottom: 60, top: 30 },
    xAxis: { type: "category", data: units.map(function (u) { return u.name; }),
             axisLabel: { interval: 0, rotate: units.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    dataZoom: units.length > 20 ? [{ type: "slider", start: 0, end: 100 * 20 / units.length }] : [],
    series: [
      { name: words.target, type: "bar", data: units.map(function (u) { return u.target; }) },
      { name: words.submitted, type: "bar", data: units.map(function (u) { return u.submitted; }) },
      { name: words.approved, type: "bar", data: units.map(function (u) { return u.approved; }) }
    ]
  }, function (event) {
    var unit = units[event.dataIndex];
    if (unit) { window.location.href = unit.url; }
  });

  draw("chart-funnel", {
    tooltip: { trigger: "item" },
    series: [{ type: "funnel", sort: "none", minSize: "10%", label: { formatter: "{b}：{c}" },
               data: words.funnel.map(function (label, i) { return { name: label, value: data.funnel[i] }; }) }]
  });

  var weeks = data.weeks;
  draw("chart-weeks", {
    legend: { top: 0 },
    grid: { left: 40, right: 40, bottom: 30, top: 30 },
    xAxis: { type: "category", data: weeks.map(function (w) { return w.start; }) },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1 }],
    series: [
      { name: words.submitted, type: "bar", data: weeks.map(function (w) { return w.submitted; }) },
      { name: words.approved, type: "bar", data: weeks.map(function (w) { return w.approved; }) },
      { name: words.cumulative, type: "line", yAxisIndex: 1, data: weeks.map(function (w) { return w.cumulative; }) }
    ]
  });

  draw("chart-categories", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], label: { formatter: "{b}\n{c}" },
               data: data.categories.map(function (c) { return { name: name(words.categories, c.key), value: c.projects }; }) }]
  });

  draw("chart-systems", {
    grid: { left: 40, right: 10, bottom: 30, top: 10 },
    xAxis: { type: "category", data: data.systems.map(function (s) { return name(words.systems, s.key); }) },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: words.projects, type: "bar", data: data.systems.map(function (s) { return s.projects; }) }]
  });
}());
