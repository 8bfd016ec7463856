// The On site page: the arrival counts follow the desk without a reload. Every few seconds the
// counts are read again from the page's own JSON; without this script they are those of the
// page's opening, as the page says.
(function () {
  "use strict";
  var counts = document.getElementById("arrival-counts");
  if (!counts) { return; }
  var status = document.getElementById("counts-status");
  var EVERY = 5000;

  function showBar(card, checkedIn, expected) {
    var bar = card.querySelector("[data-bar]");
    var share = expected ? Math.round(100 * checkedIn / expected) : 0;
    bar.style.width = share + "%";
    bar.setAttribute("data-share", String(share));
  }

  function show(days) {
    days.forEach(function (day) {
      var card = counts.querySelector('[data-day="' + day.day + '"]');
      if (!card) { return; }
      card.querySelector("[data-checked-in]").textContent = String(day.checked_in);
      card.querySelector("[data-expected]").textContent = String(day.expected);
      card.querySelector("[data-still-expected]").textContent = String(day.still_expected);
      showBar(card, day.checked_in, day.expected);
    });
    var now = new Date();
    status.textContent = "Counted at " + now.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"}) + " (your clock).";
  }

  function refresh() {
    fetch(counts.getAttribute("data-counts-url"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (body) { show(body.days); })
      .catch(function () { status.textContent = "The counts could not be refreshed; trying again."; })
      .then(function () { window.setTimeout(refresh, EVERY); });
  }

  Array.prototype.forEach.call(counts.querySelectorAll("[data-day]"), function (card) {
    var share = card.querySelector("[data-bar]").getAttribute("data-share");
    card.querySelector("[data-bar]").style.width = share + "%";
  });
  window.setTimeout(refresh, EVERY);
})();
