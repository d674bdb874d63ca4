// "Test now" on /admin/plex: instead of reloading the page, stream the connection test and show
// each step as it completes. Without JavaScript (or if streaming fails) the form posts normally.
(function () {
  var section = document.getElementById('plex-test');
  var form = document.getElementById('plex-test-form');
  if (!section || !form || typeof window.fetch !== 'function' || typeof TextDecoder === 'undefined') return;
  var button = document.getElementById('plex-test-button');
  var summary = document.getElementById('plex-test-summary');
  var BADGES = {
    ok: ['text-bg-success', 'OK'],
    failed: ['text-bg-danger', 'Failed'],
    skipped: ['text-bg-secondary', 'Skipped'],
    running: ['text-bg-info', 'Testing…'],
    pending: ['text-bg-light border', 'Waiting'],
  };

  function field(item, name) {
    return item.querySelector('[data-field="' + name + '"]');
  }

  function show(step) {
    var item = section.querySelector('[data-step="' + step.name + '"]');
    if (!item) return;
    var badge = field(item, 'status');
    var look = BADGES[step.status] || BADGES.running;
    badge.className = 'badge ' + look[0];
    badge.textContent = look[1];
    field(item, 'time').textContent = step.status === 'ok' || step.status === 'failed' ? step.durationMs + ' ms' : '';
    field(item, 'detail').textContent = step.detail || '';
    var hint = field(item, 'hint');
    // An arrow, not "Fix:": the hints have a colon of their own ("revoked: sign in again").
    hint.textContent = step.hint ? '→ ' + step.hint : '';
    hint.classList.toggle('d-none', !step.hint);
  }

  function handle(line) {
    if (!line.trim()) return;
    var message = JSON.parse(line);
    if (message.type === 'step') {
      show(message.step);
      var next = section.querySelector('[data-step="' + message.step.name + '"] + [data-step]');
      if (next && message.step.status !== 'skipped') show({ name: next.getAttribute('data-step'), status: 'running', detail: 'Testing…' });
    } else if (message.type === 'report') {
      summary.textContent = 'Just now: ' + (message.report.ok ? 'every check passed.' : 'a check failed: see the fix below.');
    } else if (message.type === 'error') {
      summary.textContent = message.message;
    }
  }

  async function run() {
    var token = form.querySelector('input[name="_csrf"]').value;
    var response = await fetch(section.getAttribute('data-stream-url'), {
      method: 'POST',
      headers: { 'X-CSRF-Token': token, Accept: 'application/x-ndjson' },
      credentials: 'same-origin',
    });
    if (!response.ok || !response.body) throw new Error('stream refused: ' + response.status);
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      var lines = buffer.split('\n');
      buffer = lines.pop();
      lines.forEach(handle);
    }
    handle(buffer);
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    summary.textContent = 'Testing…';
    section.querySelectorAll('[data-step]').forEach(function (item, index) {
      show({ name: item.getAttribute('data-step'), status: index === 0 ? 'running' : 'pending', detail: index === 0 ? 'Testing…' : 'Waiting…' });
    });
    run()
      .catch(function () {
        // Fall back to the plain form: the server runs the test and shows the page again.
        form.submit();
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
