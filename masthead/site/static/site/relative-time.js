// Keeps every <time data-relative> true: on load (the page may come from a
// cache) and every 30 s. Same wording as masthead/site/relative_time.py.
(function () {
  "use strict";
  var MINUTE = 60, HOUR = 3600, DAY = 86400, WEEK = 604800;
  var zone = document.documentElement.getAttribute("data-time-zone") || "UTC";
  var dateFormat;
  try {
    dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: zone });
  } catch (error) {
    dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  }
  function plural(count, unit) {
    return count + " " + unit + (count === 1 ? "" : "s") + " ago";
  }
  function describe(moment, now) {
    var seconds = Math.floor((now - moment) / 1000);
    if (seconds < MINUTE) return "just now";
    if (seconds < HOUR) return plural(Math.floor(seconds / MINUTE), "min");
    if (seconds < DAY) return plural(Math.floor(seconds / HOUR), "hour");
    if (seconds < WEEK) return plural(Math.floor(seconds / DAY), "day");
    return dateFormat.format(moment).replace(/\.$/, "").replace("Sept", "Sep");
  }
  function refresh() {
    var now = Date.now();
    var nodes = document.querySelectorAll("time[data-relative]");
    for (var i = 0; i < nodes.length; i++) {
      var moment = Date.parse(nodes[i].getAttribute("datetime"));
      if (!isNaN(moment)) {
        var text = describe(moment, now);
        if (nodes[i].textContent !== text) nodes[i].textContent = text;
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
