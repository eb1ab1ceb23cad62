// The moderation queue by keyboard (templates/admin/comments/articlecomment/change_list.html, the key list in its
// dialog). Each key only drives the admin's own action form and links, so without this script every decision is
// still there. A static file with no eval and no inline code: the admin's CSP is script-src 'self' + nonce.
(function () {
  "use strict";

  var REMEMBERED_ROW = "moderation-queue-row";
  var NEEDS_REASON = { remove: "Rejecting", ban: "Banning the author of" };

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  function isTyping(element) {
    if (!element) {
      return false;
    }
    if (element.isContentEditable) {
      return true;
    }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    return tag === "INPUT" && ["checkbox", "radio", "button", "submit", "reset"].indexOf(element.type) === -1;
  }

  ready(function () {
    var table = document.getElementById("result_list");
    var form = document.getElementById("changelist-form");
    var announcer = document.getElementById("queue-announcer");
    if (!table || !form || !announcer) {
      return; // not the queue's list (a comment's page, or no comments)
    }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var actionSelect = form.querySelector("select[name=action]");
    var reasonSelect = form.querySelector("select[name=reason]");
    var explanation = form.querySelector("input[name=explanation]");
    var go = form.querySelector("button[name=index]");
    var dialog = document.getElementById("queue-keys");
    var hint = document.querySelector(".queue-keys-hint");
    var search = document.getElementById("searchbar");
    var current = -1;
    var pending = ""; // the action waiting for its reason (or, to feature, its optional note)
    var beforeDialog = null;

    if (hint) {
      hint.hidden = false;
    }

    function say(text) {
      // Emptied first so that the same words twice are read twice.
      announcer.textContent = "";
      window.requestAnimationFrame(function () {
        announcer.textContent = text;
      });
    }

    function excerpt(row) {
      var cell = row.querySelector(".field-excerpt");
      return cell ? cell.textContent.trim() : "";
    }

    function choose(index) {
      if (!rows.length) {
        return;
      }
      index = Math.max(0, Math.min(rows.length - 1, index));
      if (current >= 0 && rows[current]) {
        rows[current].classList.remove("queue-current");
        rows[current].removeAttribute("aria-current");
      }
      current = index;
      var row = rows[current];
      row.classList.add("queue-current");
      row.setAttribute("aria-current", "true");
      var link = row.querySelector(".field-excerpt a") || row.querySelector("input.action-select");
      if (link) {
        link.focus();
      }
      row.scrollIntoView({ block: "nearest" });
      say("Comment " + (current + 1) + " of " + rows.length + ": " + excerpt(row));
    }

    function setChecked(box, checked) {
      if (box.checked !== checked) {
        box.checked = checked;
        // Django's actions.js keeps its row highlight and counter from this event.
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    function selectOnly(row) {
      rows.forEach(function (other) {
        var box = other.querySelector("input.action-select");
        if (box) {
          setChecked(box, other === row);
        }
      });
    }

    function currentRow() {
      if (current < 0) {
        say("Press j to choose a comment first.");
        return null;
      }
      return rows[current];
    }

    function run(action) {
      var row = currentRow();
      if (!row || !actionSelect || !go) {
        return;
      }
      selectOnly(row);
      actionSelect.value = action;
      window.sessionStorage.setItem(REMEMBERED_ROW, String(current));
      go.click();
    }

    function askReason(action) {
      var row = currentRow();
      if (!row || !reasonSelect) {
        return;
      }
      selectOnly(row);
      actionSelect.value = action;
      pending = action;
      window.sessionStorage.setItem(REMEMBERED_ROW, String(current));
      reasonSelect.focus();
      say(NEEDS_REASON[action] + " “" + excerpt(row) + "”: choose a reason, then press Enter. Escape cancels.");
    }

    function askNote() {
      var row = currentRow();
      if (!row || !explanation) {
        return;
      }
      selectOnly(row);
      actionSelect.value = "feature";
      pending = "feature";
      window.sessionStorage.setItem(REMEMBERED_ROW, String(current));
      explanation.focus();
      say("Featuring “" + excerpt(row) + "”: type a note for readers if you wish, then press Enter. Escape cancels.");
    }

    function sendPending() {
      if (pending === "feature") {
        actionSelect.value = pending;
        go.click();
        return;
      }
      if (!reasonSelect.value) {
        say("Choose a reason first: the author is told why.");
        return;
      }
      if (reasonSelect.value === "other" && explanation && !explanation.value.trim()) {
        explanation.focus();
        say("Explain the reason “Other”, then press Enter.");
        return;
      }
      actionSelect.value = pending;
      go.click();
    }

    function cancelPending() {
      pending = "";
      actionSelect.value = "";
      if (current >= 0) {
        selectOnly(null);
        choose(current);
      }
      say("Cancelled: nothing was changed.");
    }

    function showKeys() {
      if (!dialog || dialog.open) {
        return;
      }
      beforeDialog = document.activeElement;
      dialog.showModal();
    }

    if (dialog) {
      dialog.addEventListener("close", function () {
        if (beforeDialog && document.body.contains(beforeDialog)) {
          beforeDialog.focus();
        }
      });
    }

    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (dialog && dialog.open) {
        return; // the dialog closes itself on Escape
      }
      var target = event.target;
      if (pending && event.key === "Escape") {
        event.preventDefault();
        cancelPending();
        return;
      }
      if (pending && (target === reasonSelect || target === explanation) && event.key === "Enter") {
        event.preventDefault();
        sendPending();
        return;
      }
      if (isTyping(target)) {
        return;
      }
      var keys = {
        j: function () { choose(current + 1); },
        k: function () { choose(current < 0 ? 0 : current - 1); },
        a: function () { run("approve"); },
        s: function () { run("mark_spam"); },
        f: askNote,
        r: function () { askReason("remove"); },
        b: function () { askReason("ban"); },
        z: function () {
          var row = currentRow();
          var review = row && row.querySelector("a.queue-review");
          if (review) {
            window.location.assign(review.href);
          }
        },
        "/": function () {
          if (search) {
            search.focus();
          }
        },
        "?": showKeys,
      };
      var handler = keys[event.key];
      if (handler) {
        event.preventDefault();
        handler();
      }
    });

    // After a decision the page comes back with the admin's messages: read them out, and stay where we were.
    var remembered = window.sessionStorage.getItem(REMEMBERED_ROW);
    window.sessionStorage.removeItem(REMEMBERED_ROW);
    var results = Array.prototype.map
      .call(document.querySelectorAll(".messagelist li"), function (item) {
        return item.textContent.trim();
      })
      .join(" ");
    if (remembered !== null && rows.length) {
      choose(parseInt(remembered, 10) || 0);
    }
    if (results) {
      say(results);
    }
  });
})();
