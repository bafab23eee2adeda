/*
 * Cookie consent (docs/legal.md). Loaded only while a non-essential service is configured.
 * - The banner's form posts without a reload: "Reject" just closes it; "Accept" reloads the
 *   page, whose answer then carries the tags and a CSP that allows their hosts.
 * - "Cookie settings" in the footer opens the banner again (without JS it goes to /cookies).
 * - After an accept, starts the tags the page names in <meta name="hmb-analytics">.
 */
(function () {
  "use strict";

  var doc = document;
  var banner = doc.querySelector("[data-consent-banner]");

  function choose(form, submitter) {
    var body = new FormData(form, submitter);
    var choice = body.get("choice");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        form.submit();
        return;
      }
      if (choice === "accept") {
        window.location.reload();
      } else if (banner) {
        banner.hidden = true;
      }
    });
  }

  if (banner) {
    var form = banner.querySelector("[data-consent-form]");
    form.addEventListener("submit", function (evt) {
      evt.preventDefault();
      choose(form, evt.submitter);
    });
    doc.querySelectorAll("[data-consent-open]").forEach(function (link) {
      link.addEventListener("click", function (evt) {
        evt.preventDefault();
        banner.hidden = false;
        banner.querySelector("button").focus();
      });
    });
  }

  var analytics = doc.querySelector('meta[name="hmb-analytics"]');
  if (!analytics) {
    return;
  }
  var gaId = analytics.getAttribute("data-ga-id");
  if (gaId) {
    // gtag.js (loaded by the page) reads the commands queued here.
    window.dataLayer = window.dataLayer || [];
    window.gtag = function () {
      window.dataLayer.push(arguments);
    };
    window.gtag("js", new Date());
    window.gtag("config", gaId);
  }
  var posthogHost = analytics.getAttribute("data-posthog-host");
  var posthogKey = analytics.getAttribute("data-posthog-key");
  if (posthogHost && posthogKey) {
    var script = doc.createElement("script");
    script.src = posthogHost + "/static/array.js";
    script.async = true;
    script.addEventListener("load", function () {
      if (window.posthog) {
        window.posthog.init(posthogKey, { api_host: posthogHost });
      }
    });
    doc.head.appendChild(script);
  }
})();
