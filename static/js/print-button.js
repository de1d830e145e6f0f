// A "Print" button (data-print): the browser's print dialog; the page's print styles do the rest.
document.addEventListener("click", (event) => {
  if (event.target.closest("button[data-print]")) window.print();
});
