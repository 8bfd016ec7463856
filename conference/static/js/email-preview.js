// The email editor: the HTML part of the preview shows the words being edited. They are posted
// into the preview's frame (a long text would not fit in its address); without scripts, the
// frame shows the words the email is sent with.
(function () {
  "use strict";
  const form = document.getElementById("email-preview-form");
  if (form) {
    form.requestSubmit();
  }
})();
