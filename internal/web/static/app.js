// Ajudaê web UI: live updates. Pages mark the parts that follow the
// help-desk's events with data-live ("tickets" for the list, "ticket" with
// data-ticket-id for one ticket) and data-live-url (what to fetch again).
// When /events is not there (404) or refuses us, EventSource gives up on
// its own and nothing else happens.
(function () {
  "use strict";

  var source = null;
  var pending = null;

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
    window.htmx.ajax("GET", url, { target: el, swap: "outerHTML" });
  }

  function onEvent(e) {
    var data = {};
    try {
      data = JSON.parse(e.data || "{}");
    } catch (err) {
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
      }, 300),
    };
  }

  function connect() {
    if (source || !window.EventSource || liveParts().length === 0) {
      return;
    }
    source = new EventSource("/events");
    ["ticket.created", "ticket.updated", "ticket.redirected", "message.added"].forEach(function (t) {
      source.addEventListener(t, onEvent);
    });
    source.onerror = function () {
      // CLOSED means the server answered something else than a stream
      // (no /events yet, or a 401): stop for good on this page.
      if (source && source.readyState === EventSource.CLOSED) {
        source = null;
      }
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
})();
