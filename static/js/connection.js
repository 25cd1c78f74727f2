/*
 * When a live update of the result fails, say so, and leave the form alone.
 *
 * htmx does not swap anything when a request fails (a network error, or a 5xx such as the 503 of a database
 * outage), so what was typed stays as typed; but without a word the clinician would read the old result as the
 * answer to the new values. This script puts a visible alert next to the result and takes it away again after the
 * next update that succeeds. A file of its own, loaded by <script src>, because the Content-Security-Policy forbids
 * inline scripts. No dependency on htmx being loaded first: its events bubble up to the document.
 */
(function () {
  "use strict";

  var ALERT_ID = "connection-status";

  function showAlert(text) {
    var alert = document.getElementById(ALERT_ID);
    if (!alert) {
      alert = document.createElement("div");
      alert.id = ALERT_ID;
      alert.className = "alert alert-warning py-2";
      alert.setAttribute("role", "alert");
      var result = document.getElementById("result");
      if (result && result.parentNode) {
        result.parentNode.insertBefore(alert, result);
      } else {
        document.body.insertBefore(alert, document.body.firstChild);
      }
    }
    alert.textContent = text;
  }

  function clearAlert() {
    var alert = document.getElementById(ALERT_ID);
    if (alert) {
      alert.remove();
    }
  }

  document.addEventListener("htmx:sendError", function () {
    showAlert(
      "Connection lost: the result below was not updated. What you typed is kept; " +
        "change a value or press Assess to try again."
    );
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : "";
    showAlert(
      "The server could not give a result (error " + status + "): the result below was not updated. " +
        "What you typed is kept; try again in a minute."
    );
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) {
      clearAlert();
    }
  });
})();
