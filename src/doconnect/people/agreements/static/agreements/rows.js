// "Weitere Zeile" on the agreement form: add a row of one side in the page, from the
// side's <template>, and count it in the formset's TOTAL_FORMS. Without this script
// the button posts the form back and the server answers with one row more.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const side = button.dataset.addRow;
  const template = document.getElementById(`${side}-row-template`);
  const total = document.getElementById(`id_${side}-TOTAL_FORMS`);
  const most = document.getElementById(`id_${side}-MAX_NUM_FORMS`);
  const rows = document.querySelector(`[data-rows="${side}"]`);
  if (!template || !total || !rows) return;
  const index = Number(total.value);
  if (most && index >= Number(most.value)) return; // the server says why
  event.preventDefault();
  rows.insertAdjacentHTML(
    "beforeend",
    template.innerHTML.replaceAll("__prefix__", index).replaceAll("__number__", index + 1),
  );
  total.value = String(index + 1);
  rows.lastElementChild.querySelector("textarea, input, select")?.focus();
});
