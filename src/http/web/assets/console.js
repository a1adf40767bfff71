// Pacer console: ticking countdowns, and pages that follow ticket changes without a reload.
// Hand-written, no build; everything works without it except the live parts.
(function () {
  'use strict';

  // The same text as countdownText in src/http/web/format.ts.
  function countdown(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    var text = d > 0 ? d + 'd ' + h + 'h' : h > 0 ? h + 'h ' + pad(m) + 'm ' + pad(s % 60) + 's' : m > 0 ? m + 'm ' + pad(s % 60) + 's' : (s % 60) + 's';
    return (ms >= 0 ? 'in ' : 'overdue ') + text;
  }

  function tick() {
    var now = Date.now();
    var nodes = document.querySelectorAll('time[data-countdown]');
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var diff = Date.parse(el.getAttribute('datetime')) - now;
      el.textContent = countdown(diff);
      el.classList.toggle('overdue', diff < 0);
    }
  }

  // A form being written in must not be thrown away by a refresh.
  function busy(root) {
    var fields = root.querySelectorAll('textarea, input[type=text], input:not([type])');
    for (var i = 0; i < fields.length; i++) if (fields[i].value && fields[i].defaultValue !== fields[i].value) return true;
    var active = document.activeElement;
    return !!(active && root.contains(active) && /TEXTAREA|INPUT|SELECT/.test(active.tagName));
  }

  var pending = null;
  function refresh(ids) {
    var rows = document.getElementById('queue-rows');
    var ticket = document.querySelector('main [data-ticket]');
    if (rows) {
      fetch(rows.getAttribute('data-refresh'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text().then(function (t) { return [t]; }); })
        .then(function (res) {
          rows.innerHTML = res[0];
          tick();
        })
        .catch(function () {});
    } else if (ticket && ids.indexOf(ticket.getAttribute('data-ticket')) >= 0 && !busy(ticket)) {
      fetch(location.pathname, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
        .then(function (text) {
          var doc = new DOMParser().parseFromString(text, 'text/html');
          var fresh = doc.querySelector('main [data-ticket]');
          if (fresh && !busy(ticket)) { ticket.replaceWith(fresh); tick(); }
        })
        .catch(function () {});
    }
  }

  function listen() {
    if (!document.body.hasAttribute('data-live') || !window.EventSource) return;
    var url = location.pathname.indexOf('/portal') === 0 ? '/portal/stream' : '/console/stream';
    var source = new EventSource(url);
    var ids = [];
    source.addEventListener('tickets', function (e) {
      try { ids = ids.concat(JSON.parse(e.data).ids || []); } catch (err) { return; }
      // Several changes close together cost one refresh.
      if (pending) return;
      pending = setTimeout(function () { var batch = ids; ids = []; pending = null; refresh(batch); }, 150);
    });
    window.addEventListener('pagehide', function () { source.close(); });
  }

  // A rollout's progress line asks again every two seconds until the rollout has finished (a pending one is about to start).
  function followRollouts() {
    var line = document.querySelector('[data-rollout][data-state=running], [data-rollout][data-state=pending]');
    if (!line) return;
    fetch('/console/admin/rollouts/' + encodeURIComponent(line.getAttribute('data-rollout')), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, 'text/html').querySelector('[data-rollout]');
        if (fresh) line.replaceWith(fresh);
      })
      .catch(function () {})
      .then(function () { setTimeout(followRollouts, 2000); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    followRollouts();
    tick();
    setInterval(tick, 1000);
    listen();
  });
})();
