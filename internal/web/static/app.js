// Ajudaê web UI: live updates. Pages mark the parts that follow the
// help-desk's events with data-live ("tickets" for the list, "ticket" with
// data-ticket-id for one ticket), data-live-url (what to fetch again) and
// data-live-after (the newest change when the page was rendered, so that
// the stream replays whatever happened before it opened).
//
// GET /events sends ticket.created, ticket.updated, ticket.redirected and
// message.added with data {type, ticketId, …}; a ticket.redirected with
// "gone": true tells that the ticket left the user's sight, and
// session.ended that the session is over (logout elsewhere). The page
// notes the last event it handled on <html data-live-seen>.
(function () {
  "use strict";

  var LIVE_HEADER = "X-Ajudae-Live"; // marks the refreshes of this file
  var source = null;
  var pending = null;
  var lastId = 0; // the newest event id seen, to resume from
  var retryDelay = 0;
  var stopped = false;
  var leaving = false; // a navigation (a plain form, a link) has begun

  function liveParts() {
    return document.querySelectorAll("[data-live]");
  }

  // busy reports whether the user has changed a field inside el: a
  // refresh then would lose it, so it waits for the next event.
  function busy(el) {
    var fields = el.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "hidden") {
        continue;
      }
      if (f.tagName === "SELECT") {
        // With no option marked selected, the first one is the default.
        var def = 0;
        for (var k = 0; k < f.options.length; k++) {
          if (f.options[k].defaultSelected) {
            def = k;
          }
        }
        if (f.options.length > 0 && f.selectedIndex !== def) {
          return true;
        }
      } else if (f.type === "checkbox" || f.type === "radio") {
        if (f.checked !== f.defaultChecked) {
          return true;
        }
      } else if (f.value !== f.defaultValue) {
        return true;
      }
    }
    return false;
  }

  function refresh(el) {
    if (!window.htmx || busy(el)) {
      return;
    }
    var url = el.getAttribute("data-live-url");
    if (!url) {
      return;
    }
    var headers = {};
    headers[LIVE_HEADER] = "true";
    // A ticket out of sight, or a session that ended, answers HX-Redirect
    // (to the list with a notice, or to the login page): htmx follows it.
    window.htmx.ajax("GET", url, { target: el, swap: "outerHTML", headers: headers });
  }

  // A refresh that comes back while the user is typing in the part, or
  // with an error, leaves the part as it is (the next event tries again):
  // an error page in place of the list would also end its live updates.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    if (!d.requestConfig || !d.requestConfig.headers || !d.requestConfig.headers[LIVE_HEADER]) {
      return;
    }
    if (d.xhr.status >= 400 || busy(d.target)) {
      d.shouldSwap = false;
    }
  });

  // showsTicket reports whether the page shows ticket id.
  function showsTicket(id) {
    var parts = liveParts();
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].getAttribute("data-live") === "ticket" && parts[i].getAttribute("data-ticket-id") === String(id)) {
        return true;
      }
    }
    return false;
  }

  function seen(id) {
    if (id > lastId) {
      lastId = id;
    }
  }

  function onEvent(e) {
    var data;
    try {
      data = JSON.parse(e.data || "{}");
    } catch (err) {
      return;
    }
    seen(Number(e.lastEventId) || 0);
    if (data.gone && showsTicket(data.ticketId)) {
      // The ticket went to a team the user is not in: its page would only
      // fail from now on (a reply typed here could not be sent either).
      stop();
      window.location.assign("/tickets?notice=moved");
      return;
    }
    // Coalesce bursts of events into one refresh.
    if (pending) {
      clearTimeout(pending.timer);
    }
    var ids = pending ? pending.ids : {};
    ids[String(data.ticketId)] = true;
    pending = {
      ids: ids,
      timer: setTimeout(function () {
        var p = pending;
        pending = null;
        liveParts().forEach(function (el) {
          var kind = el.getAttribute("data-live");
          if (kind === "tickets" || (kind === "ticket" && p.ids[el.getAttribute("data-ticket-id")])) {
            refresh(el);
          }
        });
        document.documentElement.setAttribute("data-live-seen", String(lastId));
      }, 300),
    };
  }

  // baseline is the oldest data-live-after of the page's parts.
  function baseline() {
    var min = 0;
    liveParts().forEach(function (el) {
      var n = Number(el.getAttribute("data-live-after")) || 0;
      if (n > 0 && (min === 0 || n < min)) {
        min = n;
      }
    });
    return min;
  }

  function stop() {
    stopped = true;
    if (source) {
      source.close();
      source = null;
    }
  }

  function connect() {
    if (stopped || source || !window.EventSource || liveParts().length === 0) {
      return;
    }
    // On its own reconnects the browser sends Last-Event-ID, which the
    // server prefers to this parameter.
    source = new EventSource(lastId > 0 ? "/events?lastEventId=" + lastId : "/events");
    ["ticket.created", "ticket.updated", "ticket.redirected", "message.added"].forEach(function (t) {
      source.addEventListener(t, onEvent);
    });
    source.addEventListener("session.ended", function () {
      // Loaded again, the page goes to the login page (and back here
      // after it); a newer session in the cookie shows the page anew. When
      // the user's own logout ended it, the browser is already on its way
      // (to the login page with its notice): a reload would cancel that.
      stop();
      if (!leaving) {
        window.location.reload();
      }
    });
    source.onopen = function () {
      retryDelay = 0;
    };
    source.onerror = function () {
      // CONNECTING: the stream broke and the browser reconnects by itself.
      // CLOSED: the server answered something else than a stream (a 401,
      // a 503 while shutting down): try again later, refreshing the parts
      // first, so that an ended session goes to the login page.
      if (!source || source.readyState !== EventSource.CLOSED) {
        return;
      }
      source.close();
      source = null;
      retryDelay = Math.min(retryDelay ? retryDelay * 2 : 3000, 60000);
      setTimeout(function () {
        liveParts().forEach(refresh);
        connect();
      }, retryDelay);
    };
  }

  // Pages are no-store, so the browser does not keep them in its
  // back-forward cache: once leaving, this page is gone.
  window.addEventListener("beforeunload", function () {
    leaving = true;
  });

  function start() {
    lastId = baseline();
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
