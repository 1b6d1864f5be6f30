-- view +1: every request is a different reader (a unique User-Agent),
-- so every request must count: the bench checks the total afterwards.
local thread_id = 0
local n = 0
local run = os.time()

function setup(thread)
	thread_id = thread_id + 1
	thread:set("tid", thread_id)
end

function init(args)
	n = 0
end

function request()
	n = n + 1
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Origin"] = "https://bench.example",
		["User-Agent"] = string.format("Mozilla/5.0 reader-%d-%d-%d",
			run, tid, n),
	}, "site=bench&article=a1")
end
