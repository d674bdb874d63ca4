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
    awaiting_approval: '--bs-primary',
    pending: '--bs-warning',
    sent: '--bs-success',
    // Accepted's badge is sent's green with a dark border; a bar has no border to tell them apart,
    // so it takes the darker (dark theme: lighter) green of the same family.
    accepted: '--bs-success-text-emphasis',
    already_shared: '--bs-info',
    already_invited: '--bs-info-border-subtle',
    failed: '--bs-danger',
    declined: '--bs-gray-400',
    revoked: '--bs-secondary',
  };
  var style = getComputedStyle(document.body);
  var css = function (name, fallback) {
    return style.getPropertyValue(name).trim() || fallback;
  };

  // The container has a height of its own and position: relative (app.css): Chart.js then fills
  // it and follows its width both ways. Sized by the canvas alone, the chart could shrink but never
  // grow again (Chart.js keeps the container's old height and the aspect ratio with it).
  canvas.parentElement.hidden = false;

  new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series) {
        return { label: series.label, data: series.data, backgroundColor: css(colorVariables[series.status], '#6c757d'), borderWidth: 0 };
      }),
    },
    options: {
      maintainAspectRatio: false,
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
