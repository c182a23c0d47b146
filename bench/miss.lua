-- wrk script: every request carries a session cookie, so the page cache
-- passes it to Django, which renders the page (an unknown session: the
-- anonymous page). A new query string no longer does: the page cache answers
-- parameters a page does not read from the clean address's copy, when it has
-- one (masthead/site/query.py).
-- Used by bench/mixed for the background load of renders.
request = function()
  return wrk.format("GET", wrk.path, { Cookie = "sessionid=bench-miss" })
end
