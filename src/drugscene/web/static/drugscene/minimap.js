/* The small map on a report's page: one marker and the stated accuracy. */
(function () {
  "use strict";
  var el = document.getElementById("mini-map");
  if (!el || !window.L) { return; }
  var lon = parseFloat(el.dataset.lon), lat = parseFloat(el.dataset.lat);
  var acc = parseFloat(el.dataset.accuracy);
  var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!el.dataset.tileUrl })
    .setView([lat, lon], 16);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19, attribution: DS.escape(el.dataset.tileAttribution || "")
    }).addTo(map);
  }
  if (el.dataset.districtsUrl) {
    fetch(el.dataset.districtsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        L.geoJSON(data, {
          interactive: false,
          style: { color: "#52606d", weight: 1.5, dashArray: "4 4", fillOpacity: 0 }
        }).addTo(map);
      });
  }
  if (acc > 0) {
    L.circle([lat, lon], { radius: acc, weight: 1, color: "#1d4e89", fillOpacity: 0.08 })
      .addTo(map);
  }
  L.circleMarker([lat, lon], {
    radius: 8, weight: 3, color: "#ffffff", fillColor: "#1d4e89", fillOpacity: 1
  }).addTo(map);
})();
