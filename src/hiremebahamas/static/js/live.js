/*
 * Live updates for signed-in pages: one WebSocket to /ws (session cookie), reconnecting with
 * exponential backoff and catching up through the REST API after each reconnect.
 *
 * - Nav badges ([data-live-badge]) refresh from /api/notifications/counts.
 * - Lists marked [data-live-list="/url"] (inbox, notifications) re-fetch that HTML partial
 *   when one of the event types in their data-live-on arrives.
 * - A conversation ([data-conversation]) appends new messages, shows "typing…" and "Seen",
 *   marks messages read while the page is visible, and sends without reloading (with an
 *   Idempotency-Key, so a retried send is never a second message).
 * ES2017, no dependencies, no inline handlers (strict CSP). Loaded with `defer`.
 */
(function () {
  "use strict";

  var doc = document;
  var PING_TIMEOUT_MS = 60000; // the server pings every 25 s
  var MAX_BACKOFF_MS = 30000;
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 6000;

  var socket = null;
  var attempts = 0;
  var connectedOnce = false;
  var stopped = false;
  var watchdog = null;
  var conversation = null;

  function csrfToken() {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function randomKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function api(method, url, body, headers) {
    var options = { method: method, credentials: "same-origin", headers: headers || {} };
    if (method !== "GET") options.headers["X-CSRF-Token"] = csrfToken();
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options);
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // ---- badges and lists -------------------------------------------------

  function setBadge(kind, count) {
    var badges = doc.querySelectorAll('[data-live-badge="' + kind + '"]');
    Array.prototype.forEach.call(badges, function (badge) {
      var number = badge.querySelector("[data-live-count]");
      if (number) number.textContent = String(count);
      badge.hidden = !count;
    });
  }

  var refreshBadges = debounce(function () {
    api("GET", "/api/notifications/counts").then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (counts) {
      if (!counts) return;
      setBadge("notifications", counts.notifications);
      setBadge("conversations", counts.conversations);
    }).catch(function () { /* offline: the next event or reconnect refreshes */ });
  }, 200);

  function refreshList(list) {
    fetch(list.getAttribute("data-live-list"), { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html === null) return;
      // Our own server-rendered, escaped partial (same origin): safe to swap in.
      var template = doc.createElement("template");
      template.innerHTML = html;
      list.replaceChildren(template.content);
    }).catch(function () { /* refreshed on the next event */ });
  }

  var refreshLists = {};
  function refreshListsFor(type) {
    var lists = doc.querySelectorAll("[data-live-list]");
    Array.prototype.forEach.call(lists, function (list) {
      var on = (list.getAttribute("data-live-on") || "").split(" ");
      if (type !== "*" && on.indexOf(type) === -1) return;
      var key = list.getAttribute("data-live-list");
      if (!refreshLists[key]) refreshLists[key] = debounce(function () { refreshList(list); }, 150);
      refreshLists[key]();
    });
  }

  // ---- a conversation ---------------------------------------------------

  function Conversation(root) {
    this.root = root;
    this.id = root.getAttribute("data-conversation");
    this.me = root.getAttribute("data-me");
    this.list = root.querySelector("[data-message-list]");
    this.typing = root.querySelector("[data-typing]");
    this.form = root.querySelector("[data-message-form]");
    this.lastCursor = root.getAttribute("data-last-cursor") || "";
    this.typingTimer = null;
    this.lastTypingSent = 0;
    this.unreadPending = false;
    if (this.form) this.bindForm();
  }

  Conversation.prototype.has = function (id) {
    return !!this.list.querySelector('[data-message-id="' + id + '"]');
  };

  Conversation.prototype.append = function (message) {
    if (this.has(message.id)) return false;
    var mine = message.sender.id === this.me;
    var item = doc.createElement("li");
    item.className = "message" + (mine ? " message--mine" : "");
    item.id = "message-" + message.id;
    item.setAttribute("data-message-id", message.id);
    item.setAttribute("data-mine", mine ? "true" : "false");
    var meta = doc.createElement("p");
    meta.className = "message-meta small muted";
    var when = new Date(message.created_at);
    meta.textContent = (mine ? "You" : message.sender.first_name) + " · " +
      when.toLocaleString([], { month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    var body = doc.createElement("p");
    body.className = "message-body";
    body.textContent = message.body; // text, never HTML
    item.appendChild(meta);
    item.appendChild(body);
    this.list.appendChild(item);
    var empty = this.root.querySelector("[data-empty]");
    if (empty) empty.remove();
    if (message.cursor) this.lastCursor = message.cursor;
    if (!mine) {
      this.showTyping(null);
      this.markReadSoon();
    }
    return true;
  };

  Conversation.prototype.markReadSoon = function () {
    if (doc.visibilityState !== "visible") {
      this.unreadPending = true;
      return;
    }
    this.unreadPending = false;
    api("POST", "/api/conversations/" + this.id + "/read", {}).then(refreshBadges).catch(function () {});
  };

  Conversation.prototype.showSeen = function (messageId) {
    var upTo = this.list.querySelector('[data-message-id="' + messageId + '"]');
    if (!upTo) return;
    var items = Array.prototype.slice.call(this.list.children);
    var lastMine = null;
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-mine") === "true") lastMine = items[i];
      if (items[i] === upTo) break;
    }
    if (!lastMine) return;
    var seen = this.list.querySelector("[data-seen]");
    if (!seen) {
      seen = doc.createElement("p");
      seen.className = "message-seen small muted";
      seen.setAttribute("data-seen", "");
      seen.textContent = "Seen";
    }
    lastMine.appendChild(seen);
  };

  Conversation.prototype.showTyping = function (name) {
    if (!this.typing) return;
    clearTimeout(this.typingTimer);
    this.typing.textContent = name ? name + " is typing…" : "";
    if (name) {
      var self = this;
      this.typingTimer = setTimeout(function () { self.typing.textContent = ""; }, TYPING_SHOWN_MS);
    }
  };

  Conversation.prototype.catchUp = function () {
    var self = this;
    if (!this.lastCursor) {
      return;
    }
    var url = "/api/conversations/" + this.id + "/messages?limit=100&after=" + encodeURIComponent(this.lastCursor);
    api("GET", url).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (page) {
      if (!page) return;
      page.items.forEach(function (message) { self.append(message); });
      if (page.other_last_read_message_id) self.showSeen(page.other_last_read_message_id);
      if (page.next_cursor) self.catchUp();
    }).catch(function () {});
  };

  // The Upgrade button of a 402 answer, under its message: the checkout form the pages use.
  function showUpgrade(problem, tier) {
    if (problem.parentNode.querySelector("[data-send-upgrade]")) return;
    var name = tier.charAt(0).toUpperCase() + tier.slice(1);
    var upgrade = document.createElement("form");
    upgrade.method = "post";
    upgrade.action = "/billing/checkout";
    upgrade.setAttribute("data-send-upgrade", "");
    [["csrf_token", csrfToken()], ["tier", tier], ["interval", "month"]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      upgrade.appendChild(input);
    });
    var button = document.createElement("button");
    button.type = "submit";
    button.className = "btn btn-primary btn-sm";
    button.textContent = "Upgrade to " + name;
    upgrade.appendChild(button);
    problem.closest("form").insertAdjacentElement("afterend", upgrade);
  }

  Conversation.prototype.bindForm = function () {
    var self = this;
    var form = this.form;
    var textarea = form.querySelector("textarea");
    var key = form.querySelector("[data-client-id]");
    var problem = form.querySelector("[data-send-error]");
    var button = form.querySelector('button[type="submit"]');
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - self.lastTypingSent < TYPING_EVERY_MS) return;
      self.lastTypingSent = now;
      send({ type: "typing", data: { conversation_id: self.id } });
    });
    textarea.addEventListener("keydown", function (evt) {
      if (evt.key === "Enter" && !evt.shiftKey && !evt.isComposing) {
        evt.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", function (evt) {
      if (!textarea.value.trim()) return; // let the server say what is missing
      evt.preventDefault();
      button.disabled = true;
      problem.hidden = true;
      // The same key for every retry of this message: the server stores it once.
      var headers = { "Idempotency-Key": key.value };
      api("POST", "/api/conversations/" + self.id + "/messages", { body: textarea.value }, headers)
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, status: response.status, data: data };
          });
        })
        .then(function (answer) {
          if (!answer.ok) {
            // The typed text stays in the box; a plan's limit comes with the way past it.
            var error = answer.data.error || {};
            problem.textContent = error.message || "Your message was not sent.";
            problem.hidden = false;
            if (answer.status === 402) showUpgrade(problem, error.required_tier || "pro");
            return;
          }
          self.append(answer.data.message);
          textarea.value = "";
          key.value = randomKey();
        })
        .catch(function () {
          problem.textContent = "Your message was not sent: check your connection and press Send again.";
          problem.hidden = false;
        })
        .then(function () {
          button.disabled = false;
          textarea.focus();
        });
    });
  };

  // ---- events -------------------------------------------------------------

  function handle(event) {
    var data = event.data || {};
    switch (event.type) {
      case "message.created":
        if (conversation && data.message && data.message.conversation_id === conversation.id) {
          conversation.append(data.message);
        }
        refreshBadges();
        refreshListsFor("message.created");
        break;
      case "read":
        if (conversation && data.conversation_id === conversation.id && data.reader && data.reader.id !== conversation.me) {
          conversation.showSeen(data.last_read_message_id);
        }
        refreshBadges();
        refreshListsFor("read");
        break;
      case "typing":
        if (conversation && data.conversation_id === conversation.id && data.user) {
          conversation.showTyping(data.user.first_name);
        }
        break;
      case "notification.created":
      case "notification.read":
        refreshBadges();
        refreshListsFor(event.type);
        break;
      case "resync":
        catchUp();
        break;
      default:
        break; // hello, ping, pong, and types this page does not know yet
    }
  }

  function catchUp() {
    refreshBadges();
    refreshListsFor("*");
    if (conversation) conversation.catchUp();
  }

  function send(event) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event));
  }

  function armWatchdog() {
    clearTimeout(watchdog);
    watchdog = setTimeout(function () {
      if (socket) socket.close(); // silent too long: reconnect
    }, PING_TIMEOUT_MS);
  }

  function connect() {
    if (stopped) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws");
    socket.addEventListener("open", function () {
      attempts = 0;
      armWatchdog();
      if (connectedOnce) catchUp(); // anything sent while we were away
      connectedOnce = true;
    });
    socket.addEventListener("message", function (evt) {
      armWatchdog();
      try {
        handle(JSON.parse(evt.data));
      } catch (error) {
        /* a malformed frame is dropped */
      }
    });
    socket.addEventListener("close", function (evt) {
      clearTimeout(watchdog);
      socket = null;
      if (evt.code === 4401 || stopped) return; // signed out: a reload will show the login
      attempts += 1;
      var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      setTimeout(connect, delay);
    });
  }

  function init() {
    var root = doc.querySelector("[data-conversation]");
    if (root) conversation = new Conversation(root);
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "visible" && conversation && conversation.unreadPending) {
        conversation.markReadSoon();
      }
    });
    window.addEventListener("pagehide", function () {
      stopped = true;
      if (socket) socket.close(1000);
    });
    window.addEventListener("pageshow", function (evt) {
      if (!evt.persisted) return; // back from the page cache: reconnect and catch up
      stopped = false;
      connectedOnce = true;
      connect();
    });
    if ("WebSocket" in window) connect();
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
