// "Copy link" buttons: hidden in the markup (without JavaScript the link is selectable text) and
// shown here. The Clipboard API needs a secure context; plain-HTTP installs on a LAN fall back to
// selecting a hidden text area and execCommand('copy').
(function () {
  'use strict';

  function copyWithSelection(text) {
    var area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'position-fixed top-0 start-0 opacity-0';
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand('copy');
    } catch {
      copied = false;
    }
    area.remove();
    return copied ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).catch(function () { return copyWithSelection(text); });
    return copyWithSelection(text);
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var label = button.textContent;
    var timer;
    button.hidden = false;
    button.setAttribute('aria-live', 'polite');
    button.addEventListener('click', function () {
      copy(button.getAttribute('data-copy')).then(
        function () { button.textContent = 'Copied'; },
        function () { button.textContent = button.getAttribute('data-copy-failed') || 'Select the link and copy it'; },
      );
      clearTimeout(timer);
      timer = setTimeout(function () { button.textContent = label; }, 2500);
    });
  });

  // One tap selects the whole link, ready to copy by hand.
  document.querySelectorAll('input[data-select-on-focus]').forEach(function (input) {
    input.addEventListener('focus', function () { input.select(); });
  });
})();
