// Follow the system's light or dark preference (Bootstrap reads data-bs-theme), live.
(function () {
  var query = window.matchMedia('(prefers-color-scheme: dark)');
  function apply() {
    document.documentElement.setAttribute('data-bs-theme', query.matches ? 'dark' : 'light');
  }
  apply();
  query.addEventListener('change', apply);
})();
