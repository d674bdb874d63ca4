// "Sign in with Plex": while the owner approves Helpr on app.plex.tv (in another tab), ask the
// server every 1-2 s whether the PIN was approved, and go on to the next step by itself once it
// was. Without JavaScript the "I have signed in, continue" button does the same check.
(function () {
  var box = document.getElementById('plex-wait');
  if (!box || typeof window.fetch !== 'function') return;
  var status = document.getElementById('plex-wait-status');
  var text = document.getElementById('plex-wait-text');
  var pollUrl = box.getAttribute('data-poll-url');
  var interval = Number(box.getAttribute('data-interval-ms')) || 1500;
  var giveUpAt = Date.now() + (Number(box.getAttribute('data-give-up-ms')) || 600000);
  var timer;

  function stop(message, tone) {
    clearTimeout(timer);
    status.querySelector('.spinner-border').classList.add('d-none');
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
          text.textContent = answer.message ? 'Waiting for Plex… (' + answer.message + ')' : 'Waiting for Plex…';
          schedule();
        } else {
          stop(answer.message || 'The sign-in did not work. Start again.', 'danger');
          var link = document.getElementById('plex-auth-link');
          if (link) link.classList.add('disabled');
        }
      })
      // Helpr itself did not answer (restart, network): keep trying until the time is up.
      .catch(schedule);
  }

  status.classList.remove('d-none');
  var message = document.getElementById('plex-wait-message');
  if (message) message.classList.add('d-none');
  schedule();
})();
