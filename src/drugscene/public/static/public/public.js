/* The public page's map: district outlines and the aggregated hexagons (counts only) from
   /public/<city>/hexagons.geojson. No single report is ever sent to this page. */
(function () {
  "use strict";
  var el = document.getElementById("public-map");
  var cfgEl = document.getElementById("public-config");
  var statusEl = document.getElementById("public-map-status");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.labels;
  var RAMP = ["#fee8c8", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"];

  function say(text) { if (statusEl) { statusEl.textContent = text; } }
  function esc(text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }

  var map = L.map(el, { scrollWheelZoom: false, maxZoom: 16 });
  map.attributionControl.setPrefix(false);
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, { maxZoom: 19, attribution: esc(cfg.tile_attribution) }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  var outlines = L.geoJSON(cfg.districts, {
    interactive: false,
    style: { color: "#52606d", weight: 1.5, dashArray: "4 4", fillOpacity: 0.03 },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(esc(f.properties.name), {
        permanent: !cfg.tile_url, direction: "center", className: "district-label"
      });
    }
  }).addTo(map);
  if (outlines.getLayers().length) {
    map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
  } else {
    map.setView([cfg.centre[1], cfg.centre[0]], 12);
  }

  function breaksFor(min, max) {
    // five equal steps on a square-root scale from the minimum shown to the largest count
    var out = [];
    for (var k = 1; k <= RAMP.length; k++) {
      var v = Math.round(Math.pow(Math.sqrt(min) + (Math.sqrt(max) - Math.sqrt(min)) * k / RAMP.length, 2));
      if (!out.length || v > out[out.length - 1]) { out.push(v); }
    }
    return out;
  }

  function legend(min, breaks) {
    var box = L.control({ position: "topright" });
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "map-legend public-legend");
      L.DomUtil.create("p", "legend-title", div).textContent = T.legend;
      var low = min;
      breaks.forEach(function (b, i) {
        var row = L.DomUtil.create("div", "legend-row", div);
        L.DomUtil.create("span", "swatch swatch-hex public-ramp-" + (i + RAMP.length - breaks.length), row);
        L.DomUtil.create("span", "", row).textContent = low >= b ? String(b) : low + "–" + b;
        low = b + 1;
      });
      return div;
    };
    box.addTo(map);
  }

  fetch(cfg.geojson, { credentials: "omit" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      if (!data.features.length) { say(T.empty); return; }
      var breaks = breaksFor(data.min_count, data.max);
      legend(data.min_count, breaks);
      L.geoJSON(data, {
        style: function (f) {
          var n = f.properties.count, i = 0;
          while (i < breaks.length - 1 && n > breaks[i]) { i++; }
          return { color: "#ffffff", weight: 1, fillColor: RAMP[i + RAMP.length - breaks.length],
                   fillOpacity: 0.8 };
        },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(esc(T.cell.replace("{n}", f.properties.count)));
        }
      }).addTo(map);
      el.setAttribute("data-hexagons", String(data.features.length));
    })
    .catch(function () { say(T.failed); });
})();
