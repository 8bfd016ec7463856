// The registration list: tick a whole page at once, and show only the fields an action needs.
// Without this script every field shows and every box is ticked by hand.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=selected]"));
  var pageBox = form.querySelector("[data-select-page]");
  var counter = form.querySelector("[data-selected-count]");

  function count() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    if (counter) { counter.textContent = String(ticked); }
    if (pageBox) {
      pageBox.checked = ticked > 0 && ticked === boxes.length;
      pageBox.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    if (ticked > 0) {
      var selected = document.getElementById("scope-selected");
      if (selected) { selected.checked = true; }
    }
  }
  if (pageBox) {
    pageBox.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = pageBox.checked; });
      count();
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", count); });
  count();

  var action = document.getElementById("action");
  function showFields() {
    form.querySelectorAll("[data-bulk-for]").forEach(function (part) {
      part.hidden = part.dataset.bulkFor.split(" ").indexOf(action.value) === -1;
    });
  }
  if (action) {
    action.addEventListener("change", showFields);
    showFields();
  }
})();
