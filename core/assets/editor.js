// Beffroi's editing pages, improved: every page works without this file.
// - A small rich-text editor over each `textarea.richtext`: a contenteditable
//   area with bold, italic, headings, lists, link and undo buttons, written
//   back into the textarea when the form is sent (the core sanitises it).
// - "Select all" in folder contents ticks the boxes in place.
// - datetime-local inputs whose stored value had no offset get the browser's.
(function () {
  "use strict";

  function label(textarea) {
    var l = document.querySelector('label[for="' + textarea.id + '"]');
    return l ? l.textContent.trim() : "";
  }

  // The labels come translated from the page (Fluent), on #rich-editor-labels.
  var labels = document.getElementById("rich-editor-labels");
  var w = labels ? labels.dataset : {};

  function richEditor(textarea) {
    var wrap = document.createElement("div");
    wrap.className = "rich-editor";
    var bar = document.createElement("div");
    bar.className = "rich-buttons";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", (w.tools || "") + " — " + label(textarea));
    var area = document.createElement("div");
    area.className = "rich-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", label(textarea));
    if (textarea.getAttribute("aria-describedby")) {
      area.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    area.innerHTML = textarea.value;
    var buttons = [
      ["bold", "bold", null, "B"], ["italic", "italic", null, "I"],
      ["h2", "formatBlock", "h2", "H2"], ["h3", "formatBlock", "h3", "H3"],
      ["ul", "insertUnorderedList", null, "•"], ["ol", "insertOrderedList", null, "1."],
      ["link", "createLink", null, "🔗"], ["unlink", "unlink", null, "⛓"],
      ["undo", "undo", null, "↶"], ["redo", "redo", null, "↷"]
    ];
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b[3];
      // The accessible name holds the visible text (WCAG 2.5.3), so
      // "click H2" works for voice users too.
      var name = w[b[0]] || b[0];
      btn.title = name;
      var spoken = b[3].length > 1 && /[A-Za-z0-9]/.test(b[3]);
      btn.setAttribute("aria-label", spoken ? b[3] + " " + name : name);
      btn.addEventListener("click", function () {
        area.focus();
        if (b[1] === "createLink") {
          var url = window.prompt(w.url || "URL", "https://");
          if (url && /^(https?:|mailto:|\/)/.test(url)) {
            document.execCommand("createLink", false, url);
          }
        } else {
          document.execCommand(b[1], false, b[2]);
        }
        textarea.value = area.innerHTML;
      });
      bar.appendChild(btn);
    });
    area.addEventListener("input", function () { textarea.value = area.innerHTML; });
    wrap.appendChild(bar);
    wrap.appendChild(area);
    textarea.parentNode.insertBefore(wrap, textarea);
    textarea.hidden = true;
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () { textarea.value = area.innerHTML; });
    }
    var l = document.querySelector('label[for="' + textarea.id + '"]');
    if (l) {
      l.addEventListener("click", function (e) { e.preventDefault(); area.focus(); });
    }
  }

  function ready() {
    // After a failed save, the error summary takes the focus, so a screen
    // reader reads it first and its links lead to each field.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }

    Array.prototype.forEach.call(document.querySelectorAll("textarea.richtext"), richEditor);

    var offset = -new Date().getTimezoneOffset();
    var sign = offset >= 0 ? "+" : "-";
    var abs = Math.abs(offset);
    var text = sign + String(Math.floor(abs / 60)).padStart(2, "0") + ":" + String(abs % 60).padStart(2, "0");
    Array.prototype.forEach.call(document.querySelectorAll("input[data-tz-offset]"), function (i) {
      if (!i.value) { i.value = text; }
    });

    Array.prototype.forEach.call(document.querySelectorAll("a[data-select-all]"), function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        var boxes = a.closest("form").querySelectorAll('input[type=checkbox][name=paths]');
        var all = Array.prototype.every.call(boxes, function (b) { return b.checked; });
        Array.prototype.forEach.call(boxes, function (b) { b.checked = !all; });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
