-- Counts every response by status, across wrk's threads, and prints the counts and the
-- socket errors at the end: "status 200 41234", "errors connect 0 read 0 write 0 timeout 0".
-- WRK_PATHS (comma-separated) spreads the requests over several paths.
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    statuses = {}
    paths = {}
    for path in string.gmatch(os.getenv("WRK_PATHS") or "", "([^,]+)") do
        table.insert(paths, path)
    end
    n = 0
end

function request()
    if #paths == 0 then
        return wrk.format()
    end
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
end

function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        for status, count in pairs(thread:get("statuses")) do
            total[status] = (total[status] or 0) + count
        end
    end
    for status, count in pairs(total) do
        io.write(string.format("status %d %d\n", status, count))
    end
    local e = summary.errors
    io.write(string.format("errors connect %d read %d write %d timeout %d\n",
        e.connect, e.read, e.write, e.timeout))
end
