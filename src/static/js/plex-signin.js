// "Sign in with Plex" in one click: the click opens a window at once (a window opened after a
// network round trip is blocked as a pop-up), the PIN is made, the window goes to Plex's sign-in
// page and this page waits, asking the server every 1-2 s whether the PIN was approved; it goes
// on by itself once it was. Pop-ups blocked: the whole tab goes to Plex, which sends it back to
// the waiting page (forwardUrl). Without JavaScript the form posts and the waiting page links to
// Plex, with an "I have signed in, continue" button.
(function () {
  'use strict';
  var box = document.getElementById('plex-wait');
  if (!box || typeof window.fetch !== 'function') return;
  var status = document.getElementById('plex-wait-status');
  var text = document.getElementById('plex-wait-text');
  var authLink = document.getElementById('plex-auth-link');
  var pollUrl = box.getAttribute('data-poll-url');
  var interval = Number(box.getAttribute('data-interval-ms')) || 1500;
  var giveUpAfter = Number(box.getAttribute('data-give-up-ms')) || 600000;
  var giveUpAt = Date.now() + giveUpAfter;
  var timer;
  var polling = false;

  function showSpinner(show) {
    status.querySelector('.spinner-border').classList.toggle('d-none', !show);
  }

  function stop(message, tone) {
    clearTimeout(timer);
    polling = false;
    showSpinner(false);
    text.textContent = message;
    status.classList.add(tone === 'danger' ? 'text-danger-emphasis' : 'text-body-secondary');
  }

  function schedule() {
    if (Date.now() > giveUpAt) {
      stop('Stopped waiting after 10 minutes. Start again with a new code.', 'danger');
      return;
    }
    timer = setTimeout(poll, interval);
  }

  function poll() {
    fetch(pollUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (response) {
        var type = response.headers.get('content-type') || '';
        // The session ended (the answer is the sign-in page): show it.
        if (response.redirected || type.indexOf('application/json') !== 0) {
          if (response.ok) window.location.reload();
          return undefined;
        }
        return response.json();
      })
      .then(function (answer) {
        if (!answer) return schedule();
        if (answer.state === 'done') {
          text.textContent = 'Signed in. Going on…';
          window.location.assign(answer.next);
        } else if (answer.state === 'waiting') {
          if (answer.message) text.textContent = 'Waiting for Plex… (' + answer.message + ')';
          schedule();
        } else {
          stop(answer.message || 'The sign-in did not work. Start again.', 'danger');
          if (authLink) authLink.classList.add('disabled');
        }
      })
      // Helpr itself did not answer (restart, network): keep trying until the time is up.
      .catch(schedule);
  }

  function startPolling() {
    giveUpAt = Date.now() + giveUpAfter;
    status.classList.remove('d-none', 'text-danger-emphasis', 'text-body-secondary');
    if (authLink) authLink.classList.remove('disabled');
    if (!polling) {
      polling = true;
      schedule();
    }
  }

  /** Plex's sign-in address that brings this tab back to the waiting page afterwards. */
  function withForwardUrl(authUrl, waitUrl) {
    var back = new URL(waitUrl, window.location.href);
    back.searchParams.set('from', 'plex');
    return authUrl + '&forwardUrl=' + encodeURIComponent(back.href);
  }

  function openPlex(form, event) {
    event.preventDefault();
    // Opened now, during the click; given Plex's address once the PIN exists.
    var opened = window.open('', 'helpr-plex-signin', 'popup,width=600,height=720');
    if (opened && !opened.closed) {
      try {
        opened.document.title = 'Plex';
        opened.document.body.textContent = 'Opening Plex…';
      } catch {
        // Not our blank page (a window of that name was still on Plex): it is sent there anyway.
      }
    }
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    fetch(form.action, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString(),
      credentials: 'same-origin',
    })
      .then(function (response) {
        if (!response.ok) throw new Error('PIN refused: ' + response.status);
        return response.json();
      })
      .then(function (answer) {
        if (!opened || opened.closed) {
          // Pop-ups blocked: this tab goes to Plex and comes back to the waiting page.
          window.location.assign(withForwardUrl(answer.authUrl, answer.waitUrl));
          return;
        }
        // Plex's page gets no handle on this one. (Once on Plex's site the window is out of this
        // page's reach anyway: the Cross-Origin-Opener-Policy header separates them.)
        opened.opener = null;
        opened.location.href = answer.authUrl;
        if (authLink) authLink.href = answer.authUrl;
        if (button) button.disabled = false;
        // On the sign-in page the button gives way to the waiting message.
        if (box.hidden) {
          form.hidden = true;
          box.hidden = false;
        }
        text.textContent = 'Waiting for you to allow Helpr in the Plex window…';
        showSpinner(true);
        startPolling();
      })
      .catch(function () {
        // Let the plain form do it: the server shows the waiting page or what went wrong.
        if (opened && !opened.closed) opened.close();
        form.submit();
      });
  }

  document.querySelectorAll('form[data-plex-pin]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      openPlex(form, event);
    });
  });

  // The waiting page (no script on the sign-in click, or back from Plex): it waits from the start,
  // and shows the spinner once Plex was opened (back from Plex, or its link clicked).
  if (!box.hidden) {
    var message = document.getElementById('plex-wait-message');
    if (message) message.classList.add('d-none');
    status.classList.remove('d-none');
    var fromPlex = new URLSearchParams(window.location.search).get('from') === 'plex';
    showSpinner(fromPlex);
    text.textContent = fromPlex ? 'Waiting for Plex…' : 'Open Plex to sign in; this page goes on by itself afterwards.';
    if (authLink) {
      authLink.addEventListener('click', function () {
        showSpinner(true);
        text.textContent = 'Waiting for Plex…';
      });
    }
    startPolling();
  }
})();
