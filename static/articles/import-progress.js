// A source's page follows an import while it runs: every 2 s it asks the server for the "Latest imports" panel
// (SourceAdmin's imports view, ?fragment) and puts it in place of the old one, until no import is under way. The
// sentence in the live region (role=status) changes only when the import's state does, so a screen reader hears
// each step once. Without JavaScript the panel offers a link to a page that refreshes itself.
(function () {
  "use strict";

  var EVERY_MS = 2000;

  function follow(panel) {
    var status = document.querySelector("[data-import-status]");
    var url = panel.getAttribute("data-url");

    function following() {
      var runs = panel.querySelector("[data-import-runs]");
      return runs !== null && runs.hasAttribute("data-following");
    }

    function update(html) {
      var holder = document.createElement("template");
      holder.innerHTML = html;
      var runs = holder.content.querySelector("[data-import-runs]");
      if (!runs) {
        return false;
      }
      panel.replaceChildren(runs);
      var sentence = runs.getAttribute("data-status") || "";
      if (status && status.textContent.trim() !== sentence) {
        status.textContent = sentence;
      }
      return true;
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          if (update(html) && following()) {
            window.setTimeout(poll, EVERY_MS);
          }
        })
        .catch(function () {
          // Signed out or the network gone: stop, the Refresh link is still there.
        });
    }

    if (following()) {
      window.setTimeout(poll, EVERY_MS);
    }
  }

  function start() {
    document.querySelectorAll("[data-import-panel]").forEach(follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
