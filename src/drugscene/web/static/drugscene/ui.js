/* Small page behaviours without inline script (CSP): menu toggle, auto-submitting
   selects, filters collapsed on phones, "restricted to" shown only when chosen,
   focus on the error summary. */
(function () {
  "use strict";
  var phone = window.matchMedia("(max-width: 47.99em)");

  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  if (phone.matches) {
    document.querySelectorAll("details[data-collapse-on-phone]").forEach(function (d) {
      if (!d.hasAttribute("data-keep-open")) { d.open = false; }
    });
  }

  var box = document.querySelector("[data-show-when-visibility]");
  if (box) {
    var wanted = box.getAttribute("data-show-when-visibility");
    var radios = document.querySelectorAll("input[name=visibility]");
    var sync = function () {
      var chosen = document.querySelector("input[name=visibility]:checked");
      box.hidden = !(chosen && chosen.value === wanted);
    };
    radios.forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }

  var errors = document.getElementById("form-errors");
  if (errors) { errors.focus(); }

  // After an HTMX swap, move focus to the updated review box so screen readers hear it.
  document.body.addEventListener("htmx:afterSwap", function (ev) {
    var target = ev.detail && ev.detail.elt;
    var box = target && target.id ? document.getElementById(target.id) : null;
    if (box) {
      var status = box.querySelector("[role=status], [role=alert]");
      if (status) { status.setAttribute("tabindex", "-1"); status.focus(); }
    }
  });
})();
