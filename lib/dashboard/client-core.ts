// The dashboard's browser script, part 1: DOM building, the management API
// client, formatting, sign-in and the view switcher. Plain modern
// JavaScript, served as /dashboard/app.js with the other parts (one module
// scope). Every value from the API reaches the page as text nodes, never as
// markup. The management key lives in sessionStorage (gone with the tab) and
// travels only in the Authorization header: never in a URL or a cookie, so a
// cross-site form cannot act with it (no CSRF surface).
export const clientCore = String.raw`
const KEY_STORAGE = 'switchyard.managementKey';
const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element with attributes, listeners (on*) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

const session = {
  get key() {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set key(value) {
    if (value === null) sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, value);
  },
};

/** A management API call; the server's own error message on failure. */
async function api(path, options = {}) {
  const headers = { authorization: 'Bearer ' + (options.key ?? session.key ?? '') };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the gateway. Is it running?');
  }
  const text = await response.text();
  let body = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body && body.error;
    if (response.status === 401 && options.key === undefined) signOut('Your session ended: the gateway no longer accepts this key.');
    throw new ApiError(response.status, (error && error.message) || 'The gateway answered ' + response.status, error && error.metadata && error.metadata.field);
  }
  return body;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const timeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const hourFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

const formatCount = (value) => (Math.abs(value) >= 100000 ? compactFormat.format(value) : numberFormat.format(value));

/** USD with enough digits that a single cheap request does not read as $0.00. */
function formatUsd(value) {
  if (value === null || value === undefined) return '–';
  if (value === 0 || Math.abs(value) >= 1) return (value < 0 ? '-$' : '$') + Math.abs(value).toFixed(2);
  // Three significant digits below a dollar, trailing zeros dropped: $0.00005, $0.000699.
  const digits = Math.min(8, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(value)))));
  const text = Math.abs(value).toFixed(digits).replace(/(\.\d\d\d*?)0+$/, '$1');
  return (value < 0 ? '-$' : '$') + text;
}

const formatPercent = (value) => (value === null || value === undefined ? '–' : (value * 100).toFixed(value > 0 && value < 0.01 ? 2 : 1) + '%');
const formatMs = (value) => (value === null || value === undefined ? '–' : value >= 10000 ? (value / 1000).toFixed(1) + ' s' : Math.round(value) + ' ms');
const formatTime = (iso) => (iso ? timeFormat.format(new Date(iso)) : '–');

/** A status pill: the text says the state, the colour only repeats it. */
function badge(text, tone) {
  return h('span', { class: 'badge badge-' + tone }, text);
}

/** Where a view shows what went wrong; announced to screen readers. */
function errorBox() {
  return h('p', { class: 'form-error', role: 'alert', hidden: true });
}

function showError(box, error) {
  box.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

function clearError(box) {
  box.textContent = '';
  box.hidden = true;
}

/**
 * A table that becomes one card per row on a phone: each cell is labelled
 * with its column's heading (the CSS shows the label only there).
 */
function stackedTable({ className, caption, headings, numeric = () => false, rows, body }) {
  const tbody = body ?? h('tbody', {});
  tbody.append(...rows);
  labelCells(tbody, headings);
  return h('table', { class: ((className ?? '') + ' stack').trim() },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, headings.map((name, index) => h('th', { scope: 'col', class: numeric(index) ? 'num' : undefined }, name)))),
    tbody);
}

/** Each cell's column heading as data-label (rows added later are labelled by calling it again). */
function labelCells(tbody, headings) {
  for (const row of tbody.rows) {
    let column = 0;
    for (const cell of row.cells) {
      if (!cell.hasAttribute('colspan')) cell.dataset.label = headings[column] ?? '';
      column += cell.colSpan;
    }
  }
}

function emptyState(text) {
  return h('p', { class: 'empty' }, text);
}

function card(title, ...children) {
  const id = 'card-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

const views = {};

function currentView() {
  const name = location.hash.replace(/^#/, '');
  return views[name] ? name : 'activity';
}

async function showView() {
  if (!session.key) return showSignIn();
  const name = currentView();
  document.getElementById('signin').hidden = true;
  document.getElementById('app').hidden = false;
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const main = document.getElementById('main');
  const view = h('div', { class: 'view', 'aria-busy': 'true' });
  main.replaceChildren(view);
  document.title = views[name].title + ' · Switchyard';
  try {
    await views[name].render(view);
  } catch (error) {
    const box = errorBox();
    showError(box, error);
    view.replaceChildren(box);
  } finally {
    view.setAttribute('aria-busy', 'false');
  }
}

function showSignIn(message) {
  document.getElementById('app').hidden = true;
  document.getElementById('signin').hidden = false;
  const box = document.getElementById('signin-error');
  if (message) showError(box, new Error(message));
  document.getElementById('signin-key').focus();
}

function signOut(message) {
  session.key = null;
  document.getElementById('main').replaceChildren();
  showSignIn(message);
}

async function signIn(event) {
  event.preventDefault();
  const input = document.getElementById('signin-key');
  const box = document.getElementById('signin-error');
  clearError(box);
  const key = input.value.trim();
  if (key === '') return showError(box, new Error('Paste a management key (sk-sy-v1-…).'));
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    // A route only management keys may call: the server says what is wrong with any other key.
    await api('/keys', { key });
    session.key = key;
    input.value = '';
    await showView();
  } catch (error) {
    showError(box, error);
  } finally {
    if (button) button.disabled = false;
  }
}

function start() {
  document.getElementById('signin-form').addEventListener('submit', signIn);
  document.getElementById('signout').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', showView);
  void showView();
}
`;
