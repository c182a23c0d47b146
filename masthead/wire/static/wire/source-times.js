// Keeps every <time data-when> on the wire source pages true, past and future,
// every 30 s. Same wording as masthead/wire/templatetags/wire_sources.py.
(function () {
  "use strict";
  var MINUTE = 60, HOUR = 3600, DAY = 86400, WEEK = 604800;
  function amount(seconds) {
    var units = [[DAY, "day"], [HOUR, "hour"], [MINUTE, "min"]];
    for (var i = 0; i < units.length; i++) {
      if (seconds >= units[i][0]) {
        var count = Math.floor(seconds / units[i][0]);
        return count + " " + units[i][1] + (count === 1 ? "" : "s");
      }
    }
    return "";
  }
  function describe(moment, now) {
    var seconds = Math.trunc((now - moment) / 1000);
    if (Math.abs(seconds) < MINUTE) return seconds >= 0 ? "just now" : "in under a minute";
    if (Math.abs(seconds) >= WEEK) return null; // a date: the server's words stand
    return seconds > 0 ? amount(seconds) + " ago" : "in " + amount(-seconds);
  }
  function refresh() {
    var now = Date.now();
    var nodes = document.querySelectorAll("time[data-when]");
    for (var i = 0; i < nodes.length; i++) {
      var moment = Date.parse(nodes[i].getAttribute("datetime"));
      if (isNaN(moment)) continue;
      var text = describe(moment, now);
      if (text !== null && nodes[i].textContent !== text) nodes[i].textContent = text;
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", refresh);
  else refresh();
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
