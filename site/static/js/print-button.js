// Buttons marked data-print-now print the page (the news print view, the counting keys' page in the admin): a
// listener in a file, since the Content-Security-Policy refuses onclick attributes.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print-now]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
