// "Continue with Plex" for friends. The click opens a window at once (one opened after a network
// round trip is blocked as a pop-up), Helpr makes the Plex PIN, the window goes to Plex's sign-in
// page, and this page asks Helpr every second how it stands (Helpr asks plex.tv; the browser
// never does). Signed in: on to the request's page. Pop-up blocked, or a phone: the form is sent
// as it is, the whole tab goes to Plex and Plex sends it back (the return page, which waits with
// this same script). Without JavaScript the form does exactly that.
(function () {
  'use strict';
  if (typeof window.fetch !== 'function') return;

  var POLL_MS = 1000;
  // plex.tv keeps a PIN 15 minutes; Helpr says "timed out" then. A minute more in case Helpr is away.
  var GIVE_UP_MS = 16 * 60 * 1000;
  var TIMED_OUT = 'The Plex sign-in timed out. Press Continue with Plex to try again.';
  var CLOSED = 'You closed the Plex window before signing in. Press Continue with Plex to try again.';
  var FAILED = 'Something went wrong. Press Continue with Plex to try again.';
  var RULES = 'Tick the box to accept the house rules: the owner asks everyone who joins.';

  /** The JSON answer, or null when Helpr answered with a page (a restart, an error page). */
  function jsonOf(response) {
    var type = response.headers.get('content-type') || '';
    if (type.indexOf('application/json') !== 0) return Promise.resolve(null);
    return response.json().then(function (answer) {
      return { ok: response.ok, answer: answer };
    });
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin', cache: 'no-store' }).then(jsonOf);
  }

  function setupForm(form) {
    var button = form.querySelector('[data-join-button]');
    var box = form.querySelector('[data-join-status]');
    var message = form.querySelector('[data-join-message]');
    var spinner = form.querySelector('[data-join-spinner]');
    var retry = form.querySelector('[data-join-retry]');
    var csrf = form.querySelector('input[name="_csrf"]');
    var popup = null;
    var current = null;
    var timer = null;
    var closedPolls = 0;
    var giveUpAt = 0;

    function show(text, busy, canRetry) {
      box.hidden = false;
      message.textContent = text;
      spinner.classList.toggle('d-none', !busy);
      retry.hidden = !canRetry;
      button.disabled = busy;
    }

    function idle() {
      box.hidden = true;
      button.disabled = false;
    }

    function clearFieldErrors() {
      form.querySelectorAll('.is-invalid').forEach(function (input) {
        input.classList.remove('is-invalid');
        input.removeAttribute('aria-invalid');
      });
      form.querySelectorAll('.invalid-feedback').forEach(function (feedback) {
        feedback.hidden = true;
      });
    }

    /** Puts each message beside its field; false when the form has none of those fields. */
    function showFieldErrors(fields) {
      var shown = false;
      Object.keys(fields).forEach(function (name) {
        var input = form.querySelector('input[name="' + name + '"]:not([type="hidden"])');
        var feedback = input && document.getElementById(input.id + '-error');
        if (!feedback) return;
        input.classList.add('is-invalid');
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', feedback.id);
        feedback.textContent = fields[name];
        feedback.hidden = false;
        if (!shown) input.focus();
        shown = true;
      });
      return shown;
    }

    function closePopup() {
      if (popup && !popup.closed) {
        try {
          popup.close();
        } catch {
          // Out of reach (Plex's page): the friend closes it.
        }
      }
      popup = null;
    }

    function stop() {
      clearTimeout(timer);
      current = null;
    }

    function end(text) {
      stop();
      closePopup();
      show(text || FAILED, false, true);
      retry.focus();
    }

    function finish(redirect) {
      stop();
      closePopup();
      show('Signed in. Setting up your access…', true, false);
      window.location.assign(redirect);
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(poll, POLL_MS);
    }

    function answered(started, result) {
      if (current !== started) return;
      if (!result) return schedule();
      var answer = result.answer;
      if (answer.state === 'done') return finish(answer.redirect);
      if (answer.state !== 'waiting') return end(answer.message);
      // The window closed before Plex said yes: one more look (the yes may have just come), then cancel.
      if (popup && popup.closed && ++closedPolls >= 2) return cancel(started);
      schedule();
    }

    function poll() {
      var started = current;
      if (!started) return;
      if (Date.now() > giveUpAt) return end(TIMED_OUT);
      getJson(started.statusUrl)
        .then(function (result) {
          answered(started, result);
        })
        .catch(schedule);
    }

    function cancel(started) {
      fetch(started.cancelUrl, { method: 'POST', headers: { Accept: 'application/json', 'X-CSRF-Token': csrf ? csrf.value : '' }, credentials: 'same-origin' })
        .then(jsonOf)
        .then(function (result) {
          answered(started, result || { answer: { state: 'cancelled', message: CLOSED } });
        })
        .catch(function () {
          if (current === started) end(CLOSED);
        });
    }

    /** The form goes as it is: Helpr answers with Plex's sign-in page, which sends the tab back. */
    function submitNormally(event) {
      closePopup();
      if (!event) form.submit();
    }

    function start(event) {
      clearFieldErrors();
      stop();
      var rules = form.querySelector('input[name="rulesAccepted"][required]');
      if (rules && !rules.checked) {
        if (event) event.preventDefault();
        showFieldErrors({ rulesAccepted: RULES });
        return;
      }
      // On a phone a pop-up opens as another tab that is easily lost: the whole tab goes instead.
      if (window.matchMedia && window.matchMedia('(max-width: 575.98px)').matches) return submitNormally(event);
      popup = window.open('about:blank', 'helpr-plex-join', 'popup,width=600,height=720');
      if (!popup || popup.closed) return submitNormally(event);
      if (event) event.preventDefault();
      try {
        popup.document.title = 'Plex';
        popup.document.body.textContent = 'Opening Plex…';
      } catch {
        // A window of that name still on Plex's site: it is sent to the new sign-in all the same.
      }
      show('Opening Plex…', true, false);
      fetch(form.action, {
        method: 'POST',
        headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)).toString(),
        credentials: 'same-origin',
      })
        .then(jsonOf)
        .then(function (result) {
          if (!result) throw new Error('not JSON');
          if (!result.ok) {
            closePopup();
            var error = result.answer.error || {};
            if (error.fields && showFieldErrors(error.fields)) idle();
            else show(error.message || FAILED, false, true);
            return;
          }
          var started = result.answer;
          if (!popup || popup.closed) {
            current = started;
            return cancel(started);
          }
          current = started;
          closedPolls = 0;
          giveUpAt = Date.now() + GIVE_UP_MS;
          // The opener is kept (not set to null): only the window's opener may close it once the
          // sign-in is over, and app.plex.tv is the page the friend trusts with their sign-in anyway.
          popup.location.href = started.authUrl;
          show('Sign in to Plex in the window that opened. This page goes on by itself afterwards.', true, false);
          schedule();
        })
        .catch(function () {
          // Let the plain form do it: Helpr shows Plex's page or what went wrong.
          submitNormally(null);
        });
    }

    form.addEventListener('submit', start);
    retry.addEventListener('click', function () {
      start(null);
    });
    // Back to this page from the browser's cache (after Plex): ready to start again.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) {
        stop();
        idle();
      }
    });
  }

  document.querySelectorAll('form[data-join-with-plex]').forEach(setupForm);

  // The page Plex sends the tab back to, while Helpr waits for Plex's yes: on by itself once it came.
  var back = document.querySelector('[data-join-return]');
  if (back) {
    var url = back.getAttribute('data-status-url');
    var until = Date.now() + GIVE_UP_MS;
    var check = function () {
      getJson(url)
        .then(function (result) {
          var answer = result && result.answer;
          if (answer && answer.state === 'done') return window.location.assign(answer.redirect);
          // Any other end: the page shows it (and how to start again).
          if ((answer && answer.state !== 'waiting') || Date.now() > until) return window.location.reload();
          setTimeout(check, POLL_MS);
        })
        .catch(function () {
          setTimeout(check, POLL_MS);
        });
    };
    setTimeout(check, POLL_MS);
  }
})();
