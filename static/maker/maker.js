/* Checkpoint Maker's own small script: no framework, no network beyond this site. */
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // "Select all on this page" checkboxes: <input data-select-all="pk">.
  document.querySelectorAll("input[data-select-all]").forEach((master) => {
    const form = master.closest("form");
    const boxes = () => form.querySelectorAll(`input[type=checkbox][name="${master.dataset.selectAll}"]`);
    master.addEventListener("change", () => {
      boxes().forEach((box) => { box.checked = master.checked; });
    });
    form.addEventListener("change", (event) => {
      if (event.target === master) return;
      const all = Array.from(boxes());
      master.checked = all.length > 0 && all.every((box) => box.checked);
      master.indeterminate = !master.checked && all.some((box) => box.checked);
    });
  });

  // Regions that refresh themselves: <div data-poll-url="..." data-poll-seconds="5"> holding
  // parts <div data-poll-part="NAME">. One request a tick: the URL answers every part, and
  // each part that changed is swapped in place. X-Poll-Stop: 1 ends the polling.
  document.querySelectorAll("[data-poll-url]").forEach((region) => {
    const seconds = Number(region.dataset.pollSeconds || 5);
    const refresh = async () => {
      try {
        const response = await fetch(region.dataset.pollUrl, {
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        if (response.ok) {
          const incoming = document.createElement("template");
          incoming.innerHTML = await response.text();
          incoming.content.querySelectorAll("[data-poll-part]").forEach((part) => {
            const current = region.querySelector(`[data-poll-part="${part.dataset.pollPart}"]`);
            if (current && current.innerHTML !== part.innerHTML) current.innerHTML = part.innerHTML;
          });
          if (response.headers.get("X-Poll-Stop") === "1") return;
        }
      } catch (error) {
        /* Network hiccup: try again on the next tick. */
      }
      window.setTimeout(refresh, seconds * 1000);
    };
    window.setTimeout(refresh, seconds * 1000);
  });
});

/* ==== Tabs (interactions details page) ====
   <div role="tablist"> of <a role="tab" href="?tab=NAME" aria-controls="NAME">: without JS a tab
   reloads the page with that tab selected; with JS it switches in place, keeps ?tab= in the
   address, and the arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern). */
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[role=tablist]").forEach((list) => {
    const tabs = Array.from(list.querySelectorAll("[role=tab][aria-controls]"));
    const select = (chosen) => {
      tabs.forEach((tab) => {
        const selected = tab === chosen;
        tab.setAttribute("aria-selected", selected ? "true" : "false");
        tab.tabIndex = selected ? 0 : -1;
        const panel = document.getElementById(tab.getAttribute("aria-controls"));
        if (panel) panel.hidden = !selected;
      });
    };
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", (event) => {
        event.preventDefault();
        select(tab);
        const url = new URL(window.location.href);
        url.searchParams.set("tab", tab.getAttribute("aria-controls"));
        url.hash = "";
        window.history.replaceState(window.history.state, "", url);
      });
      tab.addEventListener("keydown", (event) => {
        const moves = {
          ArrowRight: tabs[(index + 1) % tabs.length],
          ArrowLeft: tabs[(index - 1 + tabs.length) % tabs.length],
          Home: tabs[0],
          End: tabs[tabs.length - 1],
          " ": tab,
        };
        const next = moves[event.key];
        if (!next) return;
        event.preventDefault();
        next.click();
        next.focus();
      });
    });
    // A link to #NAME opens that tab.
    const wanted = tabs.find((tab) => `#${tab.getAttribute("aria-controls")}` === window.location.hash);
    if (wanted) select(wanted);
  });
});
/* ==== end of Tabs ==== */

/* ==== Smart Routing editor (owned by the routing pages) ====
   Node form: <select data-kind-select> shows only the field groups <… data-kinds="kind …"> of
   the chosen kind (without JS every group shows; the server keeps only the kind's fields).
   <input data-filter-options="SELECT_ID"> filters that select's options as one types; its
   Search button asks the server (?checkpoint_search=) when there is no script. */
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-kind-select]").forEach((select) => {
    const form = select.closest("form");
    const update = () => {
      form.querySelectorAll("[data-kinds]").forEach((group) => {
        group.hidden = !group.dataset.kinds.split(" ").includes(select.value);
      });
    };
    select.addEventListener("change", update);
    update();
  });

  document.querySelectorAll("input[data-filter-options]").forEach((input) => {
    const select = document.getElementById(input.dataset.filterOptions);
    if (!select) return;
    const status = document.getElementById(input.getAttribute("aria-describedby") || "");
    const filter = () => {
      const words = input.value.trim().toLowerCase();
      let shown = 0;
      Array.from(select.options).forEach((option) => {
        if (!option.value) return;
        const match = !words || option.text.toLowerCase().includes(words);
        option.hidden = !match && !option.selected;
        if (match) shown += 1;
      });
      if (status) {
        status.textContent = words ? `${shown} checkpoint${shown === 1 ? "" : "s"} match “${input.value.trim()}”.` : "";
      }
    };
    input.addEventListener("input", filter);
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        filter();
      }
    });
  });
});
/* ==== end of Smart Routing editor ==== */
