/* The map of a place page: the place (outline or point), its visible reports of the last
   90 days, and the sensitive facilities nearby with the search radius. Data come from the
   JSON block #place-map-data (no inline script: CSP). */
(function () {
  "use strict";
  var el = document.getElementById("place-map");
  var dataEl = document.getElementById("place-map-data");
  if (!el || !dataEl || !window.L) { return; }
  var cfg = JSON.parse(dataEl.textContent);
  var T = cfg.labels;
  var place = cfg.place;
  var centre = L.latLng(place.lat, place.lon);
  var map = L.map(el, { scrollWheelZoom: false }).setView(centre, 16);
  map.attributionControl.setPrefix(false);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19, attribution: DS.escape(el.dataset.tileAttribution || "")
    }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  if (cfg.districts && cfg.districts.features.length) {
    L.geoJSON(cfg.districts, {
      interactive: false,
      style: { color: "#52606d", weight: 1.5, dashArray: "4 4", fillOpacity: 0 }
    }).addTo(map);
  }
  var bounds = L.latLngBounds([centre, centre]);
  L.circle(centre, {
    radius: cfg.radius, interactive: false, color: "#7b2cbf", weight: 1.5,
    dashArray: "6 5", fill: false
  }).addTo(map);
  if (place.geometry) {
    var outline = L.geoJSON(place.geometry, {
      interactive: false, style: { color: "#1d4e89", weight: 3, fillOpacity: 0.15 }
    }).addTo(map);
    bounds.extend(outline.getBounds());
  }
  var reportUrl = cfg.reportUrl;
  cfg.reports.forEach(function (r) {
    var ll = L.latLng(r[1], r[0]);
    var url = reportUrl.replace(/0\/$/, r[2] + "/");
    L.circleMarker(ll, {
      radius: 5, weight: 1, color: "#ffffff", fillColor: "#d46b08", fillOpacity: 0.85
    }).bindPopup(
      '<p class="popup-title">' + DS.escape(r[3]) + "</p><p>" + DS.escape(r[4]) + "</p>" +
      '<a class="popup-link" href="' + DS.escape(url) + '">' +
      DS.escape(DS.format(T.open, { id: r[2] })) + "</a>"
    ).addTo(map);
    bounds.extend(ll);
  });
  cfg.facilities.forEach(function (f) {
    var ll = L.latLng(f[1], f[0]);
    L.circleMarker(ll, {
      radius: 7, weight: 2, color: "#ffffff", fillColor: "#7b2cbf", fillOpacity: 1
    }).bindTooltip(DS.escape(DS.format(T.facility, { name: f[2], m: f[3] }))).addTo(map);
    bounds.extend(ll);
  });
  L.circleMarker(centre, {
    radius: 9, weight: 3, color: "#ffffff", fillColor: "#1d4e89", fillOpacity: 1
  }).bindTooltip(DS.escape(place.name), { permanent: true, direction: "top", offset: [0, -8] })
    .addTo(map);
  map.fitBounds(bounds.pad(0.15), { maxZoom: 17 });
})();
