// index.html's boot script, inlined by trunk (its sha256 is in the page's Content-Security-
// Policy, written in by scripts/postbuild.mjs). It runs before the body is parsed:
// - tells the shell which view the URL asks for (html[data-route], read by style.css), until
//   the app takes over (html[data-app]), and which colours the user chose (html[data-theme]);
// - starts the quick analysis worker at once (the small one that explains pastes; files get a
//   worker of their own later), so that its wasm loads and its knowledge base is ready by the
//   first paste; the app adopts it with the messages it sent meanwhile;
// - registers the service worker once the worker is up (not before, so that precaching does
//   not compete with it for the network), and tells the app when a new version is installed.
(function () {
  var root = document.documentElement;
  function route() {
    var h = location.hash.replace(/^#\/?/, '').split('/')[0];
    root.setAttribute('data-route', h === 'file' || h === 'files' ? 'file' : h === 'reference' || h === 'lookup' ? 'reference' : h === 'rules' ? 'rules' : 'paste');
  }
  route();
  addEventListener('hashchange', route);
  // The colours the user chose with the theme toggle (else the system's), before any paint.
  try {
    var theme = localStorage.getItem('bouncelens.theme');
    if (theme === 'dark' || theme === 'light') root.setAttribute('data-theme', theme);
  } catch (e) {}

  var app = (window.bouncelens = { early: [] });
  var meta = document.querySelector('meta[name="bouncelens-quick"]');
  var sw = navigator.serviceWorker;
  function register() {
    if (!sw || app.registered) return;
    app.registered = true;
    var controlled = !!sw.controller;
    sw.register('./sw.js').then(function (reg) {
      reg.addEventListener('updatefound', function () {
        var next = reg.installing;
        if (!next || !controlled) return;
        next.addEventListener('statechange', function () {
          if (next.state !== 'activated') return;
          root.setAttribute('data-update', 'ready');
          dispatchEvent(new Event('bouncelens:update'));
        });
      });
    }, function () {});
  }
  function later() {
    if (document.readyState === 'complete') register();
    else addEventListener('load', register);
  }
  if (meta && window.Worker) {
    try {
      app.worker = new Worker(meta.getAttribute('content'));
      app.worker.onmessage = function (e) { app.early.push(e.data); };
      app.worker.addEventListener('message', later, { once: true });
      app.worker.addEventListener('error', later, { once: true });
      return;
    } catch (e) {
      app.worker = undefined;
    }
  }
  later();
})();
