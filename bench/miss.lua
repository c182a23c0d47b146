-- wrk script: every request carries a new query string, so the page cache
-- (keyed by path and query) misses every time and Django renders the page.
-- Used by bench/mixed for the background load of renders.
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", wrk.path .. "?miss=" .. counter .. "-" .. math.random(1, 1000000000))
end
