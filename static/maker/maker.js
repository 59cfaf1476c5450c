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

  // Fragments that refresh themselves: <div data-poll-url="..." data-poll-seconds="5">.
  document.querySelectorAll("[data-poll-url]").forEach((region) => {
    const seconds = Number(region.dataset.pollSeconds || 5);
    const refresh = async () => {
      try {
        const response = await fetch(region.dataset.pollUrl, {
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        if (response.ok) {
          const html = await response.text();
          if (html !== region.innerHTML) region.innerHTML = html;
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
