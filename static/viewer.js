// The record viewer: a PDF drawn by pdf.js (served from static/vendor/pdfjs, its worker too), opened at the
// first page holding every word of the reader's search, or an image with zoom. The bytes come from the
// file's download route, which checks the reader's permission. No eval: pdf.js runs with isEvalSupported off.
const viewer = document.querySelector("[data-viewer]");
const status = viewer.querySelector("[data-viewer-status]");
const stage = viewer.querySelector("[data-stage]");
const text = (name, values) => viewer.dataset[name].replace(/\{(\w+)\}/g, (_, key) => values[key]);
let zoom = 1; // times the width that fits the stage

// Folded as the index folds: no diacritics, đ as d, lower case, words separated by one space.
function folded(value) {
  return " " + value.normalize("NFD").replace(/\p{M}/gu, "").replace(/[đĐ]/g, "d").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim() + " ";
}
const queryWords = folded(viewer.dataset.q || "").split(" ").filter((word) => word && !["and", "or", "not"].includes(word));

function zoomButtons(apply) {
  viewer.querySelector("[data-zoom-in]").addEventListener("click", () => { zoom = Math.min(zoom * 1.25, 6); apply(); });
  viewer.querySelector("[data-zoom-out]").addEventListener("click", () => { zoom = Math.max(zoom / 1.25, 0.25); apply(); });
  viewer.querySelector("[data-zoom-fit]").addEventListener("click", () => { zoom = 1; apply(); });
}

function showImage() {
  const image = viewer.querySelector("[data-image]");
  const apply = () => { image.style.width = `${Math.round(zoom * 100)}%`; };
  image.addEventListener("error", () => { status.textContent = text("textFailed", {}); });
  zoomButtons(apply);
  apply();
}

async function showPdf() {
  const base = viewer.dataset.pdfjs;
  const pdfjs = await import(`${base}pdf.min.mjs`);
  pdfjs.GlobalWorkerOptions.workerSrc = `${base}pdf.worker.min.mjs`;
  const pdf = await pdfjs.getDocument({
    url: viewer.dataset.src, isEvalSupported: false, useWasm: false, disableRange: true, disableStream: true,
    cMapUrl: `${base}cmaps/`, cMapPacked: true, standardFontDataUrl: `${base}standard_fonts/`,
    iccUrl: `${base}iccs/`, wasmUrl: `${base}wasm/`, enableXfa: false,
  }).promise;
  const canvas = viewer.querySelector("[data-canvas]");
  const input = viewer.querySelector("[data-page-input]");
  const previous = viewer.querySelector("[data-previous]");
  const next = viewer.querySelector("[data-next]");
  input.max = pdf.numPages;
  viewer.querySelector("[data-page-count]").textContent = `/ ${pdf.numPages}`;
  let current = 1;
  let rendering = null;

  async function render(number, announce) {
    current = Math.min(Math.max(number, 1), pdf.numPages);
    input.value = current;
    previous.disabled = current === 1;
    next.disabled = current === pdf.numPages;
    const page = await pdf.getPage(current);
    const fit = (stage.clientWidth - 2) / page.getViewport({ scale: 1 }).width;
    const viewport = page.getViewport({ scale: fit * zoom });
    const ratio = window.devicePixelRatio || 1;
    if (rendering) rendering.cancel();
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    canvas.setAttribute("aria-label", text("textCanvas", { page: current }));
    rendering = page.render({ canvas, viewport, transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0] });
    try { await rendering.promise; } catch (error) { if (error.name !== "RenderingCancelledException") throw error; }
    viewer.dataset.page = String(current); // what the browser tests read
    const where = text("textPage", { page: current, pages: pdf.numPages });
    status.textContent = announce ? `${announce} ${where}` : where;
  }

  // The first page whose text holds every word of the search; none: page 1.
  async function pageOfQuery() {
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const content = await (await pdf.getPage(number)).getTextContent();
      const pageText = folded(content.items.map((item) => item.str).join(" "));
      if (queryWords.every((word) => pageText.includes(` ${word} `))) return number;
    }
    return null;
  }

  previous.addEventListener("click", () => render(current - 1));
  next.addEventListener("click", () => render(current + 1));
  input.addEventListener("change", () => render(parseInt(input.value, 10) || 1));
  stage.addEventListener("keydown", (event) => {
    const moves = { PageUp: current - 1, PageDown: current + 1, Home: 1, End: pdf.numPages };
    if (event.key in moves) { event.preventDefault(); render(moves[event.key]); }
  });
  zoomButtons(() => render(current));

  const asked = /^#page=(\d+)$/.exec(window.location.hash);
  if (asked) return render(parseInt(asked[1], 10));
  await render(1); // shown at once; a long file's text takes a while to search
  if (!queryWords.length) return undefined;
  const found = await pageOfQuery();
  const q = viewer.dataset.q;
  if (current !== 1) return undefined; // the reader has turned the pages meanwhile: leave them where they are
  return found ? render(found, text("textFound", { q, page: found })) : render(1, text("textNotFound", { q }));
}

if (viewer.dataset.kind === "pdf") {
  showPdf().catch((error) => {
    status.textContent = text("textFailed", {});
    console.warn("viewer:", error); // eslint-disable-line no-console
  });
} else {
  showImage();
}
