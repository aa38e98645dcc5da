/* The evidence panel on the action form follows the kind select: on change it loads the
   panel's content for the chosen kind (an HTML fragment from evidence/<kind>/panel/).
   No inline script (CSP); without JavaScript the panel shows the kind the page was
   rendered with. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-evidence-panel]");
  if (!panel) { return; }
  var form = panel.closest("form") || document;
  var select = form.querySelector("select[name=kind]") ||
    document.querySelector("select[name=kind]");
  if (!select) { return; }
  var template = panel.getAttribute("data-url");
  var latest = 0;
  select.addEventListener("change", function () {
    var kind = select.value || "";
    var url = kind ? template.replace("__key__", encodeURIComponent(kind)) : null;
    var ticket = ++latest;
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null && ticket === latest) {
          panel.innerHTML = html;
          panel.setAttribute("data-kind", kind);
        }
      })
      .catch(function () { /* keep the previous content */ });
  });
})();
