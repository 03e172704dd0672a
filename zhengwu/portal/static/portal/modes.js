// 长者模式 (older-users mode): large type, high contrast, large targets. Applied before the first paint and kept
// across pages and visits in localStorage; the server renders the same page for everybody, so caches stay simple.
(function () {
  var KEY = "zw-elder";
  var root = document.documentElement;
  function stored() { try { return localStorage.getItem(KEY) === "1"; } catch (e) { return false; } }
  function apply(on) {
    root.classList.toggle("elder", on);
    var buttons = document.querySelectorAll("[data-elder-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].textContent = on ? "退出长者模式" : "长者模式";
    }
  }
  apply(stored());
  document.addEventListener("DOMContentLoaded", function () {
    apply(stored());
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-elder-toggle]") : null;
      if (!button) { return; }
      var on = !root.classList.contains("elder");
      try { localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
      apply(on);
    });
  });
})();
