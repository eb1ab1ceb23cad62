// Names for the story form's inputs that the admin's third-party widgets leave without one (axe's
// aria-input-field-name and label rules): the body's editor (django-prose-editor's contenteditable), the date and
// time halves of a split date-time field (Django renders the field's name as a legend, the halves unlabelled), and
// select2's search boxes (the byline, section and tags autocompletes), and select2's "remove all" cross, drawn inside
// its list of choices. The widgets work the same without it.
(function () {
  "use strict";

  function labelText(row) {
    var label = row && row.querySelector("label, legend");
    return label ? label.textContent.replace(/[:*]\s*$/, "").trim() : "";
  }

  function name(element, text) {
    if (text && !element.hasAttribute("aria-label") && !element.hasAttribute("aria-labelledby")) {
      element.setAttribute("aria-label", text);
    }
  }

  function nameAll() {
    document.querySelectorAll(".form-row [contenteditable=true]").forEach(function (editor) {
      name(editor, labelText(editor.closest(".form-row")));
    });
    document.querySelectorAll("p.datetime").forEach(function (pair) {
      var field = labelText(pair.closest(".form-row"));
      var inputs = pair.querySelectorAll("input");
      if (inputs.length === 2) {
        name(inputs[0], field + ": date");
        name(inputs[1], field + ": time");
      }
    });
    // select2 draws its mouse-only "remove all" cross inside the list of choices: make it one of the list's items.
    document.querySelectorAll("ul > .select2-selection__clear:not([role])").forEach(function (clear) {
      clear.setAttribute("role", "listitem");
    });
    document.querySelectorAll(".select2-search__field").forEach(function (search) {
      name(search, "Search " + labelText(search.closest(".form-row")).toLowerCase());
    });
  }

  function ready(fn) {
    if (document.readyState !== "loading") {
      fn();
    } else {
      document.addEventListener("DOMContentLoaded", fn);
    }
  }

  ready(function () {
    var form = document.getElementById("article_form");
    if (!form) {
      return;
    }
    nameAll();
    // The editor and select2 draw their elements after the page loads, and select2 draws its search box again.
    new MutationObserver(nameAll).observe(form, { childList: true, subtree: true });
  });
})();
