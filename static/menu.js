// The header's work menu (<details>): works without script; with it, one menu open at a time,
// closed by Escape (focus back on its summary) or by a click elsewhere, as menus usually are.
(function () {
  const menus = Array.from(document.querySelectorAll("details.menu"));
  if (!menus.length) return;
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) return;
      menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
})();
