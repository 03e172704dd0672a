/* 在线访谈直播: polls the transcript after the last line shown (ETag + since cursor) and appends new lines. A failed
   poll (the network dropped) is retried with a growing pause; nothing is lost because the cursor only moves on what
   was received. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || root.getAttribute("data-state") === "ended") return;
  var list = root.querySelector("[data-transcript]");
  var url = root.getAttribute("data-live-url");
  var cursor = parseInt(root.getAttribute("data-cursor"), 10) || 0;
  var pause = (parseInt(root.getAttribute("data-poll"), 10) || 5) * 1000;
  var etag = null;
  var failures = 0;

  function append(entry) {
    if (list.querySelector('[data-id="' + entry.id + '"]')) return;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.className = "entry entry-" + entry.role;
    li.setAttribute("data-id", entry.id);
    var speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.textContent = entry.speaker;
    var time = document.createElement("time");
    time.textContent = entry.time;
    var p = document.createElement("p");
    p.textContent = entry.content;
    li.appendChild(speaker);
    li.appendChild(time);
    li.appendChild(p);
    list.appendChild(li);
  }

  function poll() {
    var headers = {};
    if (etag) headers["If-None-Match"] = etag;
    fetch(url + "?since=" + cursor, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status === 304) return null;
        if (!response.ok) throw new Error(response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        if (data) {
          data.entries.forEach(append);
          cursor = Math.max(cursor, data.cursor);
          if (data.state === "ended") {
            root.setAttribute("data-state", "ended");
            return;
          }
        }
        window.setTimeout(poll, pause);
      })
      .catch(function () {
        failures += 1;
        window.setTimeout(poll, Math.min(60000, pause * (failures + 1)));
      });
  }
  window.setTimeout(poll, pause);
})();
