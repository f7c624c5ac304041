// Indaba live updates: the page works without this script; with it, new comments
// appear without a reload, and the header's unread count follows new notifications. WebSocket first, resuming with ?since= after a drop;
// long-polling when WebSockets are unavailable. New items are announced politely.
(function () {
  "use strict";
  // After posting, the page opens at the new comment: focus it, so that a keyboard or
  // screen reader goes on from there.
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.classList.contains("comment")) target.focus();
  var live = document.getElementById("live");
  if (!live) return;
  var channel = live.getAttribute("data-channel");
  var since = parseInt(live.getAttribute("data-since"), 10) || 0;
  var focus = live.getAttribute("data-focus"); // "*" whole text, "" general, key, "*session"
  var announceTpl = live.getAttribute("data-announce") || "{name}";
  var thread = document.getElementById("thread");
  var template = document.getElementById("comment-template");
  var groups = {};
  try { groups = JSON.parse(document.getElementById("group-names").textContent) || {}; } catch (e) { groups = {}; }
  var wsFailures = 0;
  var socket = null;

  function announce(text) {
    // Replacing the text makes screen readers read it once, politely.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  // "N comments" in the page's language: the form rendered for a sample number of the
  // same plural category.
  var countForms = {};
  try { countForms = JSON.parse(document.getElementById("count-forms").textContent) || {}; } catch (e) { countForms = {}; }
  function countText(n) {
    if (!window.Intl || !Intl.PluralRules) return null;
    var rules = new Intl.PluralRules(document.documentElement.lang || "en");
    var category = rules.select(n);
    var samples = Object.keys(countForms);
    for (var i = 0; i < samples.length; i++) {
      if (rules.select(parseInt(samples[i], 10)) === category) return countForms[samples[i]].replace("{n}", String(n));
    }
    return null;
  }

  function belongsHere(c) {
    if (focus === "*session") return true;
    if (focus === "*") return false;
    return (c.paragraph_key || "") === focus;
  }

  function addComment(c) {
    if (!c || document.getElementById("c-" + c.id)) return; // already on the page
    var name = (c.author && c.author.display_name) || "";
    if (focus === "*") {
      var count = document.querySelector('.count[data-key="' + (window.CSS && CSS.escape ? CSS.escape(c.paragraph_key || "") : c.paragraph_key) + '"]');
      if (count) {
        count.classList.add("fresh");
        var n = (parseInt(count.getAttribute("data-count"), 10) || 0) + 1;
        count.setAttribute("data-count", String(n));
        var text = countText(n);
        if (text) count.textContent = text;
      }
      announce(announceTpl.replace("{name}", name));
      return;
    }
    if (!belongsHere(c) || !thread || !template) return;
    if (focus !== "*session") { addCard(c); return; }
    var li = template.content.firstElementChild.cloneNode(true);
    li.id = "c-" + c.id;
    li.setAttribute("data-id", String(c.id));
    li.querySelector(".name").textContent = name;
    var group = c.author && c.author.stakeholder_group;
    li.querySelector(".group").textContent = groups[group] || "";
    var body = li.querySelector(".body");
    body.textContent = c.body || "";
    if (c.language) body.setAttribute("lang", c.language);
    thread.appendChild(li);
    var empty = document.getElementById("no-comments");
    if (empty) empty.remove();
    announce(announceTpl.replace("{name}", name));
  }

  function depthOf(el) {
    var m = /depth-(\d)/.exec(el.className);
    return m ? parseInt(m[1], 10) : 0;
  }

  // The server renders the card with the page's own template (GET /comments/{id}/card):
  // date, organisation, group and the Endorse / Reply / Report forms, as a reload would.
  function addCard(c) {
    fetch("/comments/" + c.id + "/card", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        if (document.getElementById("c-" + c.id)) return;
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var li = holder.content.firstElementChild;
        if (!li) return;
        li.classList.add("fresh");
        var parent = c.parent_id ? document.getElementById("c-" + c.parent_id) : null;
        if (parent && parent.parentNode === thread) {
          // A reply goes under its parent, after the replies already there.
          var depth = Math.min(depthOf(parent) + 1, 3);
          li.className = li.className.replace(/depth-\d/, "depth-" + depth);
          var after = parent;
          while (after.nextElementSibling && depthOf(after.nextElementSibling) > depthOf(parent)) {
            after = after.nextElementSibling;
          }
          thread.insertBefore(li, after.nextElementSibling);
        } else {
          thread.appendChild(li);
        }
        var empty = document.getElementById("no-comments");
        if (empty) empty.remove();
        var who = li.querySelector(".who bdi");
        announce(announceTpl.replace("{name}", who ? who.textContent : ""));
      })
      .catch(function () { /* a reload shows it */ });
  }

  function handle(event) {
    if (!event || typeof event.seq !== "number") return;
    if (event.seq <= since) return;
    since = event.seq;
    if (event.type === "comment.created") addComment(event.data);
    if (ROOM_EVENTS.indexOf(event.type) >= 0) refreshRoom();
  }

  // The session room (queue, floor, questions' votes, segments) is read again from the
  // page itself: one fetch per burst of events (at most one every two seconds, so that a
  // thousand listeners do not reload the page at the rate of the votes), and never
  // while a control in it has the focus (the next event or a reload brings it). New
  // comments arrive in the thread; a new question joins the ranked list at the next
  // vote or reload.
  var ROOM_EVENTS = ["queue.updated", "question.upvoted", "session.updated"];
  var roomTimer = null;
  function refreshRoom() {
    var room = document.getElementById("room");
    if (!room || roomTimer) return;
    roomTimer = setTimeout(function () {
      roomTimer = null;
      if (room.contains(document.activeElement)) return;
      fetch(location.pathname + location.search, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("room");
          if (fresh && !room.contains(document.activeElement)) room.innerHTML = fresh.innerHTML;
        })
        .catch(function () { /* a reload shows it */ });
    }, 2000);
  }

  function handleFrame(text) {
    var parsed;
    try { parsed = JSON.parse(text); } catch (e) { return; }
    if (Array.isArray(parsed)) parsed.forEach(handle); else handle(parsed);
  }

  function poll() {
    var url = channel + "/events?since=" + since + "&wait=25";
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (body) {
        (body.items || []).forEach(handle);
        if (typeof body.next_since === "number" && body.next_since > since) since = body.next_since;
        window.setTimeout(poll, 200);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  function connect() {
    if (!("WebSocket" in window) || wsFailures >= 3) { poll(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    socket = new WebSocket(scheme + location.host + channel + "?since=" + since);
    socket.onopen = function () { opened = true; wsFailures = 0; };
    socket.onmessage = function (m) { if (typeof m.data === "string") handleFrame(m.data); };
    socket.onclose = function (e) {
      socket = null;
      if (e && e.code === 4001) {
        // The session's token ran out (or a privilege ended): renew the session cookie,
        // then resume from the last seq seen.
        fetch("/session", { credentials: "same-origin", cache: "no-store" })
          .then(connect, connect);
        return;
      }
      if (!opened) wsFailures += 1;
      // Back off a little, then resume from the last seq seen: nothing is missed.
      window.setTimeout(connect, opened ? 1000 : 2000 * wsFailures);
    };
  }

  window.addEventListener("pagehide", function () { if (socket) socket.close(1000); });
  connect();
})();

// The header's count of unread notifications, from the signed-in user's own channel
// (the pages' cookie authenticates it). Without this script the count is the one the
// page was rendered with.
(function () {
  "use strict";
  var link = document.getElementById("notif-link");
  if (!link || !("WebSocket" in window)) return;
  var unreadLabel = link.getAttribute("data-unread-label") || "";
  var since = null;
  var failures = 0;

  function show(n) {
    var badge = document.getElementById("notif-unread-count");
    if (!(n > 0)) { if (badge) badge.remove(); return; }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "badge";
      badge.id = "notif-unread-count";
      link.appendChild(document.createTextNode(" "));
      link.appendChild(badge);
    }
    badge.textContent = String(n);
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = " " + unreadLabel;
    badge.appendChild(hidden);
  }

  function handle(event) {
    if (!event || typeof event.seq !== "number") return;
    if (since !== null && event.seq <= since) return;
    since = event.seq;
    if (event.data && typeof event.data.unread_count === "number") show(event.data.unread_count);
  }

  function connect() {
    if (failures >= 3) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    var url = scheme + location.host + "/api/v1/live/me" + (since === null ? "" : "?since=" + since);
    var socket = new WebSocket(url);
    socket.onopen = function () { opened = true; failures = 0; };
    socket.onmessage = function (m) {
      if (typeof m.data !== "string") return;
      var parsed;
      try { parsed = JSON.parse(m.data); } catch (e) { return; }
      if (Array.isArray(parsed)) parsed.forEach(handle); else handle(parsed);
    };
    socket.onclose = function (e) {
      if (e && e.code === 4001) {
        fetch("/session", { credentials: "same-origin", cache: "no-store" }).then(connect, connect);
        return;
      }
      if (!opened) failures += 1;
      window.setTimeout(connect, opened ? 1000 : 2000 * failures);
    };
    window.addEventListener("pagehide", function () { socket.close(1000); });
  }
  connect();
})();
