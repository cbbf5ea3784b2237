-- GET /v1/actors/{id} for a random person (the ids of synthetic actors derive from n).
local actors = tonumber(os.getenv("BENCH_ACTORS") or "100")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)

request = function()
  local n = math.random(1, actors - 1)
  if n % 10 == 0 then n = n + 1 end
  local hex = string.format("%032x", n)
  local id = hex:sub(1, 8) .. "-" .. hex:sub(9, 12) .. "-" .. hex:sub(13, 16) .. "-" .. hex:sub(17, 20) .. "-" .. hex:sub(21, 32)
  return wrk.format("GET", "/v1/actors/" .. id)
end
