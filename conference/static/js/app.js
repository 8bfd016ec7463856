// Small enhancements; every page works without them.
(function () {
  "use strict";

  // A form sends once: a double click must not submit it twice. A form whose own script
  // handled the submit (the check-in desk's, scan after scan) sends nothing to guard.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) { return; }
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

  // A name as people read it, to compare: accents folded, case ignored ("Türkiye" ~ "turk"),
  // as conference/countries.py sorts the list.
  function folded(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  // A long country list gets a search box that narrows it as you type, and picks the first match.
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    var options = Array.prototype.slice.call(select.options);
    var group = document.createElement("div");
    group.className = "input-group country-search";
    var label = document.createElement("span");
    label.className = "input-group-text";
    label.textContent = "Search";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control";
    search.placeholder = "Type a few letters, e.g. Neth";
    search.setAttribute("aria-label", "Search the list of countries");
    search.setAttribute("aria-controls", select.id);
    group.appendChild(label);
    group.appendChild(search);
    select.parentNode.insertBefore(group, select);
    search.addEventListener("input", function () {
      var words = folded(search.value.trim());
      var first = null;
      options.forEach(function (option) {
        var match = !option.value || folded(option.text).indexOf(words) !== -1 ||
          option.value.toLowerCase() === words;
        option.hidden = !match;
        if (match && option.value && first === null) { first = option; }
      });
      var current = select.options[select.selectedIndex];
      if (words && first && (!select.value || !current || current.hidden)) {
        select.value = first.value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  // A Copy button copies its target: a field's value, or the text of a list (one line an item).
  // Without a clipboard the button stays hidden and the text can be selected by hand.
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var target = document.getElementById(button.dataset.copyTarget);
    if (!target || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "value" in target ? target.value : target.innerText.trim();
      navigator.clipboard.writeText(text).then(function () {
        button.textContent = "Copied";  // and stays so: what is copied does not change
      }, function () {
        if (target.select) { target.select(); }
      });
    });
  });

  // A Print button prints the page, with the print styles of app.css.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
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
