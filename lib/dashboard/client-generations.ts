// The dashboard's browser script, part 4: the Generations view, a
// searchable list of recent requests from GET /api/v1/generations, each with
// its attempt chain (provider_responses). No prompt or completion text
// exists to show: records never hold any.
export const clientGenerations = String.raw`
let generationSearch = '';

const statusTone = (status) => (status === 200 ? 'ok' : status >= 500 || status === 0 ? 'danger' : 'warn');

function attemptChain(generation) {
  return h('ol', { class: 'attempts', 'aria-label': 'Attempts of ' + generation.id },
    generation.provider_responses.map((attempt, index) =>
      h('li', { class: 'attempt' },
        h('span', { class: 'attempt-index' }, String(index + 1)),
        h('span', { class: 'attempt-provider' }, attempt.provider_name),
        badge(attempt.status === 0 ? 'no connection' : String(attempt.status), statusTone(attempt.status)),
        attempt.error_code ? h('span', { class: 'attempt-error' }, attempt.error_code) : null,
        h('span', { class: 'attempt-latency' }, formatMs(attempt.latency)),
        h('code', { class: 'attempt-endpoint' }, attempt.endpoint_id))));
}

function generationRows(generation) {
  const detailsId = 'attempts-' + generation.id;
  const toggle = h('button', { type: 'button', class: 'disclosure', 'aria-expanded': 'false', 'aria-controls': detailsId, 'aria-label': 'Show attempts of ' + generation.id },
    String(generation.provider_responses.length));
  // A 5xx's message as the client saw it (a missing credential names what to set); never an upstream body.
  const message = generation.error_message ? h('p', { class: 'generation-error' }, generation.error_message) : null;
  const details = h('tr', { id: detailsId, class: 'details', hidden: true }, h('td', { colspan: 9 }, message, attemptChain(generation)));
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') === 'true';
    toggle.setAttribute('aria-expanded', String(!open));
    details.hidden = open;
  });
  const row = h('tr', { class: 'generation', 'data-id': generation.id },
    h('td', {}, h('time', { datetime: generation.created_at }, formatTime(generation.created_at))),
    h('th', { scope: 'row' }, h('code', { title: generation.id }, generation.id.slice(0, 15) + '…')),
    h('td', {}, h('span', { class: 'model' }, generation.model ?? generation.model_requested), generation.fallback ? badge('fallback', 'warn') : null),
    h('td', {}, generation.provider_name ?? '–'),
    h('td', {}, badge(String(generation.status), statusTone(generation.status))),
    h('td', { class: 'num' }, formatCount(generation.tokens_prompt) + ' / ' + formatCount(generation.tokens_completion)),
    h('td', { class: 'num cost' }, formatUsd(generation.total_cost)),
    h('td', { class: 'num' }, formatMs(generation.time_to_first_byte) + ' / ' + formatMs(generation.latency)),
    h('td', { class: 'num' }, toggle));
  return [row, details];
}

views.generations = {
  title: 'Generations',
  async render(view) {
    const body = h('tbody', {});
    const box = errorBox();
    const more = h('button', { type: 'button', class: 'button-quiet', hidden: true }, 'Load more');
    const count = h('p', { class: 'muted', 'aria-live': 'polite' });
    const headings = ['Time', 'Id', 'Model', 'Provider', 'Status', 'Tokens in / out', 'Cost', 'TTFT / total', 'Attempts'];
    let cursor = null;
    let shown = 0;
    const load = async (reset) => {
      clearError(box);
      if (reset) {
        body.replaceChildren();
        cursor = null;
        shown = 0;
      }
      const params = new URLSearchParams({ limit: '50' });
      if (generationSearch !== '') params.set('q', generationSearch);
      if (cursor) params.set('cursor', cursor);
      try {
        const page = await api('/generations?' + params.toString());
        for (const generation of page.data) body.append(...generationRows(generation));
        labelCells(body, headings);
        shown += page.data.length;
        cursor = page.next_cursor;
        more.hidden = cursor === null;
        count.textContent = shown === 0 ? (generationSearch ? 'No generation matches “' + generationSearch + '”.' : 'No generations in the last 30 days yet.') : shown + ' shown' + (cursor ? ', more available' : '');
      } catch (error) {
        showError(box, error);
      }
    };
    more.addEventListener('click', () => void load(false));
    const search = h('input', { type: 'search', id: 'generation-search', name: 'q', value: generationSearch, placeholder: 'id, model, provider, key, status', maxlength: 200, autocomplete: 'off' });
    const form = h('form', { class: 'toolbar', role: 'search', onsubmit: (event) => { event.preventDefault(); generationSearch = search.value.trim(); void load(true); } },
      h('label', { for: 'generation-search' }, 'Search'), search, h('button', { type: 'submit' }, 'Search'),
      h('button', { type: 'button', class: 'button-quiet', onclick: () => void load(true) }, 'Refresh'));
    view.replaceChildren(
      h('header', { class: 'view-header' }, h('h1', {}, 'Generations'), form),
      box,
      h('div', { class: 'card' }, h('div', { class: 'table-wrap' }, stackedTable({
        className: 'generations',
        caption: 'Recent generations, newest first',
        headings,
        numeric: (index) => index >= 5,
        rows: [],
        body,
      })), count, more),
    );
    await load(true);
  },
};
`;
