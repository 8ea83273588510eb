// Search as you type, with no server round trip: an input with data-filter="#list" hides the
// children of #list whose data-text does not contain every word typed. A button with
// data-fill="#input" data-value="..." puts its value into that input.
(function () {
  "use strict";
  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }
  function filter(input) {
    var list = document.querySelector(input.getAttribute("data-filter"));
    if (!list) { return; }
    var wanted = words(input.value);
    Array.prototype.forEach.call(list.children, function (item) {
      var text = (item.getAttribute("data-text") || item.textContent).toLowerCase();
      item.hidden = !wanted.every(function (w) { return text.indexOf(w) >= 0; });
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-filter")) { filter(event.target); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-fill]");
    if (!button) { return; }
    var input = document.querySelector(button.getAttribute("data-fill"));
    if (input) { input.value = button.getAttribute("data-value"); input.focus(); filter(input); }
  });
})();
