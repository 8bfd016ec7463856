// My agenda: the calendar link is selected whole when the field is entered (its Copy button is
// app.js's).
(function () {
  "use strict";
  var field = document.getElementById("agenda-feed-url");
  if (field) {
    field.addEventListener("focus", function () { field.select(); });
  }
})();
