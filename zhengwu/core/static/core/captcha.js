// 「看不清？换一张」: fetch a new captcha without reloading the form (what was typed stays). Without JavaScript the
// button stays hidden and reloading the page gives a new image.
(function () {
  if (window.zhengwuCaptcha) return;
  window.zhengwuCaptcha = true;
  function setUp() {
    document.querySelectorAll("[data-captcha]").forEach(function (box) {
      var button = box.querySelector("[data-captcha-refresh]");
      if (!button) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        fetch(button.getAttribute("data-captcha-refresh"), { headers: { "X-Requested-With": "XMLHttpRequest" } })
          .then(function (response) { return response.json(); })
          .then(function (data) {
            box.querySelector("img.captcha").src = data.image_url;
            box.querySelector('input[type="hidden"]').value = data.key;
            var answer = box.querySelector('input[type="text"]');
            answer.value = "";
            answer.focus();
          });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
