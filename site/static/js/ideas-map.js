// Maps of ideas (Leaflet, shipped in /static/vendor/leaflet). Progressive enhancement: without JavaScript the
// list, the address field and the coordinate fields do the same job.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof L === "undefined") return;

  function makeMap(element) {
    // maxZoom on the map itself: the clusters need it, and there may be no tile layer to give it.
    const map = L.map(element, { scrollWheelZoom: false, maxZoom: 19 }).setView(
      [parseFloat(element.dataset.lat), parseFloat(element.dataset.lng)],
      parseInt(element.dataset.zoom, 10),
    );
    if (element.dataset.tiles) {
      L.tileLayer(element.dataset.tiles, { attribution: element.dataset.attribution, maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function popup(point) {
    // Built from text nodes: titles come from residents and must never become markup.
    const container = document.createElement("div");
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title;
    const meta = document.createElement("p");
    meta.textContent = [point.status, point.category].filter(Boolean).join(" · ");
    container.append(link, meta);
    return container;
  }

  // Marker colour and sign by status group; the legend on the round page (budget_round_page.html) explains them.
  const GROUPS = {
    published: ["new", "●"],
    under_assessment: ["assessing", "?"],
    feasible: ["feasible", "✓"],
    on_ballot: ["feasible", "✓"],
    selected: ["selected", "★"],
    in_implementation: ["selected", "★"],
    completed: ["selected", "★"],
    not_feasible: ["closed", "✕"],
    not_selected: ["closed", "✕"],
    rejected: ["closed", "✕"],
  };

  function statusIcon(code) {
    const [group, sign] = GROUPS[code] || GROUPS.published;
    const html = `<span class="map-marker map-marker--${group}"><span>${sign}</span></span>`;
    return L.divIcon({ html, className: "map-marker-icon", iconSize: [28, 28], iconAnchor: [14, 34], popupAnchor: [0, -32] });
  }

  const listMap = document.getElementById("ideas-map");
  if (listMap) {
    const points = JSON.parse(document.getElementById("ideas-map-points").textContent);
    // The points carry the status in words; the statuses of the filter give its code.
    const codes = {};
    const statuses = document.getElementById("ideas-map-statuses");
    if (statuses) JSON.parse(statuses.textContent).forEach(([code, label]) => { codes[label] = code; });
    const map = makeMap(listMap);
    const markers = points.map((point) =>
      L.marker([point.lat, point.lng], { title: point.title, alt: point.title, icon: statusIcon(point.status_code || codes[point.status]) })
        .bindPopup(popup(point)),
    );
    if (markers.length) {
      // Nearby ideas gather into a numbered cluster (Leaflet.markercluster, shipped in /static/vendor) when it is there.
      const group = typeof L.markerClusterGroup === "function"
        ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 })
        : L.featureGroup();
      markers.forEach((marker) => group.addLayer(marker));
      group.addTo(map);
      map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2), { maxZoom: 15 });
    }
  }

  const single = document.getElementById("idea-map");
  if (single) {
    const point = JSON.parse(document.getElementById("idea-map-point").textContent);
    L.marker([point.lat, point.lng], { title: point.title }).addTo(makeMap(single));
  }

  const picker = document.getElementById("idea-form-map");
  if (picker) {
    const latitude = document.querySelector("[data-map-latitude]");
    const longitude = document.querySelector("[data-map-longitude]");
    const map = makeMap(picker);
    let marker = null;
    const place = (lat, lng) => {
      if (marker) marker.setLatLng([lat, lng]);
      else marker = L.marker([lat, lng]).addTo(map);
    };
    if (latitude.value && longitude.value) {
      place(parseFloat(latitude.value), parseFloat(longitude.value));
      map.setView([parseFloat(latitude.value), parseFloat(longitude.value)], 15);
    }
    map.on("click", (event) => {
      latitude.value = event.latlng.lat.toFixed(6);
      longitude.value = event.latlng.lng.toFixed(6);
      place(event.latlng.lat, event.latlng.lng);
    });
  }

  // "Reply" fills the hidden parent field of the comment form.
  document.querySelectorAll("[data-reply-to]").forEach((link) => {
    link.addEventListener("click", () => {
      const parent = document.querySelector("#comment-form [name=parent]");
      if (parent) parent.value = link.dataset.replyTo;
      const text = document.querySelector("#comment-form textarea");
      if (text) text.focus();
    });
  });
});
