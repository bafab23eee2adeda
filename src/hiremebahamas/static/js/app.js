/*
 * HireMeBahamas front-end glue. ES2017, no dependencies, no inline handlers
 * (strict CSP). Loaded with `defer`.
 */
(function () {
  "use strict";

  var doc = document;

  function csrfToken() {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // (a) Send the CSRF token with every htmx request.
  // (htmx 2 only sends requests to our own origin: selfRequestsOnly.)
  doc.addEventListener("htmx:configRequest", function (evt) {
    var token = csrfToken();
    if (token && evt.detail && evt.detail.headers) {
      evt.detail.headers["X-CSRF-Token"] = token;
    }
  });

  // Error answers to htmx requests carry HX-Retarget (the page's alert area): show them
  // instead of dropping them, which is what htmx does with non-2xx responses by default.
  doc.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Retarget")) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // (b) Collapsible nav on small screens.
  function initNav() {
    var toggle = doc.querySelector("[data-nav-toggle]");
    var nav = doc.getElementById("site-nav");
    if (!toggle || !nav) return;

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-open", open);
    }

    setOpen(false);
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    doc.addEventListener("keydown", function (evt) {
      if (evt.key === "Escape" && nav.classList.contains("is-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // (c) <form data-confirm="Delete this job?"> (or on its submit button)
  // asks before submitting. Capture phase so it runs before htmx's handler.
  doc.addEventListener(
    "submit",
    function (evt) {
      var form = evt.target;
      if (!(form instanceof HTMLFormElement)) return;
      var source = null;
      if (evt.submitter && evt.submitter.hasAttribute("data-confirm")) {
        source = evt.submitter;
      } else if (form.hasAttribute("data-confirm")) {
        source = form;
      }
      if (!source) return;
      var message = source.getAttribute("data-confirm") || "Are you sure?";
      if (!window.confirm(message)) {
        evt.preventDefault();
        evt.stopImmediatePropagation();
      }
    },
    true
  );

  // (d) <div data-view-beacon="/api/jobs/<id>/views"> tells the server the page was seen
  // (the employer's statistics), even when a cache served the page itself.
  function sendBeacons() {
    doc.querySelectorAll("[data-view-beacon]").forEach(function (el) {
      var headers = {};
      var token = csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
      fetch(el.getAttribute("data-view-beacon"), {
        method: "POST",
        credentials: "same-origin",
        keepalive: true,
        headers: headers,
      }).catch(function () {});
    });
  }

  // (e) <form method="get" data-drop-empty> leaves its empty fields (and those still at their
  // data-default) out of the URL. The server redirects to the same URL when JavaScript is off.
  doc.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-drop-empty")) return;
    var dropped = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      var fallback = el.getAttribute("data-default");
      if (el.value === "" || (fallback !== null && el.value === fallback)) {
        el.disabled = true;
        dropped.push(el);
      }
    });
    // Back to the page (bfcache) finds the fields usable again.
    window.setTimeout(function () {
      dropped.forEach(function (el) { el.disabled = false; });
    }, 0);
  });

  // (f) <details data-open-on-wide> starts open on wide screens (the filters beside the
  // results) and closed on phones, so the first result is on the first screen.
  function openOnWide() {
    if (!window.matchMedia("(min-width: 60em)").matches) return;
    doc.querySelectorAll("details[data-open-on-wide]").forEach(function (el) {
      el.open = true;
    });
  }

  // (g) <input type="file" data-max-bytes="5242880"> refuses a file over the limit at once,
  // instead of after a long upload: the choice is cleared and the field says why.
  function sizeLabel(bytes) {
    var mb = bytes / (1024 * 1024);
    return (mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10) + " MB";
  }

  doc.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
    var max = parseInt(input.getAttribute("data-max-bytes") || "", 10);
    if (!max) return;
    var id = input.id + "-size-error";
    var shown = doc.getElementById(id);
    var big = Array.prototype.filter.call(input.files || [], function (file) {
      return file.size > max;
    })[0];
    if (!big) {
      if (shown) shown.remove();
      input.removeAttribute("aria-invalid");
      return;
    }
    if (!shown) {
      shown = doc.createElement("p");
      shown.id = id;
      shown.className = "field-error";
      shown.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", shown);
    }
    shown.textContent = "“" + big.name + "” is " + sizeLabel(big.size) +
      ": files can be at most " + sizeLabel(max) + ". Choose a smaller one.";
    input.value = "";
    input.setAttribute("aria-invalid", "true");
  });

  function init() {
    initNav();
    openOnWide();
    sendBeacons();
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
