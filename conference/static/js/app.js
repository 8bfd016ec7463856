// Small enhancements; every page works without them.
(function () {
  "use strict";

  // A form sends once: a double click must not submit it twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "true") {
      event.preventDefault();
      return;
    }
    form.dataset.submitted = "true";
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
      button.classList.add("disabled");
    });
  });

  // A long country list gets a search box that narrows it as you type.
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var options = Array.prototype.slice.call(select.options);
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control country-search";
    search.placeholder = "Type to search, e.g. Netherlands";
    search.setAttribute("aria-label", "Search the list of countries");
    search.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(search, select);
    search.addEventListener("input", function () {
      var words = search.value.trim().toLowerCase();
      var first = null;
      options.forEach(function (option) {
        var match = !option.value || option.text.toLowerCase().indexOf(words) !== -1 ||
          option.value.toLowerCase() === words;
        option.hidden = !match;
        if (match && option.value && first === null) { first = option; }
      });
      if (words && first && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden)) {
        select.value = first.value;
      }
    });
  });

  // "Another organisation" reveals the field for its name.
  document.querySelectorAll("select[data-other-target]").forEach(function (select) {
    var target = document.getElementById(select.dataset.otherTarget);
    if (!target) { return; }
    var wrapper = target.closest(".mb-3");
    function update() { wrapper.hidden = select.value !== "other"; }
    select.addEventListener("change", update);
    update();
  });
})();
