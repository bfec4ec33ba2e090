// The dashboard's browser script, part 6: Keys and credits, through the
// management API the CLI uses (GET/POST /keys, PATCH /keys/{hash},
// GET/POST /credits). Forms check what the browser can and show the
// server's own message for everything else.
export const clientKeys = String.raw`
function creditsPanel(credits, reload) {
  const data = credits.data;
  const box = errorBox();
  const amount = h('input', { type: 'number', id: 'topup-amount', name: 'amount', step: '0.01', required: true, inputmode: 'decimal', placeholder: '25.00', 'aria-describedby': 'topup-help' });
  const form = h('form', { class: 'inline-form', 'aria-label': 'Top up credits', onsubmit: async (event) => {
    event.preventDefault();
    clearError(box);
    const value = Number(amount.value);
    if (!Number.isFinite(value) || value === 0) return showError(box, new Error('Enter an amount in USD, e.g. 25 (negative to correct a mistake).'));
    try {
      await api('/credits', { method: 'POST', body: { amount: value } });
      await reload();
    } catch (error) {
      showError(box, error);
    }
  } },
  h('label', { for: 'topup-amount' }, 'Add credits (USD)'), amount, h('button', { type: 'submit' }, 'Top up'),
  h('p', { id: 'topup-help', class: 'muted' }, 'A negative amount corrects a mistake; it never takes the balance below what is available.'));
  return card('Credits',
    h('dl', { class: 'stats' },
      statTile('Balance', formatUsd(data.total_credits - data.total_usage)),
      statTile('Credits', formatUsd(data.total_credits)),
      statTile('Used', formatUsd(data.total_usage)),
      statTile('Requests in flight', String(data.requests_in_flight), 'holding ' + formatUsd(data.reserved_by_requests)),
      statTile('Leased by running gateways', formatUsd(data.reserved_by_leases), data.leases === 1 ? '1 lease' : data.leases + ' leases'),
      statTile('Available', formatUsd(data.available))),
    h('p', { class: 'muted', id: 'credits-explained' },
      'A request in flight holds its worst-case cost until it settles. A lease is credit a running gateway sets aside for its next requests: ',
      'it is not spent, the requests it admits are charged from it (and are not counted in flight), and what it does not use goes back to Available when it ends. ',
      'Available is credits − used − both.'),
    form, box);
}

function limitText(key) {
  if (key.limit === null) return 'none';
  const period = { daily: 'day', weekly: 'week', monthly: 'month' }[key.limit_reset];
  return formatUsd(key.limit) + (period ? ' a ' + period : '');
}

function keyRow(key, reload) {
  const box = errorBox();
  const toggle = h('button', { type: 'button', class: key.disabled ? 'button-quiet' : 'button-danger', 'aria-label': (key.disabled ? 'Enable ' : 'Disable ') + key.name, onclick: async () => {
    clearError(box);
    toggle.disabled = true;
    try {
      await api('/keys/' + key.hash, { method: 'PATCH', body: { disabled: !key.disabled } });
      await reload();
    } catch (error) {
      toggle.disabled = false;
      showError(box, error);
    }
  } }, key.disabled ? 'Enable' : 'Disable');
  return h('tr', { 'data-key': key.hash },
    h('th', { scope: 'row' }, h('span', { class: 'key-name' }, key.name), h('code', { class: 'muted' }, key.label)),
    h('td', {}, key.disabled ? badge('disabled', 'neutral') : key.expires_at && Date.parse(key.expires_at) <= Date.now() ? badge('expired', 'warn') : badge('active', 'ok')),
    h('td', { class: 'num' }, limitText(key)),
    h('td', { class: 'num' }, key.limit_remaining === null ? '–' : formatUsd(key.limit_remaining)),
    h('td', { class: 'num' }, formatUsd(key.usage_daily)),
    h('td', { class: 'num' }, formatUsd(key.usage)),
    h('td', { class: 'num' }, key.requests_per_minute === null ? '–' : String(key.requests_per_minute)),
    h('td', {}, formatTime(key.created_at)),
    h('td', {}, toggle, box));
}

function createKeyForm(reload) {
  const box = errorBox();
  const reveal = h('div', { class: 'reveal', hidden: true, role: 'status' });
  const field = (label, input, help) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input, help ? h('p', { class: 'muted' }, help) : null);
  const name = h('input', { id: 'key-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off', placeholder: 'ci runner' });
  const limit = h('input', { id: 'key-limit', name: 'limit', type: 'number', min: '0', step: '0.01', inputmode: 'decimal', placeholder: 'none' });
  const reset = h('select', { id: 'key-limit-reset', name: 'limit_reset' },
    h('option', { value: '' }, 'never (lifetime)'), h('option', { value: 'daily' }, 'daily'), h('option', { value: 'weekly' }, 'weekly'), h('option', { value: 'monthly' }, 'monthly'));
  const rpm = h('input', { id: 'key-rpm', name: 'requests_per_minute', type: 'number', min: '1', step: '1', placeholder: 'none' });
  const expires = h('input', { id: 'key-expires', name: 'expires_at', type: 'datetime-local' });
  const form = h('form', { class: 'key-form', 'aria-label': 'Create a key', onsubmit: async (event) => {
    event.preventDefault();
    clearError(box);
    reveal.hidden = true;
    const body = { name: name.value.trim() };
    if (limit.value !== '') body.limit = Number(limit.value);
    if (reset.value !== '') body.limit_reset = reset.value;
    if (rpm.value !== '') body.requests_per_minute = Number(rpm.value);
    if (expires.value !== '') body.expires_at = new Date(expires.value).toISOString();
    try {
      const created = await api('/keys', { method: 'POST', body });
      form.reset();
      const secret = h('code', { class: 'secret', id: 'new-key' }, created.key);
      const copy = h('button', { type: 'button', class: 'button-quiet', onclick: async () => {
        try {
          await navigator.clipboard.writeText(created.key);
          copy.textContent = 'Copied';
        } catch {
          copy.textContent = 'Select and copy it by hand';
        }
      } }, 'Copy');
      reveal.replaceChildren(h('p', {}, h('strong', {}, 'Key “' + created.data.name + '” created.'), ' Store it now: it is not shown again.'), h('div', { class: 'secret-row' }, secret, copy));
      reveal.hidden = false;
      await reload({ keep: form.closest('section') });
    } catch (error) {
      showError(box, error);
    }
  } },
  h('div', { class: 'fields' },
    field('Name', name),
    field('Spending limit (USD)', limit),
    field('Limit resets', reset),
    field('Requests per minute', rpm),
    field('Expires', expires)),
  h('button', { type: 'submit' }, 'Create key'));
  return card('Create a key', form, box, reveal);
}

views.keys = {
  title: 'Keys and credits',
  async render(view) {
    let createSection = null;
    const reload = async (options = {}) => {
      const [credits, keys] = await Promise.all([api('/credits'), api('/keys?include_disabled=true')]);
      if (options.keep) createSection = options.keep;
      createSection ??= createKeyForm(reload);
      const headings = ['Key', 'Status', 'Limit', 'Left', 'Today', 'Total', 'RPM', 'Created', 'Action'];
      const table = keys.data.length === 0 ? emptyState('No API keys yet: create one below.') : h('div', { class: 'table-wrap' }, stackedTable({
        className: 'keys',
        caption: 'API keys of this account',
        headings,
        numeric: (index) => index >= 2 && index <= 6,
        rows: keys.data.map((key) => keyRow(key, reload)),
      }));
      view.replaceChildren(
        h('header', { class: 'view-header' }, h('h1', {}, 'Keys and credits')),
        h('div', { class: 'grid grid-wide' }, creditsPanel(credits, reload), card('API keys', table), createSection));
    };
    await reload();
  },
};
`;
