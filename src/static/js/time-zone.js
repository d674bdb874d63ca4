// Time zones, enhanced (every form works without this file):
// - a time zone list with nothing stored yet (setup, settings) starts at this browser's zone instead of UTC;
// - the list's help text names the browser's zone;
// - the invite code form's expiry: typing a date ticks "On a date", choosing a preset clears the date.
(function () {
  'use strict';

  var browserZone = '';
  try {
    browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    browserZone = '';
  }

  if (browserZone) {
    document.querySelectorAll('select[data-browser-time-zone]').forEach(function (select) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === browserZone; });
      if (!option) {
        // The browser may use an alias (Asia/Kolkata) the server lists under another name; the server accepts both.
        option = new Option(browserZone.replace(/_/g, ' '), browserZone);
        select.add(option, 0);
      }
      select.value = browserZone;
    });
    document.querySelectorAll('[data-browser-time-zone-note]').forEach(function (note) {
      var name = note.querySelector('[data-browser-time-zone-name]');
      if (name) name.textContent = browserZone.replace(/_/g, ' ');
      note.hidden = false;
    });
  }

  document.querySelectorAll('[data-code-expiry]').forEach(function (fieldset) {
    var date = fieldset.querySelector('input[name="expiresAt"]');
    var onDate = fieldset.querySelector('input[name="expiresIn"][value="date"]');
    if (!date || !onDate) return;
    date.addEventListener('input', function () {
      if (date.value) onDate.checked = true;
    });
    fieldset.querySelectorAll('input[name="expiresIn"]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (radio.checked && radio !== onDate) date.value = '';
        if (radio.checked && radio === onDate) date.focus();
      });
    });
  });
})();
