// The assessment form, one section at a time. Without this script every section shows, in
// order, and the section list is a list of links to them.
// - A field, red-flag group or section marked data-shown-by / data-shown-for is shown only
//   while that answer has one of those values (the neck groups for a cervical presentation,
//   weeks only when pregnant). Hidden inputs are disabled, so they are not sent.
// - One section shows at a time: the links in the section list, "Next section" /
//   "Previous section" and Alt+Page Down / Alt+Page Up move between the sections that apply.
(() => {
  const form = document.getElementById("assessment-form");
  if (!form) return;
  const sections = Array.from(form.querySelectorAll("fieldset[data-section]"));
  const links = Array.from(document.querySelectorAll("[data-section-link]"));
  let current = null;

  function values(name) {
    return Array.from(form.querySelectorAll(`[name="${name}"]`))
      .filter((el) => (el.type === "checkbox" || el.type === "radio" ? el.checked : el.value))
      .map((el) => el.value);
  }

  function applyConditions() {
    document.querySelectorAll("[data-shown-by]").forEach((el) => {
      const wanted = el.dataset.shownFor.split(" ");
      const shown = values(el.dataset.shownBy).some((value) => wanted.includes(value));
      el.classList.toggle("not-applicable", !shown);
    });
    form.querySelectorAll("input, select, textarea").forEach((input) => {
      if (input.name === "csrfmiddlewaretoken") return;
      input.disabled = Boolean(input.closest(".not-applicable"));
    });
    updateButtons();
  }

  function applicable() {
    return sections.filter((section) => !section.classList.contains("not-applicable"));
  }

  function updateButtons() {
    const shown = applicable();
    sections.forEach((section) => {
      const index = shown.indexOf(section);
      section.querySelector('[data-step="previous"]').hidden = index <= 0;
      section.querySelector('[data-step="next"]').hidden = index === -1 || index === shown.length - 1;
    });
  }

  function show(section, focus) {
    current = section;
    sections.forEach((other) => other.classList.toggle("step-hidden", other !== section));
    links.forEach((link) => {
      const here = link.dataset.sectionLink === section.dataset.section;
      link.classList.toggle("current", here);
      const anchor = link.querySelector("a");
      if (here) anchor.setAttribute("aria-current", "step");
      else anchor.removeAttribute("aria-current");
    });
    if (focus) {
      const first = section.querySelector(
        "input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)"
      );
      (first || section.querySelector("legend")).focus({ preventScroll: true });
      if (section.getBoundingClientRect().top < 0) section.scrollIntoView({ block: "start" });
    }
  }

  function move(step) {
    const shown = applicable();
    const next = shown[shown.indexOf(current) + step];
    if (next) show(next, true);
  }

  document.addEventListener("click", (event) => {
    const anchor = event.target.closest('a[href^="#section-"]');
    if (anchor) {
      const section = document.getElementById(anchor.hash.slice(1));
      if (section && !section.classList.contains("not-applicable")) {
        event.preventDefault();
        show(section, true);
      }
      return;
    }
    const button = event.target.closest("button[data-step]");
    if (button) move(button.dataset.step === "next" ? 1 : -1);
  });
  document.addEventListener("keydown", (event) => {
    if (!event.altKey) return;
    if (event.key === "PageDown") move(1);
    else if (event.key === "PageUp") move(-1);
    else return;
    event.preventDefault();
  });
  form.addEventListener("change", applyConditions);

  form.classList.add("stepped");
  applyConditions();
  const withError = applicable().find((section) => section.querySelector(".has-error"));
  show(withError || applicable()[0], Boolean(withError));
})();
