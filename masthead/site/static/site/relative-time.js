// Keeps every <time data-relative> true: on load (the page may come from a
// cache) and every 30 s. Same wording as masthead/site/relative_time.py,
// including an edition's own: data-relative="fa" words it in Persian with
// Persian digits, data-calendar="jalali" dates it in the Solar Hijri
// calendar, data-time-zone names the edition's zone.
(function () {
  "use strict";
  var MINUTE = 60, HOUR = 3600, DAY = 86400, WEEK = 604800;
  var pageZone = document.documentElement.getAttribute("data-time-zone") || "UTC";
  // One entry per language, as WORDING in relative_time.py. A Persian noun
  // stays singular after a number.
  var WORDING = {
    en: { now: "just now", minute: ["min", "mins"], hour: ["hour", "hours"], day: ["day", "days"], ago: "{count} {unit} ago" },
    fa: { now: "همین حالا", minute: ["دقیقه", "دقیقه"], hour: ["ساعت", "ساعت"], day: ["روز", "روز"], ago: "{count} {unit} پیش" }
  };
  var DIGITS = { fa: "۰۱۲۳۴۵۶۷۸۹" };
  var formats = {};

  function nativeDigits(text, language) {
    var digits = DIGITS[language];
    if (!digits) return text;
    return text.replace(/[0-9]/g, function (d) { return digits.charAt(+d); });
  }
  function dateFormat(calendar, zone) {
    var key = calendar + "|" + zone;
    if (!formats[key]) {
      var locale = calendar === "jalali" ? "fa-IR-u-ca-persian-nu-latn" : "en-GB";
      var options = { day: "numeric", month: calendar === "jalali" ? "long" : "short", year: "numeric", timeZone: zone };
      try {
        formats[key] = new Intl.DateTimeFormat(locale, options);
      } catch (error) {
        options.timeZone = "UTC";
        formats[key] = new Intl.DateTimeFormat(locale, options);
      }
    }
    return formats[key];
  }
  function dateText(moment, language, calendar, zone) {
    var format = dateFormat(calendar, zone);
    if (calendar !== "jalali") {
      return nativeDigits(format.format(moment).replace(/\.$/, "").replace("Sept", "Sep"), language);
    }
    // Day, month name, year, whatever order or era marks the browser's ICU adds.
    var parts = {};
    format.formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
    return nativeDigits(parts.day + " " + parts.month + " " + parts.year, language);
  }
  function ago(count, unit, language) {
    var wording = WORDING[language] || WORDING.en;
    var text = wording.ago.replace("{count}", count).replace("{unit}", wording[unit][count === 1 ? 0 : 1]);
    return nativeDigits(text, language);
  }
  function describe(moment, now, language, calendar, zone) {
    language = WORDING[language] ? language : "en";
    var seconds = Math.floor((now - moment) / 1000);
    if (seconds < MINUTE) return WORDING[language].now;
    if (seconds < HOUR) return ago(Math.floor(seconds / MINUTE), "minute", language);
    if (seconds < DAY) return ago(Math.floor(seconds / HOUR), "hour", language);
    if (seconds < WEEK) return ago(Math.floor(seconds / DAY), "day", language);
    return dateText(moment, language, calendar || "gregorian", zone || pageZone);
  }
  function refresh() {
    var now = Date.now();
    var nodes = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var moment = Date.parse(node.getAttribute("datetime"));
      if (!isNaN(moment)) {
        var text = describe(
          moment, now,
          node.getAttribute("data-relative") || "en",
          node.getAttribute("data-calendar"),
          node.getAttribute("data-time-zone")
        );
        if (node.textContent !== text) node.textContent = text;
      }
    }
  }
  window.mastheadRelativeTime = { describe: describe, refresh: refresh };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh);
  else refresh();
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
  window.addEventListener("pageshow", refresh);
})();
