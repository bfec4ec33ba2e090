// The dashboard's browser script, part 2: charts as plain inline SVG. Each
// chart is an image with a text alternative (role="img" and a label that
// states the numbers), scales with its container (viewBox), and carries a
// <title> per bar for pointer and keyboard users.
export const clientCharts = String.raw`
const CHART_WIDTH = 640;
const CHART_HEIGHT = 180;
const CHART_PADDING = { top: 12, right: 8, bottom: 24, left: 48 };

/** Round numbers for an axis: 0 and a few steps up to at least the largest value. */
function niceTicks(max, count = 4) {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw) ?? raw;
  const ticks = [];
  for (let value = 0; value <= max + step * 0.999; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/**
 * Columns over time, one series or a stack of several.
 * points: [{ label, values: number[] }], series: [{ name, tone }].
 */
function columnChart({ title, points, series, format, axisLabel }) {
  const inner = { width: CHART_WIDTH - CHART_PADDING.left - CHART_PADDING.right, height: CHART_HEIGHT - CHART_PADDING.top - CHART_PADDING.bottom };
  const totals = points.map((point) => point.values.reduce((sum, value) => sum + value, 0));
  const ticks = niceTicks(Math.max(0, ...totals));
  const top = ticks[ticks.length - 1];
  const y = (value) => CHART_PADDING.top + inner.height - (value / top) * inner.height;
  const slot = inner.width / Math.max(1, points.length);
  const barWidth = Math.max(1, slot * 0.7);
  const grand = totals.reduce((sum, value) => sum + value, 0);
  const peak = points[totals.indexOf(Math.max(...totals))];
  const description = title + ': ' + format(grand) + ' in total over ' + points.length + ' ' + axisLabel + (grand > 0 && peak ? ', most at ' + peak.label + ' (' + format(Math.max(...totals)) + ')' : '') + '.';
  const grid = ticks.map((tick) =>
    svg('g', { class: 'tick' },
      svg('line', { x1: CHART_PADDING.left, x2: CHART_WIDTH - CHART_PADDING.right, y1: y(tick), y2: y(tick) }),
      svg('text', { x: CHART_PADDING.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, format(tick))));
  const labelEvery = Math.ceil(points.length / 8);
  const columns = points.map((point, index) => {
    let base = 0;
    const x = CHART_PADDING.left + index * slot + (slot - barWidth) / 2;
    const parts = point.values.map((value, part) => {
      const rect = svg('rect', { class: 'bar tone-' + series[part].tone, x, width: barWidth, y: y(base + value), height: Math.max(0, y(base) - y(base + value)) });
      base += value;
      return rect;
    });
    const tip = point.label + ': ' + series.map((entry, part) => (series.length > 1 ? entry.name + ' ' : '') + format(point.values[part])).join(', ');
    return svg('g', { class: 'column' },
      svg('title', {}, tip),
      ...parts,
      index % labelEvery === 0 ? svg('text', { class: (index / labelEvery) % 2 === 1 ? 'axis-label axis-label-minor' : 'axis-label', x: x + barWidth / 2, y: CHART_HEIGHT - 6, 'text-anchor': 'middle' }, point.label) : null);
  });
  const chart = svg('svg', { viewBox: '0 0 ' + CHART_WIDTH + ' ' + CHART_HEIGHT, class: 'chart', role: 'img', 'aria-label': description },
    ...grid, ...columns);
  const legend = series.length > 1
    ? h('ul', { class: 'legend' }, series.map((entry) => h('li', {}, h('span', { class: 'swatch tone-' + entry.tone, 'aria-hidden': 'true' }), entry.name)))
    : null;
  return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), chart, legend);
}

/** Horizontal bars for a ranking or a distribution: rows [{ label, value, tone? }]. */
function barList({ title, rows, format }) {
  const max = Math.max(0, ...rows.map((row) => row.value));
  const rowHeight = 26;
  const labelWidth = 150;
  const width = CHART_WIDTH;
  const height = Math.max(rowHeight, rows.length * rowHeight);
  const description = title + ': ' + (rows.length === 0 ? 'nothing yet' : rows.map((row) => row.label + ' ' + format(row.value)).join(', ')) + '.';
  const bars = rows.map((row, index) => {
    const y = index * rowHeight;
    const length = max === 0 ? 0 : ((width - labelWidth - 90) * row.value) / max;
    return svg('g', { class: 'bar-row' },
      svg('title', {}, row.label + ': ' + format(row.value)),
      svg('text', { class: 'bar-label', x: labelWidth - 8, y: y + 17, 'text-anchor': 'end' }, truncate(row.label, 22)),
      svg('rect', { class: 'bar tone-' + (row.tone ?? 'accent'), x: labelWidth, y: y + 5, width: Math.max(row.value > 0 ? 2 : 0, length), height: rowHeight - 10, rx: 3 }),
      svg('text', { class: 'bar-value', x: labelWidth + length + 6, y: y + 17 }, format(row.value)));
  });
  return h('figure', { class: 'chart-figure' },
    h('figcaption', {}, title),
    svg('svg', { viewBox: '0 0 ' + width + ' ' + height, class: 'chart chart-bars', role: 'img', 'aria-label': description }, ...bars));
}

const truncate = (text, length) => (text.length > length ? text.slice(0, length - 1) + '…' : text);

/** A latency histogram: one column per bucket with samples, labelled by its upper edge. */
function latencyHistogram(title, latency) {
  const buckets = latency.histogram;
  const first = buckets.findIndex((bucket) => bucket.count > 0);
  const last = buckets.length - 1 - [...buckets].reverse().findIndex((bucket) => bucket.count > 0);
  if (first === -1) return h('figure', { class: 'chart-figure' }, h('figcaption', {}, title), emptyState('No requests in this window.'));
  const shown = buckets.slice(Math.max(0, first - 1), Math.min(buckets.length, last + 2));
  return columnChart({
    title,
    points: shown.map((bucket, index) => ({
      label: bucket.le_ms === null ? '> ' + formatMs(shown[index - 1]?.le_ms ?? 0) : '≤ ' + formatMs(bucket.le_ms),
      values: [bucket.count],
    })),
    series: [{ name: 'requests', tone: 'accent' }],
    format: formatCount,
    axisLabel: 'latency buckets',
  });
}
`;
