// The rating page (templates/feedback/public/rate.html): when a face is chosen, untick the reasons
// that the CSS hid as not fitting it, so that they are not sent with the rating. Without this
// script the page works the same; a reason that does not fit is then refused with a message.
(function () {
  "use strict";
  function fits(level, box) {
    var group = box.parentNode; // Element.closest is missing on old phones' browsers
    while (group && !(group.classList && group.classList.contains("rate-group"))) {
      group = group.parentNode;
    }
    if (!group) return true;
    if (level <= 2) return !group.classList.contains("rate-good");
    if (level >= 4) return !group.classList.contains("rate-bad");
    return true;
  }
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.classList || !input.classList.contains("rate-face-input")) return;
    var form = input.form;
    var level = parseInt(input.value, 10);
    var boxes = form.querySelectorAll(".rate-more-reasons input[type=checkbox]");
    for (var i = 0; i < boxes.length; i++) {
      if (!fits(level, boxes[i])) boxes[i].checked = false;
    }
  });
})();
