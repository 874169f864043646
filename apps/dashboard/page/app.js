// The dashboard page: one WebSocket to /ws (relative to this page, so it
// also works behind a path prefix), a message per fetch of the counting
// service, reconnecting by itself with a short back-off.
(function () {
  'use strict';

  var statusEl = document.getElementById('connection-status');
  var countEl = document.getElementById('count');
  var hostnameEl = document.getElementById('hostname');
  var retryMs = 250;

  function setStatus(text, good) {
    statusEl.textContent = text;
    statusEl.classList.toggle('connected', good);
  }

  function socketUrl() {
    var url = new URL('ws', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.href;
  }

  function connect() {
    var socket = new WebSocket(socketUrl());

    socket.onopen = function () {
      retryMs = 250;
      setStatus('Connected', true);
    };

    socket.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (message.count < 0) {
        setStatus('Counting Service is Unreachable', false);
      } else {
        setStatus('Connected', true);
      }
      // As the original: -1 and [Unreachable] are shown as they are.
      countEl.textContent = Number(message.count).toLocaleString();
      hostnameEl.textContent = message.hostname;
      hostnameEl.title = message.message || '';
    };

    socket.onclose = function () {
      setStatus('Disconnected', false);
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 2000);
    };
  }

  connect();
})();
