-- A durable comment post with a valid CAPTCHA answer. The tokens and
-- answers were minted beforehand by the key holder (bench/mint) into
-- TOKENS_FILE, one "token answer pow" line each; each wrk thread takes
-- every k-th line so no token is used twice.
local thread_id = 0
local lines = {}
local i = 0
local step = 1

function setup(thread)
	thread:set("tid", thread_id)
	thread_id = thread_id + 1
	thread:set("nthreads", 0)
end

function init(args)
	local f = io.open(os.getenv("TOKENS_FILE"), "r")
	for line in f:lines() do
		lines[#lines + 1] = line
	end
	f:close()
	step = tonumber(os.getenv("WRK_THREADS") or "2")
	i = tid + 1
end

function request()
	local line = lines[i]
	i = i + step
	if line == nil then
		line = "none none none"
	end
	local token, answer, pow = line:match("(%S+) (%S+) (%S+)")
	return wrk.format("POST", nil, {
		["Content-Type"] = "application/x-www-form-urlencoded",
		["Origin"] = "https://bench.example",
	}, string.format("site=bench&article=a1&name=Bench&body=Comment+%s" ..
		"&captcha_token=%s&captcha_answer=%s&altcha=%s", token:sub(4, 40),
		token, answer, pow))
end
