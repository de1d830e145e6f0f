// "None of these": the person's own act that answers No to every question of a group they
// have not answered yet. Answers already given (yes, unsure, no) are never changed, and every
// radio it ticks is visible before the form is sent. Nothing is ever ticked on page load.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-none-of]");
  if (!button) return;
  const group = button.dataset.noneOf;
  const radios = document.querySelectorAll(
    `[data-answer-group="${group}"] input[type="radio"]`
  );
  const names = new Set(Array.from(radios, (radio) => radio.name));
  let changed = null;
  for (const name of names) {
    const same = Array.from(radios).filter((radio) => radio.name === name);
    if (same.some((radio) => radio.checked)) continue;
    const no = same.find((radio) => radio.value === "no");
    if (no) {
      no.checked = true;
      changed = no;
    }
  }
  if (changed) changed.dispatchEvent(new Event("change", { bubbles: true }));
});
