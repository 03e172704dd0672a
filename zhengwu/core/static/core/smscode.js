// 「获取短信验证码」: with JavaScript the code is requested in the background and what was typed stays where it is;
// without it the button submits the form, which comes back with everything kept and the code sent. The phone
// number is read from the form's own field (data-phone-input); the answer is read out through the status line.
(function () {
  if (window.zhengwuSmsCode) return;
  window.zhengwuSmsCode = true;
  function setUp() {
    document.querySelectorAll("[data-sms-code]").forEach(function (box) {
      var button = box.querySelector(".sms-code-send");
      var status = box.querySelector(".sms-code-status");
      var input = box.querySelector("input");
      var form = box.closest("form");
      if (!button || !form) return;
      button.type = "button";
      var label = button.textContent;
      function countdown(seconds) {
        button.disabled = true;
        var left = seconds;
        var timer = setInterval(function () {
          left -= 1;
          if (left <= 0) {
            clearInterval(timer);
            button.disabled = false;
            button.textContent = label;
          } else {
            button.textContent = left + " 秒后可重新获取";
          }
        }, 1000);
        button.textContent = left + " 秒后可重新获取";
      }
      button.addEventListener("click", function () {
        var phoneInput = document.getElementById(box.getAttribute("data-phone-input"));
        var phone = phoneInput ? phoneInput.value.trim() : "";
        status.classList.remove("field-error");
        if (!phone) {
          status.classList.add("field-error");
          status.textContent = "请先填写接收验证码的手机号码。";
          if (phoneInput) phoneInput.focus();
          return;
        }
        var data = new FormData();
        data.append("phone", phone);
        data.append("purpose", box.getAttribute("data-purpose"));
        var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
        if (token) data.append("csrfmiddlewaretoken", token.value);
        button.disabled = true;
        status.textContent = "正在发送……";
        fetch(box.getAttribute("data-send-url"), {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { "X-Requested-With": "XMLHttpRequest" },
        })
          .then(function (response) {
            return response.json();
          })
          .then(function (answer) {
            status.textContent = answer.message;
            if (answer.ok) {
              countdown(answer.retry_after || 60);
              input.focus();
            } else {
              status.classList.add("field-error");
              button.disabled = false;
            }
          })
          .catch(function () {
            status.classList.add("field-error");
            status.textContent = "网络异常，验证码未能发送，请稍后再试。";
            button.disabled = false;
          });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
