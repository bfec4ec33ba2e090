// The dashboard's browser script, part 5: the Providers view, health now
// from GET /api/v1/providers/health, refreshed while it is open.
export const clientProviders = String.raw`
const PROVIDER_REFRESH_MS = 10000;
const STATE_TEXT = { down: 'Down (breaker open)', degraded: 'Degraded', healthy: 'Healthy', idle: 'No traffic' };
const STATE_TONE = { down: 'danger', degraded: 'warn', healthy: 'ok', idle: 'neutral' };
let providerTimer = null;

const percentiles = (stats) => (stats ? formatMs(stats.p50) + ' / ' + formatMs(stats.p90) : '–');
const throughput = (stats) => (stats ? Math.round(stats.p50) + ' tok/s' : '–');

function providerCard(provider) {
  const rows = provider.endpoints.map((endpoint) => h('tr', { 'data-endpoint': endpoint.id },
    h('th', { scope: 'row' }, h('span', { class: 'model' }, endpoint.model), h('code', { class: 'muted' }, endpoint.tag)),
    h('td', {}, badge(STATE_TEXT[endpoint.state], STATE_TONE[endpoint.state])),
    h('td', {}, endpoint.breaker === 'open' ? 'open' + (endpoint.degraded_until ? ' until ' + formatTime(endpoint.degraded_until) : '') : 'closed'),
    h('td', { class: 'num' }, endpoint.recent.attempts === 0 ? '–' : formatPercent(endpoint.recent.error_rate) + ' of ' + endpoint.recent.attempts),
    h('td', { class: 'num' }, percentiles(endpoint.latency_ms)),
    h('td', { class: 'num' }, throughput(endpoint.throughput_tps)),
    h('td', {}, formatTime(endpoint.last_failure_at)),
    h('td', {}, formatTime(endpoint.last_report_at))));
  const headings = ['Endpoint', 'State', 'Breaker', 'Errors (1 h)', 'TTFT p50 / p90', 'Throughput p50', 'Last failure', 'Last report'];
  return h('section', { class: 'card provider provider-' + provider.state, 'aria-labelledby': 'provider-' + provider.slug, 'data-provider': provider.slug },
    h('header', { class: 'provider-header' },
      h('h2', { id: 'provider-' + provider.slug }, provider.name),
      badge(STATE_TEXT[provider.state], STATE_TONE[provider.state]),
      h('span', { class: 'muted' }, provider.kind + ' · ' + provider.endpoints.length + ' endpoint' + (provider.endpoints.length === 1 ? '' : 's') +
        (provider.recent.attempts > 0 ? ' · ' + formatPercent(provider.recent.error_rate) + ' errors in the last hour' : ''))),
    h('div', { class: 'table-wrap' }, stackedTable({
      caption: 'Endpoints of ' + provider.name,
      headings,
      numeric: (index) => index >= 3 && index <= 5,
      rows,
    })));
}

views.providers = {
  title: 'Providers',
  async render(view) {
    const list = h('div', { class: 'providers' });
    const updated = h('p', { class: 'muted', 'aria-live': 'polite' });
    const box = errorBox();
    const load = async () => {
      try {
        const health = await api('/providers/health');
        list.replaceChildren(...health.data.map(providerCard));
        updated.textContent = 'Updated ' + formatTime(health.generated_at) + '; refreshes every ' + PROVIDER_REFRESH_MS / 1000 + ' s.';
        clearError(box);
      } catch (error) {
        showError(box, error);
      }
    };
    clearInterval(providerTimer);
    providerTimer = setInterval(() => {
      if (currentView() !== 'providers' || !view.isConnected) clearInterval(providerTimer);
      else if (document.visibilityState === 'visible') void load();
    }, PROVIDER_REFRESH_MS);
    view.replaceChildren(
      h('header', { class: 'view-header' }, h('h1', {}, 'Providers'),
        h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'button-quiet', onclick: () => void load() }, 'Refresh'))),
      updated, box, list);
    await load();
  },
};
`;
