// Start-up that needs no WebAssembly (a file, not an inline script: the page's
// Content-Security-Policy allows no inline script):
// - registers the service worker, so the app works offline from the first visit;
// - offers "a new version is available" when a newer release is installed and waiting;
// - asks the browser to keep this site's storage (datasets) instead of evicting it under pressure;
// - wires buttons marked data-action (the crash screen's, written as plain HTML: the app that
//   drew them has stopped): "reload"; "safe-start" (reload with ?safe: the saved datasets are
//   listed but none is reopened); "export-project" (the saved data as a project file, read
//   straight from IndexedDB in the format src/io/storage writes).
(function () {
  'use strict';
  function status(text) {
    var s = document.querySelector('[data-testid="crash-status"]');
    if (s) s.textContent = text;
  }

  // Every value of an object store, as {key: Uint8Array}. Large values and the chunks of a
  // chosen file are kept as Blobs (src/io/storage/idb.rs): those are read once the cursor is done.
  function readAll(db, name) {
    return new Promise(function (resolve, reject) {
      var out = {}, blobs = [];
      var req = db.transaction(name, 'readonly').objectStore(name).openCursor();
      req.onsuccess = function () {
        var c = req.result;
        if (!c) {
          Promise.all(blobs.map(function (kb) {
            return kb[1].arrayBuffer().then(function (b) { out[kb[0]] = new Uint8Array(b); });
          })).then(function () { resolve(out); }, reject);
          return;
        }
        if (c.value instanceof Blob) blobs.push([String(c.key), c.value]);
        else out[String(c.key)] = new Uint8Array(c.value);
        c.continue();
      };
      req.onerror = function () { reject(req.error); };
    });
  }

  function exportProject() {
    status('Reading the saved data…');
    var open = indexedDB.open('crm-analytics');
    open.onerror = function () { status('The saved data could not be read: ' + open.error); };
    open.onsuccess = function () {
      var db = open.result;
      var text = new TextDecoder();
      Promise.all(['datasets', 'files', 'settings'].map(function (n) { return readAll(db, n); }))
        .then(function (all) {
          var datasets = [], parts = [], offset = 0, skipped = 0;
          Object.keys(all[0]).forEach(function (id) {
            var meta;
            try { meta = JSON.parse(text.decode(all[0][id])).value; } catch (e) { skipped++; return; }
            var keys = [];
            if (!meta.chunks) keys.push(id);
            for (var i = 0; i < (meta.chunks || 0); i++) keys.push(id + '/' + String(i).padStart(6, '0'));
            var chunks = keys.map(function (k) { return all[1][k]; });
            if (chunks.some(function (c) { return !c; })) { skipped++; return; }
            var length = chunks.reduce(function (n, c) { return n + c.length; }, 0);
            datasets.push({ meta: meta, offset: offset, length: length });
            offset += length;
            parts.push.apply(parts, chunks);
          });
          var settings = Object.keys(all[2]).map(function (k) { return [k, text.decode(all[2][k])]; });
          var header = JSON.stringify({ format: 'crm-analytics-project', schema: 3, datasets: datasets, settings: settings });
          var blob = new Blob(['crm-analytics-project 2\n', header, '\n'].concat(parts), { type: 'application/octet-stream' });
          var a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = 'customer-analytics.crmproject';
          document.body.appendChild(a);
          a.click();
          a.remove();
          status('Saved ' + datasets.length + ' dataset(s) in customer-analytics.crmproject' +
            (skipped ? '; ' + skipped + ' damaged dataset(s) left out.' : '.'));
          db.close();
        })
        .catch(function (e) { status('The saved data could not be read: ' + e); db.close(); });
    };
  }

  document.addEventListener('click', function (e) {
    var t = e.target && e.target.closest && e.target.closest('[data-action]');
    if (!t) return;
    var action = t.getAttribute('data-action');
    if (action === 'reload') location.reload();
    if (action === 'safe-start') location.assign(location.pathname + '?safe' + location.hash);
    if (action === 'export-project') exportProject();
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
