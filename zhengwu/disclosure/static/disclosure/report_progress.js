// 年度报告 publication runs in the background: while it runs, read its progress every few seconds and show it;
// reload the page when it has finished (published or failed) so that the files and messages appear.
(function () {
  var box = document.querySelector("[data-progress-url][data-polling]");
  if (!box) return;
  var url = box.getAttribute("data-progress-url");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        box.querySelector("[data-progress-step]").textContent = data.step;
        box.querySelector("[data-progress-value]").textContent = data.progress;
        box.querySelector("[data-progress-label]").textContent = data.label;
        box.querySelector("progress").value = data.progress;
        if (data.state === "queued" || data.state === "running") setTimeout(tick, 2000);
        else window.location.reload();
      })
      .catch(function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 1500);
})();
