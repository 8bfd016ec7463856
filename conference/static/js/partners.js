// Adding a partner: the fields for a new organisation show only while "a new organisation" is
// chosen. Without this script they simply stay visible.
(function () {
  "use strict";
  var select = document.getElementById("organisation");
  var fields = document.getElementById("new-organisation");
  if (!select || !fields) { return; }
  function update() { fields.hidden = select.value !== "new"; }
  select.addEventListener("change", update);
  update();
})();
