// "Print" buttons (progress checks, learning stories): the CSP allows no
// inline handlers, so the button is found by its data attribute.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
