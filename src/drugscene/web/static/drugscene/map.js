/* The situational map: district outlines by police classification, registered places,
   and the reports in view from /map/data — single points when few, H3 hexagon counts
   when many. Reloads when the map moves. No inline styles: colours come from classes
   in app.css for the legend and from options for Leaflet's vector layers. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  var cfgEl = document.getElementById("map-config");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.labels;
  var countEl = document.getElementById("map-count");
  var modeEl = document.getElementById("map-mode");
  var query = el.dataset.filterQuery || "";
  var filtersValid = el.dataset.valid === "1";

  var POLICE = {
    none: { color: "#52606d", weight: 1.5, dashArray: "4 4", fillOpacity: 0 },
    vulnerable: { color: "#d48806", weight: 2.5, fillColor: "#d48806", fillOpacity: 0.07 },
    risk: { color: "#d4380d", weight: 2.5, fillColor: "#d4380d", fillOpacity: 0.08 },
    especially_vulnerable: { color: "#a8071a", weight: 3, fillColor: "#a8071a", fillOpacity: 0.1 }
  };
  var STATUS = { "new": "#d46b08", confirmed: "#1d4e89", rejected: "#8c8c8c", duplicate: "#bfbfbf" };
  var RAMP = ["#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"];

  var map = L.map(el, { zoomControl: true, minZoom: 3, maxZoom: 19 });
  map.attributionControl.setPrefix(false);
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { maxZoom: 19, attribution: DS.escape(cfg.tileAttribution || "") })
      .addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  map.createPane("districts").style.zIndex = 350;
  map.createPane("places").style.zIndex = 380;
  var pointRenderer = L.canvas({ padding: 0.3 });

  // --- initial view: #zoom/lat/lon in the address, else the districts, else the centre
  var fromHash = (function () {
    var m = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
    return m ? { zoom: +m[1], lat: +m[2], lon: +m[3] } : null;
  })();
  if (fromHash) {
    map.setView([fromHash.lat, fromHash.lon], fromHash.zoom);
  } else {
    map.setView([cfg.centre[1], cfg.centre[0]], 13);
  }

  // --- districts --------------------------------------------------------------------
  var districts = L.geoJSON(null, {
    pane: "districts",
    style: function (f) { return POLICE[f.properties.police_class] || POLICE.none; },
    onEachFeature: function (f, layer) {
      var cls = T.police_class[f.properties.police_class] || "";
      layer.bindTooltip(DS.escape(f.properties.name) + "<br><small>" + DS.escape(cls) + "</small>",
        { sticky: true });
    }
  }).addTo(map);
  fetch(cfg.districtsUrl, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) { return; }
      districts.addData(data);
      if (!fromHash && districts.getLayers().length) {
        map.fitBounds(districts.getBounds(), { padding: [12, 12] });
      }
    });
  var districtBox = document.getElementById("layer-districts");
  if (districtBox) {
    districtBox.addEventListener("change", function () {
      if (districtBox.checked) { districts.addTo(map); } else { map.removeLayer(districts); }
    });
  }

  // --- places (loaded when first shown) ---------------------------------------------
  var places = null;
  var placeBox = document.getElementById("layer-places");
  function showPlaces(on) {
    if (!on) { if (places) { map.removeLayer(places); } return; }
    if (places) { places.addTo(map); return; }
    places = L.geoJSON(null, {
      pane: "places",
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { pane: "places", radius: 5, weight: 2, color: "#1f1f1f",
                                         fillColor: "#ffffff", fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) { layer.bindTooltip(DS.escape(f.properties.name)); }
    }).addTo(map);
    fetch(cfg.placesUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { places.addData(data); } });
  }
  if (placeBox) {
    placeBox.addEventListener("change", function () { showPlaces(placeBox.checked); });
    if (placeBox.checked) { showPlaces(true); }
  }

  // --- safety-walk findings still open (tasks), loaded when first shown ---------------
  var findings = null;
  var findingBox = document.getElementById("layer-findings");
  function showFindings(on) {
    if (!on) { if (findings) { map.removeLayer(findings); } return; }
    if (findings) { findings.addTo(map); return; }
    findings = L.geoJSON(null, {
      pane: "places",
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { pane: "places", radius: 6, weight: 2, color: "#7c5e10",
                                         fillColor: "#f7c948", fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindTooltip(DS.escape(p.kind_label + " · " + p.owner + " · " + p.status_label));
        layer.on("click", function () { window.location.href = p.url; });
      }
    }).addTo(map);
    fetch(cfg.findingsUrl, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { findings.addData(data); } });
  }
  if (findingBox && cfg.findingsUrl) {
    findingBox.addEventListener("change", function () { showFindings(findingBox.checked); });
    if (findingBox.checked) { showFindings(true); }
  }

  // --- legend -----------------------------------------------------------------------
  var legend = L.control({ position: "bottomright" });
  var legendBody;
  legend.onAdd = function () {
    // A <details> so that phones can fold the legend away (folded there at first).
    var outer = L.DomUtil.create("details", "map-legend");
    outer.open = !window.matchMedia("(max-width: 47.99em)").matches;
    L.DomEvent.disableClickPropagation(outer);
    L.DomUtil.create("summary", "legend-summary", outer).textContent = T.legend;
    var div = L.DomUtil.create("div", "legend-body", outer);
    var h = L.DomUtil.create("p", "legend-title", div);
    h.textContent = T.districts;
    Object.keys(POLICE).forEach(function (key) {
      var row = L.DomUtil.create("div", "legend-row", div);
      L.DomUtil.create("span", "swatch swatch-area swatch-" + key, row);
      L.DomUtil.create("span", "", row).textContent = T.police_class[key];
    });
    legendBody = L.DomUtil.create("div", "legend-reports", div);
    return outer;
  };
  legend.addTo(map);

  function legendPoints() {
    legendBody.textContent = "";
    var h = L.DomUtil.create("p", "legend-title", legendBody);
    h.textContent = T.reports;
    Object.keys(STATUS).forEach(function (key) {
      var row = L.DomUtil.create("div", "legend-row", legendBody);
      L.DomUtil.create("span", "swatch swatch-dot swatch-" + key, row);
      L.DomUtil.create("span", "", row).textContent = T.review[key];
    });
  }

  function legendHexagons(breaks) {
    legendBody.textContent = "";
    var h = L.DomUtil.create("p", "legend-title", legendBody);
    h.textContent = T.hexagons;
    var low = 1;
    breaks.forEach(function (b, i) {
      var row = L.DomUtil.create("div", "legend-row", legendBody);
      L.DomUtil.create("span", "swatch swatch-hex ramp-" + (i + RAMP.length - breaks.length), row);
      L.DomUtil.create("span", "", row).textContent = low === b ? String(b) : low + "–" + b;
      low = b + 1;
    });
  }

  // "Nice" class limits (1, 2, 5 × 10^k) on a log scale up to the largest count.
  function breaksFor(max) {
    if (max <= 5) {
      var out = [];
      for (var i = 1; i <= max; i++) { out.push(i); }
      return out.length ? out : [1];
    }
    var nice = function (v) {
      var p = Math.pow(10, Math.floor(Math.log10(v)));
      var m = v / p;
      return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    };
    var breaks = [];
    for (var k = 1; k <= 4; k++) {
      var b = nice(Math.pow(max, k / 5));
      if (b < max && (breaks.length === 0 || b > breaks[breaks.length - 1])) { breaks.push(b); }
    }
    breaks.push(max);
    return breaks;
  }

  // --- reports ----------------------------------------------------------------------
  var reports = L.layerGroup().addTo(map);
  var inflight = null;

  function popupFor(p) {
    var box = document.createElement("div");
    box.className = "popup";
    var title = document.createElement("p");
    title.className = "popup-title";
    title.textContent = p.category;
    box.appendChild(title);
    [p.time, p.source_kind, p.review].forEach(function (text) {
      var line = document.createElement("p");
      line.textContent = text;
      box.appendChild(line);
    });
    var a = document.createElement("a");
    a.href = p.url;
    a.className = "popup-link";
    a.textContent = DS.format(T.open, { id: p.id });
    box.appendChild(a);
    return box;
  }

  function drawPoints(data) {
    legendPoints();
    data.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      L.circleMarker([c[1], c[0]], {
        renderer: pointRenderer, radius: 7, weight: 2, color: "#ffffff",
        fillColor: STATUS[f.properties.review_status] || STATUS["new"], fillOpacity: 0.95
      }).bindPopup(popupFor(f.properties)).addTo(reports);
    });
  }

  function drawHexagons(data) {
    var breaks = breaksFor(data.max || 1);
    legendHexagons(breaks);
    L.geoJSON(data, {
      style: function (f) {
        var n = f.properties.count, i = 0;
        while (i < breaks.length - 1 && n > breaks[i]) { i++; }
        var colour = RAMP[Math.min(i + RAMP.length - breaks.length, RAMP.length - 1)];
        return { color: "#ffffff", weight: 1, fillColor: colour, fillOpacity: 0.78 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(DS.format(T.zoom_in, { n: f.properties.count }));
        layer.on("click", function () {
          map.fitBounds(layer.getBounds(), { maxZoom: Math.min(map.getZoom() + 2, 19) });
        });
      }
    }).addTo(reports);
  }

  function showCount(data) {
    countEl.textContent = DS.format(T.in_view, { n: data.total.toLocaleString(document.documentElement.lang || undefined) });
    modeEl.textContent = data.mode === "hexagons" ? T.mode_hexagons : T.mode_points;
  }

  function bboxOf(bounds) {
    var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
    return [clamp(bounds.getWest(), -180, 180), clamp(bounds.getSouth(), -90, 90),
            clamp(bounds.getEast(), -180, 180), clamp(bounds.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }

  function load() {
    if (!filtersValid) { countEl.textContent = T.failed; modeEl.textContent = ""; return; }
    if (inflight) { inflight.abort(); }
    inflight = new AbortController();
    var url = cfg.dataUrl + "?" + (query ? query + "&" : "") +
      "bbox=" + bboxOf(map.getBounds()) + "&zoom=" + map.getZoom();
    countEl.textContent = T.loading;
    el.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", signal: inflight.signal,
                 headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        reports.clearLayers();
        if (data.mode === "hexagons") { drawHexagons(data); } else { drawPoints(data); }
        showCount(data);
        el.dataset.mode = data.mode;
        el.dataset.total = String(data.total);
        el.removeAttribute("aria-busy");
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") { return; }
        countEl.textContent = T.failed;
        el.removeAttribute("aria-busy");
      });
  }

  function remember() {
    var c = map.getCenter();
    var hash = "#" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5);
    history.replaceState(null, "", window.location.pathname + window.location.search + hash);
  }

  var timer = null;
  map.on("moveend", function () {
    remember();
    window.clearTimeout(timer);
    timer = window.setTimeout(load, 150);
  });
  load();
})();
