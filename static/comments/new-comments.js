// New comments while reading: asks the story's count endpoint (data-comments-count-url on the comments section)
// every data-comments-poll-seconds (30 by default), and when the count has grown past data-comments-count (what the
// page showed) says "N new comments — show" in a polite live region, never taking the focus. The answer is the same
// for every reader (sent without cookies, so the page cache and the proxy share it). Pauses while the tab is hidden,
// and waits longer after each failure. Without this script the page is the same, less the notice.
(function () {
  "use strict";

  var section = document.querySelector("[data-comments-count-url]");
  if (!section || !window.fetch) {
    return;
  }
  var countUrl = section.getAttribute("data-comments-count-url");
  var shown = parseInt(section.getAttribute("data-comments-count"), 10) || 0;
  var interval = Math.max(1, parseInt(section.getAttribute("data-comments-poll-seconds"), 10) || 30) * 1000;
  var longest = 10 * 60 * 1000;
  var delay = interval;
  var timer = null;

  // The live region is in the page from the start, empty, so its later text is announced.
  var notice = document.createElement("p");
  notice.className = "new-comments";
  notice.setAttribute("role", "status");
  notice.setAttribute("aria-live", "polite");
  var heading = section.querySelector("h2");
  section.insertBefore(notice, heading ? heading.nextSibling : section.firstChild);

  function say(count, newestUrl, newest) {
    var added = count - shown;
    var anchor = newest ? "#c" + newest : "#comments";
    var link = document.createElement("a");
    link.href = newestUrl || anchor;
    link.className = "new-comments-show";
    link.textContent = added + (added === 1 ? " new comment" : " new comments") + " — show";
    link.addEventListener("click", function (event) {
      event.preventDefault();
      open(link.href, anchor);
    });
    notice.replaceChildren(link);
  }

  // The permalink leads to the page of the thread that shows the comment; fetched first with cache "reload", so the
  // browser's own copy of that page (kept for a minute) is the fresh one when it is opened.
  function open(address, anchor) {
    window.fetch(address, { cache: "reload", credentials: "same-origin" }).then(
      function (response) {
        var target = new URL(response.url);
        target.hash = anchor;
        if (target.pathname + target.search === window.location.pathname + window.location.search) {
          window.history.replaceState(null, "", target.href);
          window.location.reload();
        } else {
          window.location.assign(target.href);
        }
      },
      function () {
        window.location.assign(address);
      }
    );
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = document.hidden ? null : window.setTimeout(poll, delay);
  }

  function poll() {
    // "no-cache": the browser asks each time (a 304 when nothing changed), as its copy may be younger than a new comment.
    window.fetch(countUrl, { credentials: "omit", cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (answer) {
        delay = interval;
        if (typeof answer.count === "number" && answer.count > shown) {
          say(answer.count, answer.newest_url, answer.newest);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, longest);
      })
      .then(schedule);
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
      timer = null;
    } else if (timer === null) {
      schedule();
    }
  });
  schedule();
})();
