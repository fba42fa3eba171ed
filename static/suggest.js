// Suggestions as one types in the search box: titles and creators from /api/v1/suggest,
// offered through a <datalist> (keyboard and screen-reader friendly, no HTML injected).
(function () {
  const input = document.getElementById("q");
  const list = document.getElementById("suggestions");
  if (!input || !list) return;
  let timer = null;
  let lastAsked = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(async function () {
      const text = input.value.trim();
      if (text.length < 2 || text === lastAsked) return;
      lastAsked = text;
      try {
        const answer = await fetch("/api/v1/suggest?q=" + encodeURIComponent(text));
        if (!answer.ok) return;
        const found = await answer.json();
        const values = found.titles.map(function (t) { return t.title; }).concat(found.creators);
        list.replaceChildren(...[...new Set(values)].map(function (value) {
          const option = document.createElement("option");
          option.value = value;
          return option;
        }));
      } catch (error) {
        // Suggestions are a convenience: when they fail, the search box still works.
      }
    }, 150);
  });
})();
