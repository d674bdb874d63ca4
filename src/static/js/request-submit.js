// The friend's "Ask for access": Plex can take several seconds to answer, and an idle button
// invites a second tap. On submit the button is disabled and says what is happening; the form
// itself is posted as usual (without JavaScript it simply works as a plain form).
(function () {
  'use strict';

  document.querySelectorAll('form[data-busy-form]').forEach(function (form) {
    var button = form.querySelector('button[type="submit"]');
    var note = form.querySelector('[data-busy-note]');
    if (!button) return;
    var idleLabel = button.textContent;
    var sending = false;

    function busy() {
      sending = true;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      button.textContent = '';
      var spinner = document.createElement('span');
      spinner.className = 'spinner-border spinner-border-sm me-2';
      spinner.setAttribute('aria-hidden', 'true');
      button.appendChild(spinner);
      button.appendChild(document.createTextNode(button.getAttribute('data-busy-label') || 'Sending…'));
      if (note) note.hidden = false;
    }

    function idle() {
      sending = false;
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = idleLabel;
      if (note) note.hidden = true;
    }

    form.addEventListener('submit', function (event) {
      // A second tap (or Enter) while the first request is on its way sends nothing more.
      if (sending) {
        event.preventDefault();
        return;
      }
      // Disabling the button now does not stop the submission already under way (it has no name to send).
      busy();
    });

    // Back to this page from the browser's cache: ready to send again.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) idle();
    });
  });
})();
