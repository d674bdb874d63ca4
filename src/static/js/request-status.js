// The friend's request page while it waits (for Plex, or for the owner's approval): asks for the
// request's status every few seconds and reloads the page once it changed, so the friend sees the
// answer without doing anything. Without JavaScript the page's "Check again" link does the same.
(function () {
  var section = document.querySelector('[data-status-url]');
  if (!section || !window.fetch) return;
  var url = section.getAttribute('data-status-url');
  // The page key says more than the status where a request waits in more than one way (a Plex
  // join waiting for the friend to confirm their email stays pending).
  var shown = section.getAttribute('data-page') || section.getAttribute('data-status');
  var started = Date.now();

  // Every 4 s for the first 5 minutes, then every 30 s: an owner may take a while to decide.
  function delay() {
    return Date.now() - started < 5 * 60 * 1000 ? 4000 : 30000;
  }

  function check() {
    // A hidden tab waits until it is looked at again.
    if (document.hidden) return;
    fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        var now = answer && (answer.page || answer.status);
        if (now && now !== shown) {
          window.location.reload();
          return;
        }
        schedule();
      })
      .catch(schedule);
  }

  var timer;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, delay());
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden) check();
  });
  schedule();
})();
