/*
 * The bedside page's small helpers. The page works without them (plain POST, <details> that open by a click, the
 * browser's own Print); with them:
 * - "Print handover" prints the page, which the print stylesheet lays out as the handover sheet;
 * - "Find a drug" filters the drug groups as one types, and opens the groups that match;
 * - each section's count of values entered follows the typing (the server counts the same way on every render);
 * - a link to a field (from "Not entered, and needed by a rule" or an error) opens its section and focuses it;
 * - with a site laboratory unit, the unit shown beside the Mg follows the unit chosen under "another unit";
 * - while a save is out, the Save panel's buttons wait (a double click saves once);
 * - an update never moves or replaces what is being pressed, and a press in the result while an update is out goes
 *   to the new result;
 * - after a live update, each message is at its field and the field marked (or unmarked), the save panel's kept
 *   fields (hx-preserve) included.
 * A file of its own, loaded by <script src>: the Content-Security-Policy forbids inline scripts. Events are
 * delegated to the document, because htmx replaces the result (and its buttons) on every update.
 */
(function () {
  "use strict";

  function showPrintButtons(root) {
    root.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
    });
    root.querySelectorAll("[data-no-script]").forEach(function (words) {
      words.hidden = true;
    });
  }

  // --- Counts of values entered, per section -----------------------------------------------------------------
  // The same rule as AssessmentForm.sections(): a text field that is not blank, a ticked box, a chosen option of a
  // select that is not a unit (a unit always has a value).
  function entered(container) {
    var count = 0;
    container.querySelectorAll("input, select").forEach(function (control) {
      if (control.type === "checkbox") {
        count += control.checked ? 1 : 0;
      } else if (control.tagName === "SELECT") {
        count += !control.classList.contains("unit-select") && control.value !== "" ? 1 : 0;
      } else if (control.type === "text") {
        count += control.value.trim() !== "" ? 1 : 0;
      }
    });
    return count;
  }

  function setCount(details) {
    var label = details.querySelector(":scope > summary .section-count");
    if (!label) {
      return;
    }
    var count = entered(details);
    label.textContent = count ? count + " entered" : "nothing entered";
    label.setAttribute("data-count", String(count));
  }

  function updateCounts(target) {
    var details = target.closest ? target.closest("details") : null;
    while (details) {
      setCount(details);
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  // --- Find a drug ------------------------------------------------------------------------------------------------
  function filterDrugs(input) {
    var query = input.value.trim().toLowerCase();
    var section = input.closest(".section-body");
    var matches = 0;
    section.querySelectorAll(".drug-group").forEach(function (group) {
      var groupMatches = 0;
      group.querySelectorAll(".drug-option").forEach(function (option) {
        var words = (option.textContent + " " + (option.getAttribute("data-terms") || "")).toLowerCase();
        var match = query === "" || words.indexOf(query) !== -1;
        option.hidden = !match;
        groupMatches += match ? 1 : 0;
      });
      group.hidden = groupMatches === 0;
      if (query !== "") {
        group.open = groupMatches > 0;
      }
      matches += groupMatches;
    });
    var empty = section.querySelector("[data-drug-search-empty]");
    if (empty) {
      empty.hidden = matches > 0;
    }
  }

  // --- Links to fields --------------------------------------------------------------------------------------------
  function openAndFocus(id) {
    var field = document.getElementById(id);
    if (!field) {
      return false;
    }
    var details = field.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
    field.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      window.print();
      return;
    }
    var link = event.target.closest('a[href^="#id_"]');
    if (link && openAndFocus(link.getAttribute("href").slice(1))) {
      event.preventDefault();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches("[data-drug-search] input")) {
      filterDrugs(event.target);
      return;
    }
    updateCounts(event.target);
  });

  document.addEventListener("change", function (event) {
    updateCounts(event.target);
    // The Save panel's sample time sits outside the <form> (form="assessment-form"), so its change does not
    // reach the form's live update: it gives the result its age (stale result, PROTOCOL.md 2.2), so ask for one.
    if (event.target.id === "id_save-sample_time" && window.htmx) {
      window.htmx.trigger(document.getElementById("assessment-form"), "change");
    }
    if (event.target.id === "id_magnesium_unit") {
      var shown = document.querySelector("[data-site-unit]");
      if (shown) {
        var option = event.target.options[event.target.selectedIndex];
        shown.textContent = option ? option.textContent : event.target.value;
        shown.classList.toggle("unit-differs", event.target.value !== shown.getAttribute("data-site-unit"));
      }
    }
  });

  // --- Save once ------------------------------------------------------------------------------------------------
  // While a save (or a "New patient") is out, the panel's buttons wait: a double click saves once. Only for the
  // panel's own requests: a live update of the result never holds Save back. (The server's guard, the submission
  // token, answers a repeated save without JavaScript.)
  function fromSavePanel(event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    var submitter = trigger && trigger.submitter;
    return Boolean(submitter && submitter.closest(".save-panel"));
  }
  function savePanelButtons(disabled) {
    document.querySelectorAll(".save-panel button").forEach(function (button) {
      button.disabled = disabled;
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (fromSavePanel(event)) {
      savePanelButtons(true);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (fromSavePanel(event)) {
      savePanelButtons(false);
    }
  });

  // --- A live update never moves or replaces what is being pressed ----------------------------------------------
  // Leaving a field by pressing another control fires `change` at the press; an update already out (typing's own,
  // half a second after the last key) may land at any moment too. An answer that landed between press and release
  // moved the page under the pointer (a message at the field left appeared or went: "GI and nutrition" did not
  // open, in CI) or replaced the pressed button itself (Save saved nothing, an independent tester). So:
  // - an answer that lands while a pointer is down waits, and is put in once the release and its click are done;
  // - a press of a control in the result while its update is out or waiting (Save, Print handover, What if, a
  //   link) waits for the new result, then presses the same control in it: the plan saved, printed or varied is
  //   the one for what is typed. When the new result has no such control (it now reads "Not assessed yet"),
  //   nothing is pressed, and the reader sees why.
  // A select's own list may swallow the release: a press on a select holds nothing; nor is anything held longer
  // than HOLD_AT_MOST_MS, past which a stale result is the greater harm.
  var HOLD_AT_MOST_MS = 10000;
  var pressed = null;
  var waitingSwap = null;
  var waitingClick = null;
  var holdTimer = null;

  function liveForm() {
    return document.getElementById("assessment-form");
  }
  function updateOut() {
    var form = liveForm();
    return Boolean(waitingSwap || (form && form.classList.contains("htmx-request")));
  }
  function putWaitingSwapIn() {
    window.clearTimeout(holdTimer);
    var waiting = waitingSwap;
    waitingSwap = null;
    if (waiting && waiting.target.isConnected) {
      // The press waiting for it is made once the answer has settled (htmx:afterSettle, below): only then has htmx
      // taken up the new result's buttons.
      htmx.swap(waiting.target, waiting.content, waiting.spec, { contextElement: waiting.elt });
    } else if (!updateOut()) {
      pressWaitingClick();
    }
  }

  document.addEventListener("pointerdown", function (event) {
    var select = event.target.closest ? event.target.closest("select") : null;
    pressed = select ? null : event.target;
  }, true);
  // The click that follows a release may come a task later: the answer goes in once it has been handled (below),
  // or RELEASE_WITHOUT_CLICK_MS after a release that makes no click (the pointer dragged off the control).
  var RELEASE_WITHOUT_CLICK_MS = 100;
  ["pointerup", "pointercancel", "dragend"].forEach(function (type) {
    document.addEventListener(type, function () {
      pressed = null;
      if (waitingSwap) {
        window.clearTimeout(holdTimer);
        holdTimer = window.setTimeout(putWaitingSwapIn, RELEASE_WITHOUT_CLICK_MS);
      }
    }, true);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!event.detail.shouldSwap) {
      return;
    }
    if (!pressed) {
      if (waitingSwap && waitingSwap.target === event.detail.target) {
        // A newer answer for the same place: the waiting one would put an older result over it.
        window.clearTimeout(holdTimer);
        waitingSwap = null;
      }
      return;
    }
    event.detail.shouldSwap = false;
    // The swap the request asked for (the form's outerHTML), read where htmx reads it: from the element that sent
    // the request up. `detail.elt` is the target here, and its default (innerHTML) nested a #result in the old one.
    var source = (event.detail.requestConfig && event.detail.requestConfig.elt) || event.detail.elt;
    var asking = source && source.closest ? source.closest("[hx-swap]") : null;
    var swapStyle = ((asking && asking.getAttribute("hx-swap")) || htmx.config.defaultSwapStyle).split(" ")[0];
    waitingSwap = {
      target: event.detail.target,
      content: event.detail.serverResponse,
      elt: event.detail.elt,
      spec: { swapStyle: swapStyle, swapDelay: 0, settleDelay: htmx.config.defaultSettleDelay },
    };
    window.clearTimeout(holdTimer);
    holdTimer = window.setTimeout(function () {
      pressed = null;
      putWaitingSwapIn();
    }, HOLD_AT_MOST_MS);
  }, true);

  // The control pressed, described so that its twin in the new result can be found.
  function describe(control) {
    return {
      tag: control.tagName,
      words: (control.textContent || "").trim(),
      name: control.getAttribute("name"),
      value: control.getAttribute("value"),
      href: control.getAttribute("href"),
    };
  }
  function twin(description) {
    var result = document.getElementById("result");
    if (!result) {
      return null;
    }
    var candidates = result.querySelectorAll(description.tag);
    for (var i = 0; i < candidates.length; i += 1) {
      var candidate = candidates[i];
      var same = describe(candidate);
      if (same.words === description.words && same.name === description.name && same.value === description.value &&
          same.href === description.href && !candidate.disabled) {
        return candidate;
      }
    }
    return null;
  }
  function pressWaitingClick() {
    var waiting = waitingClick;
    waitingClick = null;
    var control = waiting && twin(waiting);
    if (control) {
      control.click();
    }
  }
  document.addEventListener("click", function (event) {
    if (waitingSwap && !pressed) {
      // A timer set now runs once this click and what it does (a submit, a section opened) are done.
      window.clearTimeout(holdTimer);
      holdTimer = window.setTimeout(putWaitingSwapIn, 0);
    }
    var control = event.target.closest ? event.target.closest("button, a[href], summary, input[type=submit]") : null;
    if (!control || !control.closest("#result") || !updateOut() || event.isTrusted === false) {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    waitingClick = describe(control);
  }, true);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (waitingClick && event.target && event.target.id === "result" && !updateOut()) {
      pressWaitingClick();
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    // An update that failed (the connection lost) puts nothing in: the press goes to the result as it is.
    if (waitingClick && event.detail.elt === liveForm() && !event.detail.successful && !updateOut()) {
      pressWaitingClick();
    }
  });

  // --- A live update only when something changed -------------------------------------------------------------
  // Moving between fields (a Tab's keyup lands on the next field) set off an update half a second later with the
  // same values, whose answer replaced the result and any What if panel opened on it in the meantime (seen with a
  // slow network). An update whose values are those of the last one sent is not sent; a press of Assess or Save
  // always is, and after an update that failed the next one goes again.
  var lastSent = null;
  function formValues(form) {
    return new URLSearchParams(new FormData(form)).toString();
  }
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form || form !== liveForm() || event.defaultPrevented) {
      return;
    }
    var values = formValues(form);
    var trigger = event.detail.triggeringEvent;
    if (!(trigger && trigger.type === "submit") && values === lastSent) {
      event.preventDefault();
      return;
    }
    lastSent = values;
  });
  // Not on htmx:afterRequest: a request replaced by a newer one (hx-sync) ends there too, unsuccessful.
  ["htmx:sendError", "htmx:responseError", "htmx:timeout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (event.detail.elt === liveForm()) {
        lastSent = null;
      }
    });
  });

  // --- A live update goes to the form's own address -----------------------------------------------------------
  // htmx takes a focused submit button for the one that submits the form (its formaction, its name). With Save, "New
  // patient" or "Sign in to save" focused, the update fired half a second after typing saved the assessment, or left
  // the page, though no button was pressed (an independent tester). Only a submit (a press of a button, Enter) may go
  // where a button says; every other trigger goes to the form's hx-post, without any button's value.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    var trigger = event.detail.triggeringEvent;
    if (!form || form.tagName !== "FORM" || !form.hasAttribute("hx-post") || (trigger && trigger.type === "submit")) {
      return;
    }
    event.detail.path = form.getAttribute("hx-post");
    event.detail.verb = "post";
    var focused = document.activeElement;
    if (focused && focused.form === form && focused.name && focused.type === "submit") {
      event.detail.parameters.delete(focused.name);
    }
  });

  // --- Focus kept across a live update ----------------------------------------------------------------------------
  // A keyboard user who tabbed into the result while an update was out was sent back to the top of the page when
  // the result was replaced (the focused link was gone). The same link or button in the new result takes the focus
  // (same kind, same words, the nearest in order), else the result itself, so the next Tab goes on from there.
  var FOCUSABLE = "a[href], button, summary, input, select, textarea, [tabindex]";
  var keptFocus = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    keptFocus = null;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      var all = Array.prototype.slice.call(target.querySelectorAll(FOCUSABLE));
      keptFocus = {
        id: target.id,
        tag: active.tagName,
        words: (active.textContent || "").trim(),
        index: all.indexOf(active),
      };
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!keptFocus) {
      return;
    }
    var kept = keptFocus;
    keptFocus = null;
    var region = document.getElementById(kept.id);
    if (!region || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    var best = null;
    Array.prototype.slice.call(region.querySelectorAll(FOCUSABLE)).forEach(function (element, index) {
      var same = element.tagName === kept.tag && (element.textContent || "").trim() === kept.words;
      if (same && (!best || Math.abs(index - kept.index) < Math.abs(best.index - kept.index))) {
        best = { element: element, index: index };
      }
    });
    var focus = best ? best.element : region;
    if (!best && !region.hasAttribute("tabindex")) {
      region.setAttribute("tabindex", "-1");
    }
    focus.focus({ preventScroll: true });
  });

  // --- Messages at their fields after a live update -------------------------------------------------------------
  // The result's update fills each field's message slot (out of band); the field is then marked invalid (red,
  // and described by its message for a screen reader), its section opened, or unmarked once the message is gone.
  function syncErrors() {
    document.querySelectorAll(".error-slot").forEach(function (slot) {
      var control = document.getElementById(slot.id.replace(/_error$/, ""));
      if (!control) {
        return;
      }
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== slot.id;
      });
      if (slot.textContent.trim() !== "") {
        control.setAttribute("aria-invalid", "true");
        described.push(slot.id);
        var details = control.closest("details");
        while (details) {
          details.open = true;
          details = details.parentElement ? details.parentElement.closest("details") : null;
        }
      } else {
        control.removeAttribute("aria-invalid");
      }
      if (described.length) {
        control.setAttribute("aria-describedby", described.join(" "));
      } else {
        control.removeAttribute("aria-describedby");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", syncErrors);

  // The save panel's patient and sample time are kept as typed across a live update (hx-preserve): the server's
  // copy, which marks a field invalid, is not swapped in, so the mark follows the message rendered beside it.
  function syncPreserved() {
    document.querySelectorAll("[hx-preserve][id]").forEach(function (control) {
      var message = document.getElementById(control.id + "_error");
      control.classList.toggle("is-invalid", Boolean(message));
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== control.id + "_error";
      });
      if (message) {
        control.setAttribute("aria-invalid", "true");
        described.push(message.id);
      } else {
        control.removeAttribute("aria-invalid");
      }
      if (described.length) {
        control.setAttribute("aria-describedby", described.join(" "));
      } else {
        control.removeAttribute("aria-describedby");
      }
    });
  }
  document.addEventListener("htmx:afterSettle", syncPreserved);

  // The drug search and the print button exist for JavaScript only: shown once it runs.
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-drug-search]").forEach(function (search) {
      search.hidden = false;
      // Typing a drug's name is not an input of the assessment: no live update for it (the form listens to
      // keyup and change; the filter itself runs on "input", at the document).
      ["keyup", "change"].forEach(function (type) {
        search.addEventListener(type, function (event) {
          event.stopPropagation();
        });
      });
    });
    showPrintButtons(document);
  });
  document.addEventListener("htmx:afterSwap", function () {
    showPrintButtons(document);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    showPrintButtons(document);
  });
})();
