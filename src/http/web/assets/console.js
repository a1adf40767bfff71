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

  // Suggested articles while a customer writes a new ticket: the subject is a combobox over the
  // listbox of suggestions (arrow keys move, Enter opens, Escape closes); asked for 300 ms after
  // the last keystroke, and an answer to an older text never replaces a newer one.
  function suggestions() {
    var form = document.querySelector('form[data-suggest]');
    if (!form) return;
    var subject = form.querySelector('#subject');
    var description = form.querySelector('#description');
    var list = form.querySelector('#kb-suggestions');
    var status = form.querySelector('#kb-suggest-status');
    var timer = null, asked = 0, active = -1, lastText = '';
    var options = function () { return list.querySelectorAll('[role=option]'); };
    function setActive(i) {
      var opts = options();
      active = opts.length ? (i + opts.length) % opts.length : -1;
      for (var k = 0; k < opts.length; k++) opts[k].setAttribute('aria-selected', k === active ? 'true' : 'false');
      if (active >= 0) { subject.setAttribute('aria-activedescendant', opts[active].id); list.setAttribute('aria-activedescendant', opts[active].id); opts[active].scrollIntoView({ block: 'nearest' }); }
      else { subject.removeAttribute('aria-activedescendant'); list.removeAttribute('aria-activedescendant'); }
    }
    function show(open) {
      list.hidden = !open;
      subject.setAttribute('aria-expanded', open ? 'true' : 'false');
      if (!open) setActive(-1);
    }
    function ask() {
      var text = subject.value.trim() + '\n' + description.value.trim();
      if (text === lastText) return;
      lastText = text;
      if (!text.trim()) { list.innerHTML = ''; show(false); status.textContent = 'Suggestions appear as you type.'; return; }
      var mine = ++asked;
      var q = '?subject=' + encodeURIComponent(subject.value.slice(0, 500)) + '&description=' + encodeURIComponent(description.value.slice(0, 2000)) + '&session=' + encodeURIComponent(form.getAttribute('data-suggest-session'));
      fetch(form.getAttribute('data-suggest') + q, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
        .then(function (fragment) {
          if (mine !== asked) return;
          list.innerHTML = fragment;
          var n = options().length;
          status.textContent = n ? n + (n === 1 ? ' article' : ' articles') + ' may answer this. Use the arrow keys and Enter to open one.' : 'No articles match yet.';
          show(n > 0);
        })
        .catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 300); }
    function open(i) {
      var opt = options()[i];
      if (!opt) return;
      window.open(opt.querySelector('a').getAttribute('href'), '_blank', 'noopener');
    }
    function keys(e) {
      var n = options().length;
      if (e.key === 'Escape' && !list.hidden) { e.preventDefault(); show(false); return; }
      if (e.target === description || !n) return;
      if (e.key === 'ArrowDown') { e.preventDefault(); if (list.hidden) show(true); setActive(active + 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); if (list.hidden) show(true); setActive(active < 0 ? n - 1 : active - 1); }
      else if (e.key === 'Enter' && active >= 0 && !list.hidden) { e.preventDefault(); open(active); }
    }
    subject.addEventListener('input', later);
    description.addEventListener('input', later);
    subject.addEventListener('keydown', keys);
    description.addEventListener('keydown', keys);
    list.addEventListener('keydown', keys);
    // A click anywhere on an option opens it, as its link does.
    list.addEventListener('click', function (e) {
      var opt = e.target.closest('[role=option]');
      if (!opt || e.target.closest('a')) return;
      var opts = options();
      for (var k = 0; k < opts.length; k++) if (opts[k] === opt) { setActive(k); open(k); }
    });
    list.addEventListener('focus', function () { if (active < 0 && options().length) setActive(0); });
  }

  // "Insert link" on the ticket page: the article's title and link go into the reply at the cursor
  // (delegated, so it survives a live refresh of the ticket); without the script the link reloads
  // the page with the reply box filled.
  function insertArticleLinks() {
    document.addEventListener('click', function (e) {
      var link = e.target && e.target.closest ? e.target.closest('a[data-insert]') : null;
      var box = document.getElementById('reply-body');
      if (!link || !box) return;
      e.preventDefault();
      var text = link.getAttribute('data-insert');
      var start = box.selectionStart, end = box.selectionEnd, v = box.value;
      var before = v.slice(0, start), after = v.slice(end);
      var piece = (before && !/\s$/.test(before) ? '\n' : '') + text + (after && !/^\s/.test(after) ? '\n' : '');
      box.value = before + piece + after;
      box.focus();
      box.selectionStart = box.selectionEnd = before.length + piece.length;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    insertArticleLinks();
    suggestions();
    followRollouts();
    tick();
    setInterval(tick, 1000);
    listen();
  });
})();
