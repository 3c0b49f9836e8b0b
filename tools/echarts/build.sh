#!/usr/bin/env bash
# Rebuild src/bangban/static/vendor/echarts/echarts.min.js: ECharts with only the tree and graph charts,
# the tooltip and title components and the SVG renderer (decision 0040: the full bundle is 1.1 MB, this
# one about half; a chart type or component the pages start to use must be added to entry.js).
# Needs Node and the npm registry: `bash tools/echarts/build.sh`.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-save --no-audit --no-fund --loglevel=error
out=../../src/bangban/static/vendor/echarts
npx esbuild entry.js --bundle --minify --format=iife --legal-comments=none \
  --banner:js="/*! ECharts $(node -p 'require("echarts/package.json").version') (Apache-2.0), tree + graph + SVG build for Bangban: tools/echarts */" \
  --outfile="$out/echarts.min.js"
echo "echarts $(node -p 'require("echarts/package.json").version') from npm package echarts, built by tools/echarts/build.sh (tree, graph, title, tooltip; SVG renderer)" >"$out/VERSION"
