-- wrk script: request the paths listed in a file, one per line, in turn.
-- Usage: wrk ... -s bench/urls.lua URL -- PATHS_FILE
-- Each wrk thread has its own copy and starts at a random line, so the
-- threads do not ask for the same page at the same moment.
local paths = {}
local index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  math.randomseed(os.time() + #tostring({}))
  index = math.random(#paths)
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
