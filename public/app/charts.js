// Charts through uPlot (served from node_modules at /vendor/uplot): a rates chart and sparklines.
import uPlot from '/vendor/uplot/uPlot.esm.js';

const SERIES = [
  { key: 'published', label: 'published', stroke: '#1f5fbf' },
  { key: 'succeeded', label: 'succeeded', stroke: '#1e7a3c' },
  { key: 'failed', label: 'failed', stroke: '#b3261e' },
];

/** Per-minute rows → uPlot columns over the last `minutes`, zero-filled so gaps read as zero. */
function columns(rows, minutes, keys) {
  const nowMin = Math.floor(Date.now() / 60000) * 60;
  const xs = [];
  for (let m = nowMin - (minutes - 1) * 60; m <= nowMin; m += 60) xs.push(m);
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  return [xs, ...keys.map((k) => xs.map((x) => byMinute.get(x)?.[k] ?? 0))];
}

/** A live line chart of publish / success / failure per minute. update(rows) redraws it. */
export function ratesChart(container, minutes = 15) {
  // Measured inside the container's padding, so the chart never widens a phone screen.
  const box = container.appendChild(document.createElement('div'));
  const width = () => Math.max(200, Math.min(box.clientWidth || 600, 1200));
  const plot = new uPlot({
    width: width(), height: 200,
    series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, points: { show: false } }))],
    axes: [{}, { label: 'per minute', size: 50 }],
    scales: { x: { time: true } },
  }, columns([], minutes, SERIES.map((s) => s.key)), box);
  const onResize = () => plot.setSize({ width: width(), height: 200 });
  window.addEventListener('resize', onResize);
  return {
    update(rows) { plot.setData(columns(rows, minutes, SERIES.map((s) => s.key))); },
    destroy() { window.removeEventListener('resize', onResize); plot.destroy(); },
  };
}

/** A tiny chart of one series, no axes: a queue's throughput in its table row. */
export function sparkline(container, rows, key = 'succeeded', minutes = 15) {
  const plot = new uPlot({
    width: 120, height: 28, pxAlign: false, cursor: { show: false }, legend: { show: false },
    select: { show: false }, axes: [{ show: false }, { show: false }],
    scales: { x: { time: false } },
    series: [{}, { stroke: '#1f5fbf', fill: 'rgba(31,95,191,0.15)', width: 1.5, points: { show: false } }],
  }, columns(rows, minutes, [key]), container);
  return {
    update(next) { plot.setData(columns(next, minutes, [key])); },
    destroy() { plot.destroy(); },
  };
}
