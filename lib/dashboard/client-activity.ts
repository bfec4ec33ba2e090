// The dashboard's browser script, part 3: the Activity view, from
// GET /api/v1/activity/summary (hourly rollups) and the key names from
// GET /api/v1/keys.
export const clientActivity = String.raw`
const RANGES = {
  '24h': { label: 'Last 24 hours', granularity: 'hour', hours: 24 },
  '7d': { label: 'Last 7 days', granularity: 'day', hours: 24 * 7 },
  '30d': { label: 'Last 30 days', granularity: 'day', hours: 24 * 30 },
};
let activityRange = '24h';

function statTile(label, value, detail) {
  return h('div', { class: 'stat' }, h('dt', {}, label), h('dd', {}, h('span', { class: 'stat-value' }, value), detail ? h('span', { class: 'stat-detail' }, detail) : null));
}

function breakdownTable(caption, rows, nameOf) {
  if (rows.length === 0) return emptyState('No requests in this window.');
  return h('div', { class: 'table-wrap' }, stackedTable({
    caption,
    headings: ['Name', 'Requests', 'Tokens', 'Spend', 'Errors'],
    numeric: (index) => index > 0,
    rows: rows.map((row) => h('tr', {},
      h('th', { scope: 'row' }, nameOf(row)),
      h('td', { class: 'num' }, formatCount(row.requests)),
      h('td', { class: 'num' }, formatCount(row.prompt_tokens + row.completion_tokens)),
      h('td', { class: 'num' }, formatUsd(row.usage)),
      h('td', { class: 'num' }, formatPercent(row.error_rate)))),
  }));
}

function latencyTable(latency) {
  const row = (name, stats) => h('tr', {}, h('th', { scope: 'row' }, name), ['p50', 'p90', 'p99'].map((rank) => h('td', { class: 'num' }, formatMs(stats[rank]))), h('td', { class: 'num' }, formatCount(stats.count)));
  return h('div', { class: 'table-wrap' }, stackedTable({
    caption: 'Latency percentiles',
    headings: ['Latency', 'p50', 'p90', 'p99', 'Samples'],
    numeric: (index) => index > 0,
    rows: [row('Time to first token', latency.ttfb_ms), row('Total', latency.total_ms)],
  }));
}

function rangePicker(onChange) {
  const select = h('select', { id: 'activity-range', onchange: (event) => onChange(event.target.value) },
    Object.entries(RANGES).map(([value, range]) => h('option', { value, selected: value === activityRange }, range.label)));
  return h('div', { class: 'toolbar' }, h('label', { for: 'activity-range' }, 'Window'), select,
    h('button', { type: 'button', class: 'button-quiet', onclick: () => onChange(activityRange) }, 'Refresh'));
}

views.activity = {
  title: 'Activity',
  async render(view) {
    const range = RANGES[activityRange];
    const to = new Date();
    const from = new Date(to.getTime() - range.hours * 3600000);
    const query = '?granularity=' + range.granularity + '&from=' + encodeURIComponent(from.toISOString()) + '&to=' + encodeURIComponent(to.toISOString());
    const [summary, keys] = await Promise.all([api('/activity/summary' + query), api('/keys?include_disabled=true')]);
    const data = summary.data;
    const keyName = (prefix) => {
      const key = keys.data.find((candidate) => candidate.hash.startsWith(prefix));
      return key ? key.name + ' (' + key.label + ')' : prefix === '' ? '(unknown key)' : prefix.slice(0, 12) + '…';
    };
    const label = (iso) => (range.granularity === 'hour' ? hourFormat : dayFormat).format(new Date(iso));
    const totals = data.totals;
    const points = (pick) => data.series.map((point) => ({ label: label(point.start), values: pick(point) }));
    const axis = range.granularity === 'hour' ? 'hours' : 'days';
    view.replaceChildren(
      h('header', { class: 'view-header' }, h('h1', {}, 'Activity'), rangePicker((value) => { activityRange = value; void showView(); })),
      h('dl', { class: 'stats', 'aria-label': 'Totals for the window' },
        statTile('Requests', formatCount(totals.requests)),
        statTile('Tokens', formatCount(totals.prompt_tokens + totals.completion_tokens), formatCount(totals.prompt_tokens) + ' in · ' + formatCount(totals.completion_tokens) + ' out'),
        statTile('Spend', formatUsd(totals.usage)),
        statTile('Error rate', formatPercent(totals.error_rate), formatCount(totals.errors) + ' failed'),
        statTile('Fallback rate', formatPercent(totals.fallback_rate), formatCount(totals.fallbacks) + ' fell back'),
        statTile('Median TTFT', formatMs(data.latency.ttfb_ms.p50), 'p99 ' + formatMs(data.latency.ttfb_ms.p99))),
      h('div', { class: 'grid' },
        card('Requests', columnChart({ title: 'Requests per ' + range.granularity, points: points((point) => [point.requests - point.errors, point.errors]), series: [{ name: 'Succeeded', tone: 'accent' }, { name: 'Failed', tone: 'danger' }], format: formatCount, axisLabel: axis })),
        card('Spend', columnChart({ title: 'Spend per ' + range.granularity, points: points((point) => [point.usage]), series: [{ name: 'Spend', tone: 'money' }], format: formatUsd, axisLabel: axis })),
        card('Tokens', columnChart({ title: 'Tokens per ' + range.granularity, points: points((point) => [point.prompt_tokens, point.completion_tokens]), series: [{ name: 'Prompt', tone: 'accent' }, { name: 'Completion', tone: 'alt' }], format: formatCount, axisLabel: axis })),
        card('Errors by status', barList({ title: 'Requests by HTTP status', rows: data.statuses.map((entry) => ({ label: String(entry.status), value: entry.requests, tone: entry.status === 200 ? 'accent' : 'danger' })), format: formatCount })),
        card('Latency', latencyTable(data.latency), latencyHistogram('Time to first token', data.latency.ttfb_ms), latencyHistogram('Total latency', data.latency.total_ms)),
        card('By model', breakdownTable('Activity by model', data.by_model, (row) => row.model)),
        card('By provider', breakdownTable('Activity by provider', data.by_provider, (row) => row.provider)),
        card('By key', breakdownTable('Activity by key', data.by_key, (row) => keyName(row.key_hash_prefix)))),
    );
  },
};
`;
