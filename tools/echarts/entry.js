// Bangban's ECharts: only what its two charts use (the network's `tree`, the workflow's `graph`, their
// tooltips), drawn as SVG. Built into src/bangban/static/vendor/echarts/echarts.min.js by build.sh.
import * as echarts from "echarts/core";
import { GraphChart, TreeChart } from "echarts/charts";
import { TitleComponent, TooltipComponent } from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([TreeChart, GraphChart, TitleComponent, TooltipComponent, SVGRenderer]);
window.echarts = echarts;
