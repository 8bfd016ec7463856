// The check-in desk. A scan (camera, USB scanner or typed) goes to the server at once while
// the network is up; when it is down, the desk checks people in from its offline copy and
// keeps what it recorded until the network is back, then sends it and shows the server's
// answer where it differs. The copy and the queue live in this browser's localStorage, hold
// badges only as SHA-256 hashes, and are wiped at log-out and when the event is over.
// Without this script the desk still works: the forms post to the server.
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root) { return; }
  var PREFIX = "check-in-desk:";
  var KEY = PREFIX + root.getAttribute("data-event") + ":";
  var REFRESH_EVERY = 60000;
  var RETRY_EVERY = 10000;
  var BATCH = Number(root.getAttribute("data-batch"));  // check-ins the server takes at once
  var TOKEN = /^[A-Z2-7]{26}$/;
  var REFERENCE = /^[A-Z0-9]{2,10}-[A-Z0-9]{4,8}$/;
  var scanForm = root.querySelector("[data-scan-form]");
  var codeField = document.getElementById("code");
  var network = document.getElementById("desk-network");
  var answerBox = document.getElementById("desk-answer");
  var template = document.getElementById("desk-answer-template");
  var searchForm = root.querySelector("[data-search-form]");
  var searchField = document.getElementById("q");
  var foundList = root.querySelector("[data-found]");
  var conflicts = document.getElementById("desk-conflicts");
  var session = new URLSearchParams(window.location.search).get("session");
  var online = navigator.onLine;
  var sending = false;
  var over = null;  // what the server said once the event is over: the desk keeps no copy
  var csrf = scanForm.querySelector("[name=csrf_token]").value;

  // --- the store: this desk's copy, its queue, its name ---------------------------------------

  function load(name, fallback) {
    try { return JSON.parse(window.localStorage.getItem(KEY + name)) || fallback; }
    catch (e) { return fallback; }
  }
  function save(name, value) { window.localStorage.setItem(KEY + name, JSON.stringify(value)); }
  function wipe() {
    Object.keys(window.localStorage).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) { window.localStorage.removeItem(key); }
    });
  }
  function copy() {
    var kept = load("copy", null);
    if (kept && new Date(kept.expires_at) <= new Date()) { wipe(); return null; }
    return kept;
  }
  function forgetCopy() { window.localStorage.removeItem(KEY + "copy"); }
  function queue() { return load("queue", []); }
  function deskName() {
    var name = load("name", null);
    if (!name) { name = "Desk " + randomId().slice(0, 4).toUpperCase(); save("name", name); }
    return name;
  }
  function randomId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- what the desk shows ------------------------------------------------------------------

  function clock(iso) {
    var kept = copy();
    var options = {hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
    if (kept && kept.timezone) { options.timeZone = kept.timezone; }
    return new Date(iso).toLocaleTimeString("en-GB", options);
  }

  function dayOf(iso) {  // the day at the venue, as the copy's "day" writes it (YYYY-MM-DD)
    var kept = copy();
    var options = {year: "numeric", month: "2-digit", day: "2-digit"};
    if (kept && kept.timezone) { options.timeZone = kept.timezone; }
    return new Intl.DateTimeFormat("en-CA", options).format(new Date(iso));
  }

  // A check-in counts for today's "already" only when it was made today at the venue: a copy
  // made on the first day says nothing of who came in on the second.
  function checkedInToday(person) {
    return Boolean(person.checked_in_at) && dayOf(person.checked_in_at) === dayOf(new Date().toISOString());
  }

  var STATES = {checked_in: "✓ Checked in", already: "✓ Already checked in", refused: "✗ Refused"};

  function show(outcome, message, person) {
    var card = template.content.firstElementChild.cloneNode(true);
    card.className = card.className.replace("desk-none", "desk-" + outcome);
    card.querySelector("[data-state]").textContent = STATES[outcome];
    card.querySelector("[data-message]").textContent = message;
    if (person) {
      card.querySelector("[data-name]").textContent = person.name;
      card.querySelector("[data-who]").textContent = person.organisation + (person.country ? " · " + person.country : "");
      card.querySelector("[data-role]").textContent = person.role;
      ["[data-name]", "[data-who]", "[data-role-line]"].forEach(function (part) {
        card.querySelector(part).hidden = false;
      });
      card.querySelector("[data-reference]").textContent = person.reference;
      var needs = person.needs || (unsealed && unsealed.reference === person.reference ? unsealed.needs : "");
      if (needs || person.has_needs) {
        card.querySelector("[data-needs-text]").textContent = needs ||
          "has accessibility needs: scan their badge to read them, or ask the supervisor.";
        card.querySelector("[data-needs]").hidden = false;
      }
    }
    answerBox.replaceChildren(card);
  }

  function showNetwork() {
    var waiting = queue().filter(function (item) { return !item.refused; }).length;
    var kept = copy();
    network.hidden = false;
    network.classList.toggle("desk-offline", !online);
    if (!online) {
      network.textContent = "Offline: " + waiting + " check-in" + (waiting === 1 ? "" : "s") + " waiting to be sent." +
        (kept ? " Checking against the copy of " + clock(kept.made_at) + "." : " No offline copy on this desk.");
    } else if (over) {
      network.textContent = over + (waiting ? " Sending " + waiting + " check-in" + (waiting === 1 ? "" : "s") + "…" : "");
    } else if (waiting) {
      network.textContent = "Online: sending " + waiting + " check-in" + (waiting === 1 ? "" : "s") + "…";
    } else {
      network.textContent = "Online" + (kept ? " · offline copy of " + kept.people.length + " delegates, updated at " + clock(kept.made_at) : "") + ".";
    }
  }

  function flag(text) {
    var item = document.createElement("li");
    item.textContent = text;
    conflicts.querySelector("[data-conflicts]").appendChild(item);
    conflicts.hidden = false;
  }

  // --- the offline copy ---------------------------------------------------------------------

  function personWith(field, value) {
    var kept = copy();
    if (!kept) { return null; }
    for (var i = 0; i < kept.people.length; i += 1) {
      if (kept.people[i][field] === value) { return kept.people[i]; }
    }
    return null;
  }

  function remember(person, at) {  // the copy learns of a check-in, so a second scan says so
    var kept = copy();
    if (!kept || session) { return; }
    kept.people.forEach(function (one) {
      if (one.reference === person.reference && (!checkedInToday(one) || at < one.checked_in_at)) {
        one.checked_in_at = at;
        one.checked_in_by = "this desk";
      }
    });
    save("copy", kept);
  }

  function refreshCopy() {
    return fetch(root.getAttribute("data-copy-url"), {headers: {Accept: "application/json"}, credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) {
          wipe();  // logged out, or no longer on the desk: nothing stays behind
          throw new Error("not allowed");
        }
        if (response.status === 410) {  // the event is over: the copy goes, the queue is sent
          forgetCopy();
          return response.json().then(function (body) { over = body.error; online = true; return send(); });
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json().then(keep);
      })
      .catch(function () { online = navigator.onLine && online; })
      .then(showNetwork);
  }

  function keep(body) {
    csrf = body.csrf_token;
    delete body.csrf_token;
    var waiting = queue();  // what this desk recorded and has not sent is still true
    save("copy", body);
    waiting.forEach(function (item) { if (item.person) { remember(item.person, item.at); } });
    over = null;
    online = true;
    return send();
  }

  // --- checking in --------------------------------------------------------------------------

  function post(items) {
    return fetch(root.getAttribute("data-sync-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({desk: deskName(), items: items})
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    });
  }

  function send() {
    if (!queue().length || sending) { return Promise.resolve(); }
    sending = true;
    return sendNext().then(function () {
      online = true;
    }, function () {
      online = false;
    }).then(function () {
      sending = false;
      showNetwork();
    });
  }

  function sendNext() {  // the queue, oldest first, as many at a time as the server takes
    var waiting = queue().slice(0, BATCH);
    if (!waiting.length) { return Promise.resolve(); }
    var batch = waiting.map(function (item) {
      return {id: item.id, badge: item.badge, reference: item.reference, at: item.at, session: item.session,
        refused: Boolean(item.refused)};
    });
    return post(batch).then(function (body) {
      var sent = {};
      body.answers.forEach(function (answer, i) {
        var item = waiting[i];
        sent[item.id] = true;
        var name = item.person ? item.person.name : "A badge";
        if (item.refused) {
          return;  // the desk said so at the time; the server has only recorded it
        } else if (answer.outcome === "refused") {
          flag(name + " (checked in offline at " + clock(item.at) + "): refused by the server. " + answer.message);
        } else if (answer.outcome === "invalid") {
          flag(name + ": not taken by the server. " + answer.message);
        } else if (answer.outcome === "already" && answer.at && new Date(answer.at) < new Date(item.at)) {
          flag(name + ": another desk saw them first. " + answer.message);
        }
      });
      save("queue", queue().filter(function (item) { return !sent[item.id]; }));
      showNetwork();
      return sendNext();
    });
  }

  function offlineAnswer(item) {
    var person = item.person;
    if (!person) {
      var kept = copy();
      var refusals = queue();
      refusals.push(Object.assign({}, item, {refused: true}));  // audited at the next sync
      save("queue", refusals);
      show("refused", kept ? "Not a valid badge in this desk's copy of " + clock(kept.made_at) + ". Send them to the supervisor."
        : "Offline, and this desk has no copy to check badges against.", null);
      return;
    }
    var again = queue().some(function (one) {
      return one.person && one.person.reference === person.reference && one.session === item.session &&
        (session || dayOf(one.at) === dayOf(item.at));
    });
    if (!session && checkedInToday(person)) {
      show("already", "Already checked in today at " + clock(person.checked_in_at) + " by " + (person.checked_in_by || "another desk") + ".", person);
    } else if (again) {
      show("already", "Already recorded by this desk.", person);
    } else {
      var waiting = queue();
      waiting.push(item);
      save("queue", waiting);
      remember(person, item.at);
      show("checked_in", "Checked in (offline: sent when the network is back).", person);
    }
    showNetwork();
  }

  function record(target, person) {
    var item = {id: randomId(), at: new Date().toISOString(), session: session ? Number(session) : null, person: person};
    if (target.badge) { item.badge = target.badge; } else { item.reference = target.reference; }
    if (!online) { offlineAnswer(item); return; }
    // Sent with no time: the server checks them in at its own, whatever this desk's clock says.
    post([{id: item.id, badge: item.badge, reference: item.reference, session: item.session}])
      .then(function (body) {
        var answer = body.answers[0];
        show(answer.outcome === "invalid" ? "refused" : answer.outcome, answer.message, answer.person);
        if (answer.outcome !== "refused" && answer.person && answer.at) { remember(answer.person, answer.at); }
      })
      .catch(function () {
        online = false;
        offlineAnswer(item);
      });
  }

  function sha256(text) {
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (digest) {
      return Array.prototype.map.call(new Uint8Array(digest), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    });
  }

  // The needs of the person whose badge was just scanned, opened from the copy with that badge:
  // kept in memory for the card, never stored.
  var unsealed = null;

  function unseal(person, code) {
    unsealed = null;
    if (!person || !person.needs_sealed) { return Promise.resolve(); }
    var sealed = Uint8Array.from(window.atob(person.needs_sealed), function (c) { return c.charCodeAt(0); });
    return window.crypto.subtle.digest("SHA-256", new TextEncoder().encode("needs:" + code))
      .then(function (key) { return window.crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]); })
      .then(function (key) { return window.crypto.subtle.decrypt({name: "AES-GCM", iv: sealed.slice(0, 12)}, key, sealed.slice(12)); })
      .then(function (plain) { unsealed = {reference: person.reference, needs: new TextDecoder().decode(plain)}; })
      .catch(function () { unsealed = null; });  // not this badge's: the card says to ask
  }

  function handle(typed) {
    var code = typed.trim().toUpperCase();
    if (!code) { return; }
    if (REFERENCE.test(code)) {
      record({reference: code}, personWith("reference", code));
    } else if (TOKEN.test(code)) {
      sha256(code).then(function (hash) {
        var person = personWith("badge", hash);
        return unseal(person, code).then(function () { record({badge: hash}, person); });
      });
    } else {
      searchField.value = typed.trim();
      if (copy()) { search(); } else { searchForm.submit(); }  // no copy: the server searches
    }
  }

  // --- finding someone by name, in the copy -------------------------------------------------

  function folded(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }

  function search() {
    var kept = copy();
    var wanted = folded(searchField.value.trim());
    foundList.replaceChildren();
    if (!wanted || !kept) { return; }
    kept.people.filter(function (person) {
      return folded(person.name).indexOf(wanted) >= 0 || folded(person.reference).indexOf(wanted) >= 0;
    }).slice(0, 20).forEach(function (person) {
      var item = document.createElement("li");
      item.className = "list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2 px-0";
      var who = document.createElement("span");
      who.textContent = person.name + " · " + person.organisation + (person.country ? " · " + person.country : "") + " " + person.reference;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-brand";
      button.textContent = "Check in " + person.name;
      button.addEventListener("click", function () { record({reference: person.reference}, person); codeField.focus(); });
      item.append(who, button);
      foundList.appendChild(item);
    });
  }

  // --- the camera ---------------------------------------------------------------------------

  var cameraButton = root.querySelector("[data-camera]");
  var video = root.querySelector("[data-camera-view]");
  var stream = null;

  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    cameraButton.textContent = "Scan with the camera";
  }

  function decoder() {
    if ("BarcodeDetector" in window) {
      var detector = new window.BarcodeDetector({formats: ["qr_code"]});
      return function () {
        return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
    }
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", {willReadFrequently: true});
    return function () {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      return Promise.resolve(found ? found.data : null);
    };
  }

  function startCamera() {
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (opened) {
      stream = opened;
      video.srcObject = stream;
      video.hidden = false;
      cameraButton.textContent = "Stop the camera";
      return video.play();
    }).then(function () {
      var read = decoder();
      function look() {
        if (!stream) { return; }
        if (video.readyState < 2) { window.requestAnimationFrame(look); return; }
        read().then(function (value) {
          if (value) { stopCamera(); handle(value); } else { window.requestAnimationFrame(look); }
        }, function () { window.requestAnimationFrame(look); });
      }
      look();
    }).catch(function () {
      stopCamera();
      show("refused", "The camera could not be opened. Allow it for this page, or type the code.", null);
    });
  }

  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia && (window.BarcodeDetector || window.jsQR)) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", function () { if (stream) { stopCamera(); } else { startCamera(); } });
  }

  // --- wiring -------------------------------------------------------------------------------

  scanForm.addEventListener("submit", function (event) {
    event.preventDefault();
    handle(codeField.value);
    codeField.value = "";
    codeField.focus();
  });
  searchForm.addEventListener("submit", function (event) {
    if (copy()) { event.preventDefault(); search(); }
  });
  searchField.addEventListener("input", search);
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/account/logout']"), function (form) {
    form.addEventListener("submit", wipe);
  });
  window.addEventListener("online", function () { online = true; refreshCopy(); });
  window.addEventListener("offline", function () { online = false; showNetwork(); });
  if (session) {
    var door = document.getElementById("door");
    door.value = session;
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(root.getAttribute("data-service-worker"), {scope: root.getAttribute("data-scope")});
  }
  showNetwork();
  refreshCopy();
  window.setInterval(function () { if (online) { refreshCopy(); } else { send().then(refreshCopy); } }, REFRESH_EVERY);
  window.setInterval(function () { if (queue().length) { refreshCopy(); } }, RETRY_EVERY);
})();
