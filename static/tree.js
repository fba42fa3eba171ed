// The finding-aid tree (templates/records/_tree.html): nested links without script; with it, the
// ARIA tree pattern (WAI-ARIA APG, navigation treeview): one tab stop, arrows move and open/close,
// Home/End, Enter/Space follow the link, "*" opens every sibling; levels load from /api/v1/tree as
// they are opened, 50 at a time with a "more" item.
(function () {
  const tree = document.querySelector("ul[data-tree]");
  if (!tree) return;
  const api = tree.dataset.api;
  let groups = 0;

  function itemOf(li) { return li.querySelector(":scope > a"); }
  function groupOf(li) { return li.querySelector(":scope > ul"); }
  function levelOf(li) {
    let level = 1;
    for (let up = li.parentElement; up && up !== tree; up = up.parentElement) if (up.tagName === "UL") level++;
    return level;
  }

  // Roles and states of one <li> (a record or a "more" item) and of what it holds.
  function enhance(li) {
    li.setAttribute("role", "none");
    const link = itemOf(li);
    link.setAttribute("role", "treeitem");
    link.setAttribute("tabindex", "-1");
    link.setAttribute("aria-level", String(levelOf(li)));
    if (li.dataset.more) return;
    link.setAttribute("aria-setsize", li.dataset.setsize);
    link.setAttribute("aria-posinset", li.dataset.posinset);
    const group = groupOf(li);
    if (Number(li.dataset.descendants) > 0 || group) {
      const toggle = document.createElement("span");
      toggle.className = "tree-toggle";
      toggle.setAttribute("aria-hidden", "true");
      toggle.addEventListener("click", function () { setOpen(li, !isOpen(li)); });
      li.insertBefore(toggle, link);
      link.setAttribute("aria-expanded", group ? "true" : "false");
      if (group) enhanceGroup(li, group);
    }
  }

  function enhanceGroup(li, group) {
    group.setAttribute("role", "group");
    group.id = group.id || "tree-group-" + (++groups);
    itemOf(li).setAttribute("aria-owns", group.id);
    Array.from(group.children).forEach(enhance);
  }

  function isOpen(li) { return itemOf(li).getAttribute("aria-expanded") === "true"; }

  function setOpen(li, open) {
    const link = itemOf(li);
    if (!link.hasAttribute("aria-expanded")) return;
    let group = groupOf(li);
    if (open && !group) {
      group = document.createElement("ul");
      group.dataset.parent = li.dataset.id;
      li.appendChild(group);
      enhanceGroup(li, group);
      load(group, 0, null);
    }
    link.setAttribute("aria-expanded", open ? "true" : "false");
    group.hidden = !open;
  }

  function node(child, setsize, position) {
    const li = document.createElement("li");
    li.dataset.id = child.id;
    li.dataset.descendants = child.descendants || 0;
    li.dataset.setsize = setsize;
    li.dataset.posinset = position;
    const link = document.createElement("a");
    link.href = child.url;
    if (child.reference_code) {
      const code = document.createElement("span");
      code.className = "tree-code";
      code.textContent = child.reference_code;
      link.append(code, " ");
    }
    const title = document.createElement("span");
    title.className = "tree-title";
    title.textContent = child.title || child.reference_code || child.id;
    const meta = document.createElement("span");
    meta.className = "tree-meta";
    meta.textContent = child.summary;
    link.append(title, " ", meta);
    if (child.access !== "public") {
      const badge = document.createElement("span");
      badge.className = "badge access-" + child.access;
      badge.textContent = child.access_label;
      link.append(" ", badge);
    }
    li.appendChild(link);
    return li;
  }

  function moreItem(direction, from, label, parentId) {
    const li = document.createElement("li");
    li.dataset.more = direction;
    li.dataset.from = from;
    const link = document.createElement("a");
    link.href = api.replace("/api/v1/tree/", "/records/") + encodePath(parentId);
    link.textContent = label;
    li.appendChild(link);
    return li;
  }

  function encodePath(id) { return id.split("/").map(encodeURIComponent).join("/"); }

  // Loads a page of `group`'s records starting at `from`, in place of the "more" item `placeholder`
  // (or into the empty group); focus goes to the first record loaded when asked.
  function load(group, from, placeholder, focusFirst) {
    const status = document.createElement("li");
    status.setAttribute("role", "none");
    status.className = "tree-status muted";
    status.textContent = tree.dataset.labelLoading;
    if (placeholder) group.replaceChild(status, placeholder); else group.appendChild(status);
    fetch(api + encodePath(group.dataset.parent) + "?from=" + from, {headers: {Accept: "application/json"}})
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (level) {
        const made = level.children.map(function (child, index) {
          return node(child, level.total, level.start + index + 1);
        });
        const end = level.start + level.children.length;
        const firstShown = group.querySelector(":scope > li[data-id]");
        const shownFrom = firstShown ? Number(firstShown.dataset.posinset) - 1 : level.total;
        if (status.nextElementSibling === null && end < level.total) {
          made.push(moreItem("after", end, tree.dataset.labelMore || "…", group.dataset.parent));
        }
        if (level.start > 0 && (!firstShown || level.start < shownFrom) && status.previousElementSibling === null) {
          made.unshift(moreItem("before", Math.max(level.start - 50, 0), "…", group.dataset.parent));
        }
        made.forEach(function (li) { group.insertBefore(li, status); enhance(li); });
        labelMoreItems(group, level.total);
        status.remove();
        if (focusFirst && made.length) focus(itemOf(made.find(function (li) { return !li.dataset.more; }) || made[0]));
      })
      .catch(function () { status.textContent = tree.dataset.labelFailed; });
  }

  // A "more" item names how many records it would show, from what is shown and the level's total.
  function labelMoreItems(group, total) {
    const shown = group.querySelectorAll(":scope > li[data-id]");
    if (!shown.length) return;
    const first = Number(shown[0].dataset.posinset) - 1;
    const last = Number(shown[shown.length - 1].dataset.posinset);
    group.querySelectorAll(":scope > li[data-more]").forEach(function (li) {
      const count = li.dataset.more === "before" ? first : total - last;
      itemOf(li).textContent = (li.dataset.more === "before" ? tree.dataset.labelEarlier : tree.dataset.labelLater)
        .replace("%(num)s", count.toLocaleString(document.documentElement.lang || undefined));
    });
  }

  function visibleItems() {
    return Array.from(tree.querySelectorAll("[role=treeitem]")).filter(function (link) {
      return !link.closest("ul[hidden]");
    });
  }

  function focus(link) {
    tree.querySelectorAll("[role=treeitem][tabindex='0']").forEach(function (other) { other.tabIndex = -1; });
    link.tabIndex = 0;
    link.focus();
  }

  function parentItem(li) {
    const group = li.parentElement;
    return group === tree ? null : itemOf(group.parentElement);
  }

  tree.setAttribute("role", "tree");
  tree.setAttribute("aria-labelledby", tree.closest("section").querySelector("h2").id);
  Array.from(tree.children).forEach(enhance);
  const start = tree.querySelector("a[aria-current=page]") || itemOf(tree.firstElementChild);
  start.tabIndex = 0;

  tree.addEventListener("click", function (event) {
    const link = event.target.closest("[role=treeitem]");
    if (!link || !link.parentElement.dataset.more) return;
    event.preventDefault();
    const li = link.parentElement;
    load(li.parentElement, Number(li.dataset.from), li, true);
  });

  tree.addEventListener("keydown", function (event) {
    const link = event.target.closest("[role=treeitem]");
    if (!link || event.altKey || event.ctrlKey || event.metaKey) return;
    const li = link.parentElement;
    const items = visibleItems();
    const index = items.indexOf(link);
    let handled = true;
    switch (event.key) {
      case "ArrowDown": if (index < items.length - 1) focus(items[index + 1]); break;
      case "ArrowUp": if (index > 0) focus(items[index - 1]); break;
      case "Home": focus(items[0]); break;
      case "End": focus(items[items.length - 1]); break;
      case "ArrowRight":
        if (link.getAttribute("aria-expanded") === "false") setOpen(li, true);
        else if (isOpen(li)) {
          const first = groupOf(li).querySelector(":scope > li > [role=treeitem]");
          if (first) focus(first);
        }
        break;
      case "ArrowLeft":
        if (isOpen(li)) setOpen(li, false);
        else if (parentItem(li)) focus(parentItem(li));
        break;
      case "Enter": case " ":
        link.click();
        break;
      case "*":
        Array.from(li.parentElement.children).forEach(function (sibling) {
          if (!sibling.dataset.more) setOpen(sibling, true);
        });
        break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  tree.addEventListener("focusin", function (event) {
    const link = event.target.closest("[role=treeitem]");
    if (link && link.tabIndex !== 0) focus(link);
  });
})();
