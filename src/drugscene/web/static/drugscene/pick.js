/* Point picker of the report and tip forms: tap the map (the marker can be dragged),
   use the device position, or (partners) choose a registered place. Fills the
   lon / lat / accuracy inputs, which also work by hand without JavaScript. */
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  var cfgEl = document.getElementById("picker-config");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.labels;
  var lonIn = document.getElementById("id_lon");
  var latIn = document.getElementById("id_lat");
  var accIn = document.getElementById("id_accuracy_m");
  var placeIn = document.getElementById("id_place");
  var statusEl = document.getElementById("picker-status");
  var posBtn = document.getElementById("use-position");

  var map = L.map(el, { zoomControl: true });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, {
      maxZoom: 19, attribution: DS.escape(el.dataset.tileAttribution || "")
    }).addTo(map);
  } else {
    el.classList.add("map-no-tiles");
  }
  var outlines = L.geoJSON(cfg.districts, {
    style: { color: "#52606d", weight: 1.5, fillOpacity: 0.04, dashArray: "4 4" },
    onEachFeature: function (f, layer) {
      // Without background tiles the district names are the only landmarks: keep them shown.
      layer.bindTooltip(DS.escape(f.properties.name), {
        permanent: !el.dataset.tileUrl, direction: "center", className: "district-label"
      });
    }
  }).addTo(map);

  var marker = null;
  var accuracy = null;

  function say(text) { if (statusEl) { statusEl.textContent = text; } }

  function setPoint(lat, lon, opts) {
    opts = opts || {};
    var ll = L.latLng(lat, lon);
    if (!marker) {
      marker = L.marker(ll, { draggable: true, autoPan: true, keyboard: true,
                              title: T.set, alt: T.set }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng();
        write(p.lat, p.lng);
        if (accIn) { accIn.value = ""; }
        if (accuracy) { map.removeLayer(accuracy); accuracy = null; }
        say(T.set);
      });
    } else {
      marker.setLatLng(ll);
    }
    if (accuracy) { map.removeLayer(accuracy); accuracy = null; }
    if (opts.accuracy) {
      accuracy = L.circle(ll, { radius: opts.accuracy, weight: 1, fillOpacity: 0.1 }).addTo(map);
    }
    if (opts.write !== false) { write(lat, lon); }
    if (opts.pan) { map.setView(ll, Math.max(map.getZoom(), 16)); }
  }

  function write(lat, lon) {
    latIn.value = lat.toFixed(6);
    lonIn.value = lon.toFixed(6);
  }

  // Start from the submitted point (after an error), else the districts / the centre.
  var lat0 = parseFloat(latIn && latIn.value), lon0 = parseFloat(lonIn && lonIn.value);
  if (outlines.getLayers().length) {
    map.fitBounds(outlines.getBounds(), { padding: [8, 8] });
  } else {
    map.setView([cfg.centre[1], cfg.centre[0]], 14);
  }
  if (isFinite(lat0) && isFinite(lon0)) {
    setPoint(lat0, lon0, { write: false, pan: true });
  }

  map.on("click", function (e) {
    setPoint(e.latlng.lat, e.latlng.lng);
    if (accIn) { accIn.value = ""; }
    if (placeIn) { placeIn.value = ""; }
    say(T.set);
  });

  [latIn, lonIn].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener("change", function () {
      var la = parseFloat(latIn.value), lo = parseFloat(lonIn.value);
      if (isFinite(la) && isFinite(lo)) { setPoint(la, lo, { write: false, pan: true }); }
    });
  });

  if (placeIn) {
    placeIn.addEventListener("change", function () {
      var p = cfg.places[placeIn.value];
      if (p) {
        setPoint(p[1], p[0], { pan: true });
        if (accIn) { accIn.value = ""; }
        say(T.place);
      }
    });
  }

  if (posBtn) {
    if (!("geolocation" in navigator)) {
      posBtn.hidden = true;
    } else {
      posBtn.hidden = false;
      posBtn.addEventListener("click", function () {
        say(T.locating);
        posBtn.disabled = true;
        navigator.geolocation.getCurrentPosition(function (pos) {
          posBtn.disabled = false;
          var acc = Math.round(pos.coords.accuracy || 0);
          setPoint(pos.coords.latitude, pos.coords.longitude, { accuracy: acc, pan: true });
          if (accIn) { accIn.value = acc ? String(acc) : ""; }
          if (placeIn) { placeIn.value = ""; }
          say(DS.format(T.located, { m: acc }));
        }, function () {
          posBtn.disabled = false;
          say(T.denied);
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    }
  }
})();
