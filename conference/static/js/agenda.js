// My agenda: a Copy button beside the calendar link (the field can be copied by hand without it).
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = "Copied";
        window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
      }, function () {
        field.select();
      });
    });
  });
  var field = document.getElementById("agenda-feed-url");
  if (field) {
    field.addEventListener("focus", function () { field.select(); });
  }
})();
