// Draws the dashboard's requests-per-day chart from the data-chart attribute. Without JavaScript
// (or Chart.js) the page keeps showing the same numbers as a table.
(function () {
  var canvas = document.getElementById('requests-chart');
  if (!canvas || typeof window.Chart === 'undefined') return;
  var data;
  try {
    data = JSON.parse(canvas.getAttribute('data-chart') || '');
  } catch {
    return;
  }

  // The same Bootstrap colours as the status badges, in light and dark themes.
  var colorVariables = {
    pending: '--bs-warning',
    sent: '--bs-success',
    already_shared: '--bs-info',
    failed: '--bs-danger',
    revoked: '--bs-secondary',
  };
  var style = getComputedStyle(document.body);
  var css = function (name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  };

  var container = canvas.parentElement;
  container.hidden = false;
  // Chart.js sizes the canvas from its container; this must be positioned for that to work.
  container.style.position = 'relative';
  var narrow = window.matchMedia('(max-width: 575.98px)').matches;

  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series) {
        return { label: series.label, data: series.data, backgroundColor: css(colorVariables[series.status], '#6c757d'), borderWidth: 0 };
      }),
    },
    options: {
      aspectRatio: narrow ? 1.1 : 3,
      animation: false,
      color: css('--bs-body-color', '#212529'),
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { color: css('--bs-secondary-color', '#6c757d'), maxRotation: 0, autoSkipPadding: 8 } },
        y: {
          stacked: true,
          beginAtZero: true,
          ticks: { precision: 0, color: css('--bs-secondary-color', '#6c757d') },
          grid: { color: css('--bs-border-color', '#dee2e6') },
        },
      },
    },
  });

  // The chart shows the numbers now; the table stays one click away.
  var details = document.getElementById('per-day-details');
  if (details) details.open = false;
})();
