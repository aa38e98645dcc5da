// Runs before first paint: lets the CSS collapse the menu and filters on phones only
// when JavaScript is there to open them again. Also a tiny shared helper.
document.documentElement.classList.add("js");
window.DS = {
  escape: function (text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  },
  format: function (template, values) {
    return String(template).replace(/%\((\w+)\)s/g, function (_, k) {
      return values[k] === undefined ? "" : values[k];
    });
  }
};
