// 绩效自评工作台: progress bars for generation, and pages that refresh once validation is done.
"use strict";
function poll(url, every, fn) {
  var stop = false;
  function tick() {
    if (stop) return;
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (d) {
      if (fn(d) === false) { stop = true; return; }
      setTimeout(tick, every);
    }).catch(function () { setTimeout(tick, every * 3); });
  }
  tick();
}
// file pickers in Chinese, whatever the browser's own language: a button, and what was chosen
function chinesePicker(input) {
  var pick = document.createElement("button"), shown = document.createElement("span");
  pick.type = "button"; pick.className = "pick";
  pick.textContent = input.hasAttribute("webkitdirectory") ? "选择文件夹" : (input.multiple ? "选择文件" : "选择文件");
  shown.className = "picked"; shown.textContent = "未选择文件";
  input.classList.add("picker-hidden");
  input.insertAdjacentElement("afterend", shown);
  input.insertAdjacentElement("afterend", pick);
  pick.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", function () {
    var n = input.files.length;
    shown.textContent = n === 0 ? "未选择文件" : (n === 1 ? input.files[0].name : "已选择 " + n + " 个文件");
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file]").forEach(chinesePicker);
  document.querySelectorAll("[data-job]").forEach(function (el) {
    var bar = el.querySelector("progress"), text = el.querySelector(".job-text"), link = el.querySelector(".job-download");
    poll(el.getAttribute("data-job"), 600, function (d) {
      bar.max = Math.max(d.total, 1); bar.value = d.done;
      text.textContent = d.status + "：" + d.done + " / " + d.total + (d.message ? " " + d.message : "");
      if (d.download) { link.classList.remove("hidden"); link.href = d.download; }
      return d.status === "排队" || d.status === "进行中";
    });
  });
  document.querySelectorAll("[data-pending]").forEach(function (el) {
    poll(el.getAttribute("data-pending"), 1000, function (d) {
      if (!d.pending) { location.reload(); return false; }
    });
  });
});
