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
document.addEventListener("DOMContentLoaded", function () {
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
