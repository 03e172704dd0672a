/* 受理台: draft kept on the server as the operator types, knowledge-base search, caller history, 派单目录 proposal,
   keyboard shortcuts. Everything works without it too: the form posts normally. */
(function () {
  "use strict";
  var form = document.getElementById("console-form");
  if (!form) return;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("draft-status");
  var field = function (name) { return form.elements[name]; };
  var timers = {};
  function later(key, ms, fn) { clearTimeout(timers[key]); timers[key] = setTimeout(fn, ms); }

  // -- draft -------------------------------------------------------------------------------------------------
  var submitting = false;
  function draftData() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }
  function saveDraft() {
    if (submitting) return;
    fetch(form.dataset.draftUrl, { method: "POST", body: draftData(), credentials: "same-origin",
      headers: { "X-CSRFToken": csrf } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.saved) status.textContent = "草稿已保存 " + data.at; })
      .catch(function () { status.textContent = "草稿暂未保存（网络中断），恢复连接后会自动保存。"; });
  }
  form.addEventListener("input", function () { later("draft", 600, saveDraft); });
  form.addEventListener("change", function () { later("draft", 300, saveDraft); });
  window.addEventListener("online", saveDraft);
  window.addEventListener("pagehide", function () {
    if (!submitting && navigator.sendBeacon) navigator.sendBeacon(form.dataset.draftUrl, draftData());
  });
  form.addEventListener("submit", function () { submitting = true; });
  var discard = document.getElementById("discard-draft");
  if (discard) discard.addEventListener("click", function () {
    var data = new FormData(); data.append("discard", "1"); data.append("csrfmiddlewaretoken", csrf);
    fetch(form.dataset.draftUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function () { window.location.href = window.location.pathname; });
  });

  // -- knowledge base ----------------------------------------------------------------------------------------
  var kbQuery = document.getElementById("kb-query");
  var kbHits = document.getElementById("kb-hits");
  var hits = [];
  function useHit(index) {
    var hit = hits[index];
    if (!hit) return;
    field("answer").value = hit.answer;
    field("knowledge_entry").value = hit.id;
    field("referral").value = "";
    field("answer").focus();
    later("draft", 10, saveDraft);
  }
  function renderHits() {
    kbHits.textContent = "";
    if (!hits.length) { var none = document.createElement("li"); none.textContent = "没有找到相关知识。"; kbHits.appendChild(none); return; }
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      var title = document.createElement("strong"); title.textContent = (i + 1) + ". " + hit.title; li.appendChild(title);
      var meta = document.createElement("div"); meta.className = "help";
      meta.textContent = hit.category + "｜" + hit.owner + (hit.valid_until ? "｜有效期至 " + hit.valid_until : "");
      li.appendChild(meta);
      var answer = document.createElement("div"); answer.textContent = hit.answer; li.appendChild(answer);
      var button = document.createElement("button"); button.type = "button"; button.className = "button button-small";
      button.textContent = "选用此答复（Alt+" + (i + 1) + "）"; button.setAttribute("aria-keyshortcuts", "Alt+" + (i + 1));
      button.addEventListener("click", function () { useHit(i); });
      li.appendChild(button);
      kbHits.appendChild(li);
    });
  }
  function searchKnowledge(q) {
    var params = new URLSearchParams({ q: q || "", category: field("category").value || "" });
    fetch(form.dataset.knowledgeUrl + "?" + params, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { hits = data.hits; renderHits(); });
  }
  field("content").addEventListener("input", function () {
    if (!kbQuery.dataset.typed) kbQuery.value = field("content").value.slice(0, 200);
    later("kb", 300, function () { searchKnowledge(kbQuery.value); });
  });
  kbQuery.addEventListener("input", function () {
    kbQuery.dataset.typed = kbQuery.value ? "1" : "";
    later("kb", 250, function () { searchKnowledge(kbQuery.value); });
  });

  // -- caller history ----------------------------------------------------------------------------------------
  var history = document.getElementById("history");
  field("caller_phone").addEventListener("input", function () {
    later("history", 400, function () {
      var phone = field("caller_phone").value.replace(/\D/g, "");
      if (phone.length < 5) return;
      fetch(form.dataset.historyUrl + "?phone=" + encodeURIComponent(phone), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          history.textContent = "";
          if (!data.orders.length) { var li = document.createElement("li"); li.textContent = "该号码没有近期来电。"; history.appendChild(li); return; }
          data.orders.forEach(function (o) {
            var li = document.createElement("li"); var a = document.createElement("a");
            a.href = o.url; a.textContent = o.number; a.target = "_blank"; li.appendChild(a);
            li.appendChild(document.createTextNode(" " + o.received + " " + o.category + " " + o.summary + "（" + o.state + (o.unit ? "，" + o.unit : "") + "）"));
            history.appendChild(li);
          });
        });
    });
  });

  // -- 派单目录 and referral texts ----------------------------------------------------------------------------
  var catalog = JSON.parse(document.getElementById("catalog-map").textContent);
  var referralTexts = JSON.parse(document.getElementById("referral-texts").textContent);
  var hint = document.getElementById("catalog-hint");
  var autoUnit = null;
  function proposeUnit() {
    var entry = catalog[field("category").value];
    var unit = field("unit");
    if (entry && entry.lead && (!unit.value || unit.value === autoUnit)) {
      unit.value = String(entry.lead); autoUnit = unit.value;
      hint.textContent = "已按派单目录建议主办单位：" + unit.options[unit.selectedIndex].text;
    }
    checkCatalog();
  }
  function checkCatalog() {
    var entry = catalog[field("category").value];
    var unit = field("unit").value;
    if (entry && unit && String(entry.lead) !== unit && entry.units.indexOf(Number(unit)) < 0) {
      hint.textContent = "所选单位不在该分类的派单目录中，请填写派单理由。";
    }
  }
  field("category").addEventListener("change", function () { proposeUnit(); searchKnowledge(kbQuery.value); });
  field("unit").addEventListener("change", checkCatalog);
  field("referral").addEventListener("change", function () {
    var text = referralTexts[field("referral").value];
    if (text) { field("answer").value = text; field("knowledge_entry").value = ""; }
  });

  // -- shortcuts ---------------------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key.toLowerCase();
    var target = { d: "do-direct", p: "do-dispatch", w: "do-invalid" }[key];
    if (target) { event.preventDefault(); document.getElementById(target).click(); return; }
    if (key === "k") { event.preventDefault(); kbQuery.focus(); kbQuery.select(); return; }
    if (/^[1-5]$/.test(key)) { event.preventDefault(); useHit(Number(key) - 1); }
  });
  if (field("content").value) { kbQuery.value = field("content").value.slice(0, 200); searchKnowledge(kbQuery.value); }
  if (field("caller_phone").value) field("caller_phone").dispatchEvent(new Event("input"));
  field("caller_phone").focus();
})();
