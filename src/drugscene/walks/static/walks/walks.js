/* Safety walks: the map of a walk (route + numbered findings), drawing the route and
   placing findings when recording a walk, and picking the point of a new finding on the
   walk's page. Every input also works by hand without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("walk-map");
  var cfgEl = document.getElementById("walk-config");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.labels;
  var statusEl = document.getElementById("walk-map-status");
  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  var map = L.map(el, { zoomControl: true, scrollWheelZoom: !!document.getElementById("walk-form") });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19, attribution: DS.escape(el.dataset.tileAttribution || "")
    }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  var outlines = L.geoJSON(cfg.districts, {
    interactive: false,
    style: { color: "#52606d", weight: 1.5, fillOpacity: 0.04, dashArray: "4 4" },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(DS.escape(f.properties.name), {
        permanent: !el.dataset.tileUrl, direction: "center", className: "district-label"
      });
    }
  }).addTo(map);

  function numberIcon(n, status) {
    return L.divIcon({
      className: "walk-marker",
      html: '<span class="m-' + DS.escape(status) + '">' + DS.escape(n) + "</span>",
      iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12]
    });
  }

  // --- the route --------------------------------------------------------------------------
  var routeIn = document.getElementById("id_route");
  var routePts = [];   // [lat, lng]
  if (cfg.route && cfg.route.coordinates) {
    routePts = cfg.route.coordinates.map(function (c) { return [c[1], c[0]]; });
  } else if (routeIn && routeIn.value.trim()) {
    try {
      var parsed = JSON.parse(routeIn.value);
      if (parsed && parsed.type === "Feature") { parsed = parsed.geometry; }
      if (parsed && parsed.type === "LineString" && Array.isArray(parsed.coordinates)) {
        routePts = parsed.coordinates.map(function (c) { return [c[1], c[0]]; });
      }
    } catch (e) { /* the server says what is wrong with it */ }
  }
  // An empty polyline on the map breaks Leaflet's clipping: add it once it has points.
  var routeLine = L.polyline(routePts, { color: "#1d4e89", weight: 5, opacity: 0.85 });
  var routeDots = L.layerGroup().addTo(map);

  function drawRoute() {
    routeLine.setLatLngs(routePts);
    if (routePts.length && !map.hasLayer(routeLine)) { routeLine.addTo(map); }
    if (!routePts.length && map.hasLayer(routeLine)) { map.removeLayer(routeLine); }
    routeDots.clearLayers();
    if (routeIn) {
      routePts.forEach(function (p) {
        L.circleMarker(p, { radius: 4, weight: 2, color: "#1d4e89", fillColor: "#fff",
                            fillOpacity: 1, interactive: false }).addTo(routeDots);
      });
    }
  }
  function writeRoute() {
    if (!routeIn) { return; }
    routeIn.value = routePts.length >= 2 ? JSON.stringify({
      type: "LineString",
      coordinates: routePts.map(function (p) {
        return [Number(p[1].toFixed(6)), Number(p[0].toFixed(6))];
      })
    }) : "";
  }

  // --- existing findings (walk page, edit page) ---------------------------------------------
  var known = L.featureGroup().addTo(map);
  (cfg.findings || []).forEach(function (f) {
    var text = '<div class="popup"><p class="popup-title">' + DS.escape(f.n) + ". " +
      DS.escape(T.kinds[f.kind] || f.kind) + "</p><p>" + DS.escape(T.statuses[f.status] || f.status) +
      "</p><p>" + DS.escape(T.owner) + ": " + DS.escape(f.owner) + "</p>" +
      (f.due ? "<p>" + DS.escape(T.due) + ": " + DS.escape(f.due) + "</p>" : "") +
      '<a class="popup-link" href="#finding-' + DS.escape(f.id) + '">#' + DS.escape(f.id) + "</a></div>";
    L.marker([f.lat, f.lon], { icon: numberIcon(f.n, f.status), keyboard: false,
                                title: (T.kinds[f.kind] || f.kind) }).bindPopup(text).addTo(known);
  });

  // Fit: route and findings, else the districts, else the centre.
  var bounds = L.latLngBounds([]);
  if (routePts.length) { bounds.extend(routeLine.getBounds()); }
  if (known.getLayers().length) { bounds.extend(known.getBounds()); }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
  } else if (outlines.getLayers().length) {
    map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
  } else {
    map.setView([cfg.centre[1], cfg.centre[0]], 14);
  }

  drawRoute();  // after the view is set

  // Choosing the district zooms the map to it.
  var areaIn = document.getElementById("id_area");
  function zoomToArea() {
    if (!areaIn || !areaIn.value) { return; }
    outlines.eachLayer(function (layer) {
      if (String(layer.feature.properties.id) === areaIn.value) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
      }
    });
  }
  if (areaIn) {
    areaIn.addEventListener("change", zoomToArea);
    if (!bounds.isValid()) { zoomToArea(); }
  }

  // --- recording a walk: route drawing and finding placement -----------------------------
  var form = document.getElementById("walk-form");
  var mode = "route";
  var modeBtns = document.querySelectorAll("[data-mode]");
  function setMode(m) {
    mode = m;
    modeBtns.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.mode === m ? "true" : "false"); });
    if (m === "route") { say(T.route_mode); }
    else if (active) { say(DS.format(T.finding_mode, { n: rowNumber(active) })); }
  }
  modeBtns.forEach(function (b) {
    b.addEventListener("click", function () {
      if (b.dataset.mode === "finding" && !active) { activate(firstEmptyRow() || rows()[0]); }
      setMode(b.dataset.mode);
    });
  });
  var undo = document.querySelector("[data-route-undo]");
  if (undo) { undo.addEventListener("click", function () { routePts.pop(); drawRoute(); writeRoute(); }); }
  var clear = document.querySelector("[data-route-clear]");
  if (clear) { clear.addEventListener("click", function () { routePts = []; drawRoute(); writeRoute(); }); }
  if (routeIn) {
    routeIn.addEventListener("change", function () {
      try {
        var g = JSON.parse(routeIn.value || "null");
        if (g && g.type === "Feature") { g = g.geometry; }
        routePts = g && g.coordinates ? g.coordinates.map(function (c) { return [c[1], c[0]]; }) : [];
        drawRoute();
      } catch (e) { /* keep what is drawn */ }
    });
  }

  var rowsBox = document.querySelector("[data-finding-rows]");
  var active = null;
  var markers = new Map();   // row -> marker

  function rows() { return rowsBox ? Array.prototype.slice.call(rowsBox.querySelectorAll("[data-finding-row]")) : []; }
  function rowNumber(row) { return rows().indexOf(row) + 1; }
  function input(row, suffix) { return row.querySelector("input[name$='-" + suffix + "']"); }
  function firstEmptyRow() {
    return rows().find(function (r) { return !input(r, "lat").value || !input(r, "lon").value; });
  }
  function activate(row) {
    rows().forEach(function (r) { r.classList.toggle("is-active", r === row); });
    active = row || null;
  }
  function showPlaced(row, placed) {
    var t = row.querySelector("[data-placed-text]");
    if (!t) { return; }
    t.textContent = placed ? T.placed : T.not_placed;
    t.classList.toggle("is-set", !!placed);
  }
  function placeMarker(row, lat, lng) {
    showPlaced(row, true);
    var m = markers.get(row);
    var icon = numberIcon(rowNumber(row), "new");
    if (!m) {
      m = L.marker([lat, lng], { icon: icon, draggable: true, keyboard: false }).addTo(map);
      m.on("dragend", function () {
        var p = m.getLatLng();
        input(row, "lat").value = p.lat.toFixed(6);
        input(row, "lon").value = p.lng.toFixed(6);
      });
      markers.set(row, m);
    } else {
      m.setLatLng([lat, lng]);
      m.setIcon(icon);
    }
  }
  function bindRow(row) {
    var btn = row.querySelector("[data-place-finding]");
    if (btn) {
      btn.addEventListener("click", function () {
        activate(row);
        setMode("finding");
        el.scrollIntoView({ behavior: "smooth", block: "center" });
      });
    }
    ["lat", "lon"].forEach(function (s) {
      var inp = input(row, s);
      if (!inp) { return; }
      inp.addEventListener("change", function () {
        var la = parseFloat(input(row, "lat").value), lo = parseFloat(input(row, "lon").value);
        if (isFinite(la) && isFinite(lo)) { placeMarker(row, la, lo); }
      });
    });
    var la = parseFloat(input(row, "lat").value), lo = parseFloat(input(row, "lon").value);
    if (isFinite(la) && isFinite(lo)) { placeMarker(row, la, lo); } else { showPlaced(row, false); }
  }
  rows().forEach(bindRow);

  var addBtn = document.querySelector("[data-add-finding]");
  var tpl = document.getElementById("finding-template");
  var total = document.querySelector("input[name$='-TOTAL_FORMS']");
  var maxForms = document.querySelector("input[name$='-MAX_NUM_FORMS']");
  if (addBtn && tpl && total) {
    addBtn.addEventListener("click", function () {
      var i = parseInt(total.value, 10);
      if (maxForms && i >= parseInt(maxForms.value, 10)) { return; }
      var html = tpl.innerHTML.replace(/__prefix__/g, String(i)).replace(/__num__/g, String(i + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.querySelector("[data-finding-row]");
      rowsBox.appendChild(row);
      total.value = String(i + 1);
      bindRow(row);
      activate(row);
      setMode("finding");
      var first = row.querySelector("select, input");
      if (first) { first.focus(); }
    });
  }

  // --- adding one finding on the walk's page --------------------------------------------
  var one = document.getElementById("finding-form");
  var oneLat = document.getElementById("id_finding-lat");
  var oneLon = document.getElementById("id_finding-lon");
  var oneMarker = null;
  function setOne(lat, lng) {
    if (!oneMarker) {
      oneMarker = L.marker([lat, lng], { icon: numberIcon("+", "new"), draggable: true, keyboard: false }).addTo(map);
      oneMarker.on("dragend", function () {
        var p = oneMarker.getLatLng();
        oneLat.value = p.lat.toFixed(6); oneLon.value = p.lng.toFixed(6);
      });
    } else {
      oneMarker.setLatLng([lat, lng]);
    }
  }
  if (one && oneLat && oneLon) {
    el.classList.add("map-pick-cursor");
    var la0 = parseFloat(oneLat.value), lo0 = parseFloat(oneLon.value);
    if (isFinite(la0) && isFinite(lo0)) { setOne(la0, lo0); }
  }

  map.on("click", function (e) {
    var lat = e.latlng.lat, lng = e.latlng.lng;
    if (form && mode === "route" && routeIn) {
      routePts.push([lat, lng]);
      drawRoute(); writeRoute();
      say(T.route_mode);
    } else if (form && mode === "finding" && active) {
      input(active, "lat").value = lat.toFixed(6);
      input(active, "lon").value = lng.toFixed(6);
      placeMarker(active, lat, lng);
      say(DS.format(T.finding_set, { n: rowNumber(active) }));
      var next = firstEmptyRow();
      activate(next || active);
    } else if (one && oneLat && oneLon) {
      oneLat.value = lat.toFixed(6); oneLon.value = lng.toFixed(6);
      setOne(lat, lng);
    }
  });
  if (form) { setMode("route"); }
})();
