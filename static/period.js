// The period histogram: drag across the bars to search a range of decades. A plain click
// follows the bar's own link (one decade); the list and the from–to form below do the same
// for keyboards and screen readers.
(function () {
  const histogram = document.querySelector(".histogram");
  if (!histogram) return;
  const bars = Array.from(histogram.querySelectorAll(".bar"));
  let start = null;

  function mark(from, to) {
    bars.forEach(function (bar, index) {
      bar.classList.toggle("chosen", from !== null && index >= Math.min(from, to) && index <= Math.max(from, to));
    });
  }
  function barAt(event) {
    const element = document.elementFromPoint(event.clientX, event.clientY);
    return element && element.classList.contains("bar") ? bars.indexOf(element) : -1;
  }
  histogram.addEventListener("pointerdown", function (event) {
    const index = barAt(event);
    if (index < 0) return;
    start = index;
    mark(start, start);
    event.preventDefault();
  });
  histogram.addEventListener("pointermove", function (event) {
    if (start === null) return;
    const index = barAt(event);
    if (index >= 0) mark(start, index);
  });
  document.addEventListener("pointerup", function (event) {
    if (start === null) return;
    const end = barAt(event) >= 0 ? barAt(event) : start;
    const first = bars[Math.min(start, end)];
    const last = bars[Math.max(start, end)];
    start = null;
    const url = new URL(histogram.dataset.baseUrl, window.location.href);
    url.searchParams.set("from", first.dataset.from);
    url.searchParams.set("to", last.dataset.to);
    url.searchParams.delete("page");
    window.location.assign(url.toString());
  });
})();
