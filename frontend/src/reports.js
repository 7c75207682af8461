// Report charts (Art. 6). The page embeds every chart's data with Django's json_script
// (#report-charts: {key: {title, categories, series: [{name, data}], stack?, horizontal?,
// max?, decimal?}}) and a <div data-chart="key"> per chart; the tables beside them hold the same
// numbers for readers who cannot see the charts.
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

const locale = (document.documentElement.lang || "zh").toLowerCase().startsWith("zh") ? "ZH" : "EN";

// Many agencies read better as horizontal bars, one row each, the chart as tall as needed.
const MANY = 8;

function option(spec, horizontal) {
  const categoryAxis = {
    type: "category",
    data: spec.categories,
    axisLabel: { interval: 0, width: horizontal ? 220 : 110, overflow: "truncate" },
  };
  // Counts get whole-number ticks; days and percentages keep their fractions.
  const valueAxis = { type: "value", max: spec.max ?? null, minInterval: spec.decimal ? 0 : 1 };
  return {
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
    series: spec.series.map((series) => ({
      type: "bar",
      name: series.name,
      data: series.data,
      stack: spec.stack ? "total" : undefined,
      barMaxWidth: 36,
    })),
  };
}

function mount() {
  const source = document.getElementById("report-charts");
  if (!source) return;
  const specs = JSON.parse(source.textContent);
  const charts = [];
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const spec = specs[element.dataset.chart];
    if (!spec) return;
    const horizontal = Boolean(spec.horizontal) || spec.categories.length > MANY;
    if (horizontal) element.style.height = `${Math.max(300, 80 + 26 * spec.categories.length)}px`;
    const chart = echarts.init(element, null, { renderer: "canvas", locale });
    chart.setOption(option(spec, horizontal));
    element.dataset.chartReady = "true";
    charts.push(chart);
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
}

mount();
