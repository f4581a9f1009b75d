-- wrk script for bench/gateway.py: each request is a new WeChat text message.
--
-- Arguments (after `--`): <path with signed query> <messages file> <msgid base> <openids> [unique]
-- With "unique" no text is ever sent twice: each line gets a distinct tail of CJK signs (no digits,
-- which the bot could take for a project number), so no memo of understood texts can help.
-- The signature covers only token, timestamp and nonce, so one signed query serves a whole
-- run; the body varies: a distinct MsgId per request, the sender cycles over <openids>
-- followers, the text over the lines of the messages file.
-- done() prints one JSON line (prefixed "BENCH ") that bench/gateway.py reads.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  texts = {}
  for line in io.lines(args[2]) do
    if #line > 0 then table.insert(texts, line) end
  end
  msgid_base = tonumber(args[3])
  openids = tonumber(args[4])
  unique = args[5] == "unique"
  sent, ok, other = 0, 0, 0
  -- Threads take disjoint MsgId ranges and start at different followers and texts.
  msgid_base = msgid_base + thread_no * 1e9
  offset = (thread_no - 1) * 7919
  headers = {["Content-Type"] = "text/xml"}
end

local signs = {"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "子", "丑", "寅", "卯", "辰", "巳", "午", "未", "申", "酉"}

-- A distinct tail for each number: its digits in base 20, one sign each.
local function tail(n)
  local out = {}
  repeat
    table.insert(out, signs[n % 20 + 1])
    n = math.floor(n / 20)
  until n == 0
  return "，" .. table.concat(out)
end

function request()
  sent = sent + 1
  local n = sent + offset
  local text = texts[n % #texts + 1]
  if unique then text = text .. tail(msgid_base + sent) end
  local body = string.format(
    "<xml><ToUserName><![CDATA[gh_5xiao_bench]]></ToUserName>"
    .. "<FromUserName><![CDATA[bench-%d]]></FromUserName>"
    .. "<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    .. "<Content><![CDATA[%s]]></Content><MsgId>%.0f</MsgId></xml>",
    n % openids, os.time(), text, msgid_base + sent)
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local s, o, x = 0, 0, 0
  for _, t in ipairs(threads) do
    s = s + t:get("sent")
    o = o + t:get("ok")
    x = x + t:get("other")
  end
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "sent": %d, "ok": %d, "other": %d, '
    .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, '
    .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, s, o, x,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
