// The results page, enhanced: without JavaScript every control still works as a link or a form.
(function () {
  // Sort: a choice made with the pointer (or a phone's picker) applies at once, and the button
  // goes away. Arrow keys only move through the options (WCAG 3.2.2: no change of context on
  // input), so a keyboard choice brings the button back and Enter applies it.
  const sortForm = document.querySelector("form.sort");
  if (sortForm) {
    const select = sortForm.querySelector("select");
    const button = sortForm.querySelector("button[type=submit]");
    let byKeyboard = false;
    button.hidden = true;
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        sortForm.requestSubmit();
      } else if (event.key !== "Tab") {
        byKeyboard = true;
      }
    });
    select.addEventListener("pointerdown", function () { byKeyboard = false; });
    select.addEventListener("change", function () {
      if (byKeyboard) {
        button.hidden = false;
      } else {
        sortForm.requestSubmit();
      }
    });
  }

  // Filters on a phone: the facets wait behind one button near the top instead of below every result.
  const drawer = document.querySelector("[data-filters-drawer]");
  const toggle = drawer && drawer.querySelector(".filters-toggle");
  if (toggle) {
    drawer.classList.add("filters-collapsible");
    toggle.hidden = false;
    function show(open) {
      toggle.setAttribute("aria-expanded", String(open));
      drawer.classList.toggle("filters-open", open);
    }
    toggle.addEventListener("click", function () { show(toggle.getAttribute("aria-expanded") !== "true"); });
    const done = drawer.querySelector(".filters-done a");
    if (done) done.addEventListener("click", function () { show(false); });
  }
})();
