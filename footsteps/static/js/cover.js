// Covering children in a photo (R28): boxes drawn over the picture, kept as
// fractions of its size in the form's "regions" field; the server paints them.
(function () {
  "use strict";
  var form = document.querySelector("[data-cover]");
  if (!form) return;
  var stage = form.querySelector("[data-stage]");
  var image = stage.querySelector("img");
  var field = form.querySelector("[data-regions]");
  var saved = JSON.parse(document.getElementById("cover-regions").textContent || "[]");
  var suggested = JSON.parse(document.getElementById("cover-suggested").textContent || "[]");
  var boxes = saved.length ? saved : suggested.map(function (b) { return Object.assign({ suggested: true }, b); });

  function draw() {
    stage.querySelectorAll(".cover-box").forEach(function (el) { el.remove(); });
    boxes.forEach(function (box, index) {
      var el = document.createElement("button");
      el.type = "button";
      el.className = "cover-box" + (box.suggested ? " suggested" : "");
      el.style.left = box.x * 100 + "%";
      el.style.top = box.y * 100 + "%";
      el.style.width = box.w * 100 + "%";
      el.style.height = box.h * 100 + "%";
      el.setAttribute("aria-label", "Covered area " + (index + 1) + ": press Delete to remove");
      el.addEventListener("keydown", function (event) {
        if (event.key === "Delete" || event.key === "Backspace") { boxes.splice(index, 1); draw(); }
      });
      stage.appendChild(el);
    });
    field.value = JSON.stringify(boxes.map(function (b) { return { x: b.x, y: b.y, w: b.w, h: b.h }; }));
  }

  var start = null, ghost = null;
  function point(event) {
    var rect = image.getBoundingClientRect();
    return {
      x: Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1),
      y: Math.min(Math.max((event.clientY - rect.top) / rect.height, 0), 1),
    };
  }
  stage.addEventListener("pointerdown", function (event) {
    if (event.target.classList.contains("cover-box")) return;
    start = point(event);
    ghost = document.createElement("div");
    ghost.className = "cover-box";
    stage.appendChild(ghost);
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener("pointermove", function (event) {
    if (!start) return;
    var now = point(event);
    ghost.style.left = Math.min(start.x, now.x) * 100 + "%";
    ghost.style.top = Math.min(start.y, now.y) * 100 + "%";
    ghost.style.width = Math.abs(now.x - start.x) * 100 + "%";
    ghost.style.height = Math.abs(now.y - start.y) * 100 + "%";
  });
  stage.addEventListener("pointerup", function (event) {
    if (!start) return;
    var now = point(event);
    var box = { x: Math.min(start.x, now.x), y: Math.min(start.y, now.y), w: Math.abs(now.x - start.x), h: Math.abs(now.y - start.y) };
    start = null;
    ghost.remove();
    if (box.w > 0.01 && box.h > 0.01) boxes.push(box);
    draw();
  });
  form.querySelector("[data-undo]").addEventListener("click", function () { boxes.pop(); draw(); });
  form.querySelector("[data-clear]").addEventListener("click", function () { boxes = []; draw(); });
  if (image.complete) draw(); else image.addEventListener("load", draw);
})();
