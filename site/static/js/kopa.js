// Progressive enhancement only: every feature works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Collapsible main menu on narrow screens.
  const toggle = document.querySelector(".main-menu__toggle");
  const list = document.getElementById("main-menu-list");
  if (toggle && list) {
    const narrow = window.matchMedia("(max-width: 48rem)");
    const sync = () => {
      toggle.hidden = !narrow.matches;
      if (!narrow.matches) {
        list.hidden = false;
        toggle.setAttribute("aria-expanded", "false");
      } else {
        list.hidden = toggle.getAttribute("aria-expanded") !== "true";
      }
    };
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      list.hidden = open;
    });
    narrow.addEventListener("change", sync);
    sync();
  }

  // Move focus to a form's error summary so screen-reader users hear it first.
  const errors = document.getElementById("form-errors");
  if (errors) errors.focus();
});
