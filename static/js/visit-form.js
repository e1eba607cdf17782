// The visit form: one tap marks every checklist item as met and the visit as compliant.
(function () {
  "use strict";
  document.querySelectorAll("[data-all-ok]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var form = button.closest("form");
      form.querySelectorAll('.checklist input[type=radio][value="ok"]').forEach(function (radio) {
        radio.checked = true;
      });
      var compliant = form.querySelector('input[name="result"][value="compliant"]');
      if (compliant) compliant.checked = true;
    });
  });
})();
