// The dashboard's stylesheet: system fonts only (nothing fetched), light and
// dark from the system's preference, one column on a phone. Colours meet
// WCAG AA contrast for text; states are also written out, never colour alone.
export const dashboardCss = `
:root {
  --bg: #f6f7fb; --surface: #ffffff; --surface-2: #f1f3f9; --border: #e3e6ef;
  --text: #161a2b; --muted: #5b6275; --accent: #4f46e5; --accent-2: #0e9f9a; --accent-soft: #eef0ff;
  --ok: #137a3d; --ok-bg: #e4f6eb; --warn: #8a5300; --warn-bg: #fff1d6; --danger: #b42318; --danger-bg: #fde8e7;
  --neutral: #4a5163; --neutral-bg: #eceef4; --money: #7c3aed; --grid: #e9ebf2;
  --radius: 12px; --shadow: 0 1px 2px rgba(16, 24, 40, .05), 0 1px 3px rgba(16, 24, 40, .06);
  --mono: ui-monospace, "SF Mono", "Cascadia Mono", "Segoe UI Mono", Menlo, Consolas, monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1120; --surface: #161a2c; --surface-2: #1d2238; --border: #2a3050;
    --text: #e8eaf3; --muted: #a2a9c0; --accent: #8b87ff; --accent-2: #3cc7c0; --accent-soft: #23264a;
    --ok: #5fd38d; --ok-bg: #143522; --warn: #f5b74e; --warn-bg: #3b2a0c; --danger: #ff8a80; --danger-bg: #431a18;
    --neutral: #b8bdd0; --neutral-bg: #262b44; --money: #b99cff; --grid: #262b44;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
[hidden] { display: none !important; }
a { color: var(--accent); }
code { font-family: var(--mono); font-size: .86em; }
h1 { font-size: 1.5rem; margin: 0; letter-spacing: -.01em; }
h2 { font-size: 1rem; margin: 0 0 .75rem; }
.muted { color: var(--muted); font-size: .87rem; margin: .25rem 0; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--surface); padding: .5rem 1rem; z-index: 10; }
.skip-link:focus { left: .5rem; top: .5rem; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px; }

button {
  font: inherit; font-weight: 600; cursor: pointer; border-radius: 8px; padding: .5rem .95rem;
  border: 1px solid var(--accent); background: var(--accent); color: #fff; min-height: 2.5rem;
}
button:hover { filter: brightness(1.08); }
button:disabled { opacity: .55; cursor: progress; }
.button-quiet { background: var(--surface); color: var(--text); border-color: var(--border); }
.button-danger { background: var(--surface); color: var(--danger); border-color: var(--border); }
input, select {
  font: inherit; color: var(--text); background: var(--surface); border: 1px solid var(--border);
  border-radius: 8px; padding: .5rem .65rem; min-height: 2.5rem; min-width: 0;
}
input:focus, select:focus { border-color: var(--accent); }
label { font-weight: 600; font-size: .9rem; }
.form-error { color: var(--danger); background: var(--danger-bg); border-radius: 8px; padding: .5rem .75rem; margin: .5rem 0; font-size: .9rem; }

.signin { min-height: 100vh; display: grid; place-items: center; padding: 1.5rem; background: radial-gradient(circle at 20% 10%, var(--accent-soft), transparent 55%), var(--bg); }
.signin-card { width: min(440px, 100%); background: var(--surface); border: 1px solid var(--border); border-radius: 16px; padding: 2rem; box-shadow: var(--shadow); display: grid; gap: .5rem; }
.signin-card h1 { font-size: 1.3rem; margin-top: .75rem; }
.signin-card button { margin-top: .5rem; }
.brand { display: inline-flex; align-items: center; gap: .55rem; font-weight: 700; font-size: 1.05rem; color: var(--text); text-decoration: none; }
.brand-large { font-size: 1.35rem; }

.topbar {
  position: sticky; top: 0; z-index: 5; display: flex; align-items: center; gap: 1.5rem;
  padding: .6rem 1.5rem; background: color-mix(in srgb, var(--surface) 92%, transparent);
  backdrop-filter: blur(8px); border-bottom: 1px solid var(--border);
}
nav { display: flex; gap: .25rem; flex: 1; overflow-x: auto; }
nav a { color: var(--muted); text-decoration: none; font-weight: 600; padding: .45rem .8rem; border-radius: 8px; white-space: nowrap; }
nav a:hover { color: var(--text); background: var(--surface-2); }
nav a[aria-current="page"] { color: var(--accent); background: var(--accent-soft); }
main { max-width: 1280px; margin: 0 auto; padding: 1.5rem; outline: none; }
.view[aria-busy="true"] { opacity: .6; }
.view-header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; justify-content: space-between; margin-bottom: 1.25rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.toolbar input[type="search"] { width: min(22rem, 100%); }
.view-header .toolbar { flex: 1 1 auto; justify-content: flex-end; }

.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.1rem 1.25rem; box-shadow: var(--shadow); min-width: 0; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 1rem; }
.grid-wide { grid-template-columns: 1fr; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; margin: 0 0 1rem; }
.card .stats { margin-bottom: .75rem; }
.stat { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: .8rem 1rem; box-shadow: var(--shadow); }
.card .stat { background: var(--surface-2); box-shadow: none; border-color: transparent; }
.stat dt { color: var(--muted); font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.stat dd { margin: .15rem 0 0; display: grid; }
.stat-value { font-size: 1.45rem; font-weight: 700; font-variant-numeric: tabular-nums; letter-spacing: -.01em; }
.stat-detail { color: var(--muted); font-size: .8rem; }

.chart-figure { margin: 0 0 .75rem; }
.chart-figure figcaption { font-size: .82rem; color: var(--muted); font-weight: 600; margin-bottom: .25rem; }
.chart { width: 100%; height: auto; display: block; overflow: visible; }
.chart text { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.chart .tick line { stroke: var(--grid); stroke-width: 1; }
.chart .column:hover .bar, .chart .bar-row:hover .bar { filter: brightness(1.15); }
.chart-bars .bar-label { fill: var(--text); font-size: 12px; }
.bar.tone-accent, .swatch.tone-accent { fill: var(--accent); background: var(--accent); }
.bar.tone-alt, .swatch.tone-alt { fill: var(--accent-2); background: var(--accent-2); }
.bar.tone-danger, .swatch.tone-danger { fill: var(--danger); background: var(--danger); }
.bar.tone-money, .swatch.tone-money { fill: var(--money); background: var(--money); }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; margin: .35rem 0 0; font-size: .82rem; color: var(--muted); }
.legend li { display: inline-flex; align-items: center; gap: .35rem; }
.swatch { width: .7rem; height: .7rem; border-radius: 3px; display: inline-block; }

.table-wrap { overflow-x: auto; margin: 0 -.25rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .55rem .6rem; border-bottom: 1px solid var(--border); vertical-align: middle; }
thead th { color: var(--muted); font-size: .76rem; text-transform: uppercase; letter-spacing: .04em; font-weight: 700; white-space: nowrap; }
tbody th { font-weight: 600; }
tbody tr:last-child > * { border-bottom: 0; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cost { font-weight: 600; }
.model { font-weight: 600; margin-right: .4rem; }
tbody th code, .key-name + code { display: block; font-weight: 400; }
.empty { color: var(--muted); padding: 1rem 0; margin: 0; }

.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .78rem; font-weight: 700; white-space: nowrap; }
.badge-ok { color: var(--ok); background: var(--ok-bg); }
.badge-warn { color: var(--warn); background: var(--warn-bg); }
.badge-danger { color: var(--danger); background: var(--danger-bg); }
.badge-neutral { color: var(--neutral); background: var(--neutral-bg); }

.disclosure { min-height: 2rem; padding: .2rem .7rem; background: var(--surface-2); color: var(--text); border-color: var(--border); }
.disclosure::after { content: " ▸"; }
.disclosure[aria-expanded="true"]::after { content: " ▾"; }
tr.details > td { background: var(--surface-2); }
.attempts { list-style: none; margin: 0; padding: 0; display: grid; gap: .4rem; }
.attempt { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; }
.attempt-index { width: 1.5rem; height: 1.5rem; border-radius: 50%; display: inline-grid; place-items: center; background: var(--surface); border: 1px solid var(--border); font-size: .75rem; font-weight: 700; }
.attempt-provider { font-weight: 600; }
.attempt-error { color: var(--danger); font-size: .85rem; }
.generation-error { color: var(--danger); margin: .25rem 0 .5rem; overflow-wrap: anywhere; }
.attempt-latency { color: var(--muted); font-variant-numeric: tabular-nums; }

.providers { display: grid; gap: 1rem; }
.provider-header { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; margin-bottom: .5rem; }
.provider-header h2 { margin: 0; }
.provider-down { border-left: 4px solid var(--danger); }
.provider-degraded { border-left: 4px solid var(--warn); }
.provider-healthy { border-left: 4px solid var(--ok); }

.inline-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.inline-form p { flex-basis: 100%; }
.key-form .fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .75rem; margin-bottom: .75rem; }
.field { display: grid; gap: .3rem; }
.reveal { margin-top: 1rem; padding: .9rem 1rem; border-radius: 10px; background: var(--ok-bg); }
.secret-row { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.secret { display: block; padding: .5rem .7rem; border-radius: 8px; background: var(--surface); border: 1px solid var(--border); word-break: break-all; user-select: all; flex: 1; }
.noscript { padding: 2rem; text-align: center; }

@media (max-width: 860px) {
  .grid { grid-template-columns: 1fr; }
  main { padding: 1rem; }
  .topbar { flex-wrap: wrap; gap: .5rem 1rem; padding: .6rem 1rem; }
  nav { order: 3; flex-basis: 100%; flex-wrap: wrap; }
  #signout { margin-left: auto; }
  .stat-value { font-size: 1.2rem; }
  .stats { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
@media (max-width: 640px) {
  /* Charts keep their shape; their text grows to stay readable once scaled down, and every other time label goes. */
  .chart text { font-size: 20px; }
  .chart-bars .bar-label { font-size: 20px; }
  .chart .axis-label-minor { display: none; }
  .view-header .toolbar { justify-content: flex-start; }
  /* Tables become one card per row, each value under its column's name. */
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.stack, table.stack tbody, table.stack tr, table.stack th, table.stack td { display: block; }
  table.stack tbody tr { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .35rem .75rem; padding: .75rem 0; border-bottom: 1px solid var(--border); }
  table.stack tbody tr:last-child { border-bottom: 0; }
  table.stack tbody > tr > * { border: 0; padding: 0; text-align: left; white-space: normal; }
  table.stack tbody > tr > th { grid-column: 1 / -1; font-size: 1rem; }
  table.stack td[data-label]::before { content: attr(data-label); display: block; color: var(--muted); font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; }
  table.stack tr.details { display: block; padding: .5rem; }
  table.stack tr.details[hidden] { display: none; }
  .table-wrap { overflow-x: visible; margin: 0; }
}
`;
