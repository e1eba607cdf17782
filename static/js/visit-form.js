// The visit form, for one hand on a phone: one tap marks every checklist item as met and the
// visit as compliant; a failed check, a problem to follow up or a follow-up not put right marks
// it as having problems, so the result never needs a tap of its own.
(function () {
  "use strict";
  function mark(form, result) {
    const radio = form.querySelector(`input[name="result"][value="${result}"]`);
    if (radio) radio.checked = true;
  }
  document.querySelectorAll("[data-all-ok]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      const form = button.closest("form");
      form.querySelectorAll('.checklist input[type=radio][value="ok"]').forEach(function (radio) {
        radio.checked = true;
      });
      mark(form, "compliant");
    });
  });
  // Where the phone is, kept up to date while the form is open, so that saving (online or kept on
  // the phone) carries the position of that moment. Declined or unknown: the fields stay empty and
  // the visit is saved without a position. Beyond ACCURACY_MAX_M a fix says nothing about the place.
  const ACCURACY_MAX_M = 100000;
  function watchPosition(form) {
    const box = form.querySelector("[data-position]");
    if (!box || !navigator.geolocation) return;
    const field = (name) => box.querySelector(`input[name="${name}"]`);
    function fill(latitude, longitude, accuracy) {
      field("latitude").value = latitude;
      field("longitude").value = longitude;
      field("accuracy_m").value = accuracy;
    }
    navigator.geolocation.watchPosition(
      function (position) {
        const c = position.coords;
        if (!(c.accuracy >= 0 && c.accuracy <= ACCURACY_MAX_M)) return fill("", "", "");
        fill(c.latitude.toFixed(6), c.longitude.toFixed(6), c.accuracy.toFixed(1));
      },
      function (error) {
        if (error.code === error.PERMISSION_DENIED) fill("", "", "");
      },
      { enableHighAccuracy: true, maximumAge: 60000, timeout: 60000 },
    );
  }
  document.querySelectorAll("form.visit-form").forEach(function (form) {
    watchPosition(form);
    form.addEventListener("change", function (event) {
      const input = event.target;
      const problem =
        (input.name.startsWith("check-") && input.value === "fail") ||
        (input.name === "finding_kind" && input.value) ||
        (input.name === "rectified" && input.value === "no");
      if (problem) mark(form, "issues");
      // Choosing a kind of problem means there is one to follow up: a safety risk unless said otherwise.
      if (input.name === "finding_category") {
        const kinds = form.querySelectorAll('input[name="finding_kind"]');
        if (!Array.from(kinds).some((k) => k.checked && k.value)) {
          const risk = form.querySelector('input[name="finding_kind"][value="safety_risk"]');
          if (risk) risk.checked = true;
          mark(form, "issues");
        }
      }
    });
  });
})();
