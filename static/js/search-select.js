/* The searchable pickers (xiezuo.core.ui.forms.SearchSelect), on Tom Select.
 *
 * data-search-select="choices": a <select> whose options the server rendered; the search box
 *   filters them by any part of their label.
 * data-search-select="text": a text box taking a name or a code; suggestions come from
 *   data-search-url (?q=…, answering {"results": [{value, text, hint}]}) and the chosen one's
 *   value is posted; typed text that matches no suggestion is posted as typed, and the
 *   server resolves it (or lists the candidates).
 * Without this script (or without Tom Select) the plain select or text box works as is. */
(function () {
  "use strict";

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function render() {
    return {
      option: function (item) {
        var hint = item.hint ? '<div class="small text-body-secondary">' + esc(item.hint) + "</div>" : "";
        return "<div>" + esc(item.text) + hint + "</div>";
      },
      /* the chosen one: a project's "code name" (its text holds its value), a region's "name（code）" */
      item: function (item) {
        var text = String(item.text == null ? "" : item.text), value = String(item.value == null ? "" : item.value);
        return "<div>" + esc(text.indexOf(value) >= 0 || !value ? text : value) + "</div>";
      },
      no_results: function () {
        var lang = (document.documentElement.lang || "").toLowerCase();
        return '<div class="no-results">' + (lang.indexOf("zh") === 0 ? "没有匹配项" : "No match") + "</div>";
      },
      option_create: function (data) {
        var lang = (document.documentElement.lang || "").toLowerCase();
        return '<div class="create">' + (lang.indexOf("zh") === 0 ? "按输入内容提交：" : "Use as typed: ") + "<strong>" + esc(data.input) + "</strong></div>";
      }
    };
  }

  function remoteLoader(url) {
    return function (query, callback) {
      var sep = url.indexOf("?") >= 0 ? "&" : "?";
      fetch(url + sep + "q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { callback(data.results || []); })
        .catch(function () { callback(); });
    };
  }

  function enhance(el) {
    if (el.tomselect || typeof TomSelect === "undefined") return;
    var url = el.getAttribute("data-search-url");
    var options = {
      maxOptions: 200,
      render: render(),
      searchField: ["text", "hint", "value"],
      onChange: function () { el.dispatchEvent(new CustomEvent("search-select:change", { bubbles: true })); }
    };
    if (el.getAttribute("data-search-select") === "text") {
      options.maxItems = 1;
      options.create = true;
      options.createOnBlur = true;
      options.persist = false;
      options.delimiter = "\u0000";  /* names hold commas; one value only */
      options.valueField = "value";
      options.labelField = "text";
      options.loadThrottle = 250;
      options.shouldLoad = function (q) { return q.length >= 1; };
      options.plugins = ["clear_button"];
    } else {
      options.allowEmptyOption = true;
      options.plugins = el.required ? [] : ["clear_button"];
    }
    if (url) options.load = remoteLoader(url);
    var ts = new TomSelect(el, options);
    if (el.classList.contains("is-invalid")) ts.wrapper.classList.add("is-invalid");
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("[data-search-select]").forEach(enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { enhanceAll(); });
  else enhanceAll();
  document.addEventListener("htmx:afterSwap", function (e) { enhanceAll(e.target); });
  window.xiezuoSearchSelect = { enhance: enhance, enhanceAll: enhanceAll };
})();
