// The signing box of the visit record: the shop's responsible person signs with a finger (or a
// mouse or a pen). Pointer events draw on the canvas; on saving, the drawing goes as a PNG data URL
// in the form's hidden `signature` field. Nothing drawn, nothing sent: the server says so in words.
(function () {
  "use strict";
  document.querySelectorAll("canvas[data-signature-pad]").forEach(function (canvas) {
    const form = canvas.closest("form");
    const field = form.querySelector('input[name="signature"]');
    const context = canvas.getContext("2d");
    let drawn = false;
    let last = null;

    function clear() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.lineWidth = 3;
      context.lineCap = context.lineJoin = "round";
      context.strokeStyle = "#111";
      drawn = false;
    }

    // The canvas is drawn at its own size, whatever size the page shows it at.
    function point(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      try {
        canvas.setPointerCapture(event.pointerId); // keep the stroke when the finger leaves the box
      } catch (err) {
        // a pointer the browser cannot capture still draws
      }
      last = point(event);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!last) return;
      event.preventDefault();
      const next = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
      drawn = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () {
        last = null;
      });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", clear);
    form.addEventListener("submit", function () {
      field.value = drawn ? canvas.toDataURL("image/png") : "";
    });
    clear();
  });
})();
