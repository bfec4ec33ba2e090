// The dashboard's page: a shell without data (every number comes from the
// management API once signed in), so it is served to anyone.
export const dashboardHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Switchyard</title>
<link rel="icon" href="/dashboard/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<section id="signin" class="signin" aria-labelledby="signin-title">
  <form id="signin-form" class="signin-card" autocomplete="off">
    <div class="brand brand-large"><img src="/dashboard/icon.svg" alt="" width="36" height="36"><span>Switchyard</span></div>
    <h1 id="signin-title">Sign in to the dashboard</h1>
    <p class="muted">Paste a management key. It stays in this tab only and is sent in the Authorization header, never in a URL.</p>
    <label for="signin-key">Management key</label>
    <input id="signin-key" name="key" type="password" required spellcheck="false" autocapitalize="off" placeholder="sk-sy-v1-…" aria-describedby="signin-help">
    <p id="signin-help" class="muted">Local mode prints one at start (<code>npm start</code>); on AWS, <code>switchyard bootstrap</code> creates the first.</p>
    <p id="signin-error" class="form-error" role="alert" hidden></p>
    <button type="submit">Sign in</button>
  </form>
</section>
<div id="app" class="app" hidden>
  <header class="topbar">
    <a class="brand" href="#activity"><img src="/dashboard/icon.svg" alt="" width="28" height="28"><span>Switchyard</span></a>
    <nav aria-label="Dashboard">
      <a href="#activity" data-view="activity">Activity</a>
      <a href="#generations" data-view="generations">Generations</a>
      <a href="#providers" data-view="providers">Providers</a>
      <a href="#keys" data-view="keys">Keys &amp; credits</a>
    </nav>
    <button id="signout" type="button" class="button-quiet">Sign out</button>
  </header>
  <main id="main" tabindex="-1"></main>
</div>
<noscript><p class="noscript">The dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;

/** A switch-track mark, drawn here so the page loads nothing from elsewhere. */
export const dashboardIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="8" fill="#4f46e5"/>
<path d="M7 23h18M7 9h6c4 0 6 3 6 7s2 7 6 7" fill="none" stroke="#fff" stroke-width="2.6" stroke-linecap="round"/>
<circle cx="7" cy="9" r="2.2" fill="#a5f3fc"/><circle cx="25" cy="23" r="2.2" fill="#a5f3fc"/>
</svg>
`;
