/**
 * The stand-in for app.plex.tv's sign-in page (`GET /auth`, app-auth.ts). Static: the PIN code,
 * clientID and forwardUrl are only in `location.hash` (the real app reads them after `#?` or
 * `#!?`), so the browser reads them, asks the simulator which accounts it may offer, and approves
 * the PIN the way plex.tv's API does. Labels are stable for headless tests: one button
 * `Sign in as <username>` per account, a `Cancel` link, and fixed headings for each outcome.
 */
export const APP_AUTH_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plex</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: #1f2326; color: #eee; }
  main { max-width: 26rem; margin: 0 auto; padding: 2rem 1rem; }
  .brand { color: #e5a00d; font-weight: 700; letter-spacing: .05em; margin: 0 0 1.5rem; }
  .sim { color: #999; font-size: .85rem; }
  ul { list-style: none; padding: 0; margin: 1.5rem 0; }
  li { margin: 0 0 1rem; }
  button { display: block; width: 100%; min-height: 2.75rem; border: 0; border-radius: 4px; background: #e5a00d;
    color: #1f2326; font: inherit; font-weight: 600; cursor: pointer; }
  button:disabled { opacity: .6; cursor: default; }
  .who { display: block; color: #bbb; font-size: .9rem; margin-top: .25rem; }
  .note { color: #f0ad4e; }
  a { color: #e5a00d; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<main>
  <p class="brand">PLEX</p>
  <h1 id="heading">Sign in to Plex</h1>
  <p id="message" role="status">Loading…</p>
  <ul id="accounts" hidden></ul>
  <p><a id="cancel" href="#" hidden>Cancel</a></p>
  <p class="sim">Plex simulator: a stand-in for app.plex.tv on this machine.</p>
  <noscript><p>This page needs JavaScript, as app.plex.tv does.</p></noscript>
</main>
<script>
(function () {
  'use strict';
  // The identifier app.plex.tv's own requests carry (v2 needs one); the PIN keeps Helpr's.
  var APP_CLIENT_ID = 'plex-sim-app';
  var heading = document.getElementById('heading');
  var message = document.getElementById('message');
  var list = document.getElementById('accounts');
  var cancel = document.getElementById('cancel');

  // "#?clientID=..&code=.." or "#!?..": the part after "?" is a query string.
  var hash = location.hash.replace(/^#!?\\??/, '');
  var params = new URLSearchParams(hash);
  var code = params.get('code') || '';
  var forwardUrl = safeUrl(params.get('forwardUrl'));

  /** Only http(s) addresses are followed (never javascript: and the like). */
  function safeUrl(value) {
    if (!value) return null;
    try {
      var url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function show(title, text) {
    heading.textContent = title;
    message.textContent = text;
  }

  function expired() {
    list.hidden = true;
    cancel.hidden = true;
    show('This link has expired', 'Go back to the app that sent you here and try again.');
  }

  /** Back to the app with forwardUrl; otherwise the window (a popup) closes itself if it can. */
  function leave(title, text) {
    if (forwardUrl) return location.assign(forwardUrl);
    list.hidden = true;
    cancel.hidden = true;
    show(title, text);
    window.close();
  }

  function json(response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, body: body };
    });
  }

  function approve(account, button) {
    list.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    show('Sign in to Plex', 'Signing in as ' + account.username + '…');
    // Signing in on app.plex.tv gives the account a token; the page then links the PIN with it
    // (PUT /api/v2/pins/link), exactly as plex.tv's API approves a PIN.
    fetch('/__sim/tokens/issue', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ account: account.id }) })
      .then(json)
      .then(function (issued) {
        if (issued.status !== 201) throw new Error('token');
        return fetch('/api/v2/pins/link', {
          method: 'PUT',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/x-www-form-urlencoded',
            'X-Plex-Token': issued.body.token,
            'X-Plex-Product': 'Plex SSO',
            'X-Plex-Client-Identifier': APP_CLIENT_ID,
          },
          body: new URLSearchParams({ code: code }).toString(),
        });
      })
      .then(function (linked) {
        if (linked.status === 404) return expired();
        if (!linked.ok) throw new Error('link ' + linked.status);
        leave('Signed in', 'Signed in. You can close this window.');
      })
      .catch(function () {
        list.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
        show('Sign in to Plex', 'Something went wrong. Try again.');
        button.focus();
      });
  }

  function offer(pin) {
    var product = pin.product || 'An app';
    show('Sign in to Plex', product + ' wants to use your Plex account. Choose the account to sign in with.');
    pin.accounts.forEach(function (account) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Sign in as ' + account.username;
      button.setAttribute('data-username', account.username);
      button.addEventListener('click', function () { approve(account, button); });
      var who = document.createElement('span');
      who.className = 'who';
      who.textContent = account.email;
      if (!account.confirmed) {
        var note = document.createElement('span');
        note.className = 'note';
        note.textContent = ' (email not confirmed)';
        who.appendChild(note);
      }
      item.appendChild(button);
      item.appendChild(who);
      list.appendChild(item);
    });
    list.hidden = false;
    cancel.hidden = false;
  }

  cancel.href = forwardUrl || '#';
  cancel.addEventListener('click', function (event) {
    event.preventDefault();
    leave('Sign-in cancelled', 'You did not sign in. You can close this window.');
  });

  if (!code) return expired();
  fetch('/__sim/app/pin?code=' + encodeURIComponent(code), { headers: { Accept: 'application/json' }, cache: 'no-store' })
    .then(json)
    .then(function (answer) {
      if (answer.status !== 200) return expired();
      offer(answer.body);
    })
    .catch(function () {
      show('Sign in to Plex', 'Plex cannot be reached. Reload the page to try again.');
    });
})();
</script>
</body>
</html>
`;
