// 访问统计: one beacon per page view to our own server; no third-party tracker, no cookie.
(function () {
  var id = document.body && document.body.getAttribute("data-page-id");
  if (!id || !navigator.sendBeacon) { return; }
  var data = new FormData();
  data.append("p", id);
  navigator.sendBeacon("/_hit/", data);
})();
