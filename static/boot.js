// Start-up that needs no WebAssembly (a file, not an inline script: the page's
// Content-Security-Policy allows no inline script):
// - registers the service worker, so the app works offline from the first visit;
// - offers "a new version is available" when a newer release is installed and waiting;
// - asks the browser to keep this site's storage (datasets) instead of evicting it under pressure;
// - wires buttons marked data-action (the crash screen's "Reload", written as plain HTML).
(function () {
  'use strict';
  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest && e.target.closest('[data-action]');
    if (!t) return;
    if (t.getAttribute('data-action') === 'reload') location.reload();
  });

  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().then(function (granted) { window.crmStoragePersisted = granted; })
      .catch(function () {});
  }

  if (!('serviceWorker' in navigator) || !location.protocol.startsWith('http')) return;
  var updating = false;

  function offer(reg) {
    if (document.querySelector('[data-testid="update-available"]')) return;
    var bar = document.createElement('div');
    bar.className = 'update-available';
    bar.setAttribute('role', 'status');
    bar.setAttribute('data-testid', 'update-available');
    var text = document.createElement('span');
    text.textContent = 'A new version of the app is available. Your data stays as it is.';
    var go = document.createElement('button');
    go.type = 'button';
    go.textContent = 'Reload to update';
    go.setAttribute('data-testid', 'update-reload');
    go.addEventListener('click', function () {
      if (!reg.waiting) { location.reload(); return; }
      updating = true;
      go.disabled = true;
      reg.waiting.postMessage('skip-waiting');
    });
    var later = document.createElement('button');
    later.type = 'button';
    later.className = 'secondary';
    later.textContent = 'Later';
    later.addEventListener('click', function () { bar.remove(); });
    bar.append(text, go, later);
    document.body.appendChild(bar);
  }

  navigator.serviceWorker.addEventListener('controllerchange', function () {
    // The first visit's worker takes control without a reload; an accepted update reloads.
    if (updating) location.reload();
  });

  navigator.serviceWorker.register('sw.js').then(function (reg) {
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg);
    reg.addEventListener('updatefound', function () {
      var w = reg.installing;
      if (!w) return;
      w.addEventListener('statechange', function () {
        if (w.state === 'installed' && navigator.serviceWorker.controller) offer(reg);
      });
    });
  }).catch(function (err) {
    console.warn('Offline support is unavailable: ' + err);
  });
})();
