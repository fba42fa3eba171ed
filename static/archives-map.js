// The archives map: the list of archives (the page's own content) drawn again as links on a schematic map
// of the provinces (static/archives/provinces-schematic.geojson), with Leaflet and no tile server.
// Each marker is a link to the archive's page, reached with Tab like the list's.
(function () {
  "use strict";
  const figure = document.querySelector("[data-archives-map]");
  if (!figure || !window.L) return;  // without the script the list alone serves
  // On a phone 34 points crowd into taps too small to hit (WCAG 2.5.8): the list serves there.
  if (window.matchMedia("(max-width: 600px)").matches) return;
  const box = figure.querySelector("#archives-map");
  const items = document.querySelectorAll("#archive-list li[data-archive-latitude]");
  figure.hidden = false;
  const map = L.map(box, {attributionControl: false, zoomControl: false, scrollWheelZoom: false,
                          zoomSnap: 0.25, minZoom: 4, maxZoom: 10});
  L.control.zoom({zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut}).addTo(map);
  const marks = [];
  items.forEach(function (item) {
    const listed = item.querySelector("a");
    const link = document.createElement("a");
    link.href = listed.getAttribute("href");
    link.className = "archive-marker-link";
    link.setAttribute("aria-label", listed.textContent.trim());
    link.title = listed.textContent.trim();
    const position = [parseFloat(item.dataset.archiveLatitude), parseFloat(item.dataset.archiveLongitude)];
    marks.push(position);
    L.marker(position, {keyboard: false, icon: L.divIcon({html: link, className: "archive-marker",
                                                            iconSize: [16, 16]})}).addTo(map);
  });
  if (marks.length) map.fitBounds(marks, {padding: [12, 12]});
  else map.setView([16, 106], 5);
  fetch(box.dataset.outline).then(function (answer) { return answer.ok ? answer.json() : null; })
    .then(function (outlines) {
      if (!outlines) return;
      const drawn = L.geoJSON(outlines, {
        interactive: false,
        style: function (feature) {  // islands (đặc khu) are points, provinces outlines
          return {className: feature.geometry.type === "Point" ? "island-outline" : "province-outline", weight: 1};
        },
        pointToLayer: function (feature, where) { return L.circleMarker(where, {radius: 3, interactive: false}); },
      }).addTo(map);
      drawn.bringToBack();
      map.fitBounds(drawn.getBounds(), {padding: [8, 8]});
    })
    .catch(function () {});  // without the outline the points still stand, on a plain background
})();
