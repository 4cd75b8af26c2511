-- wrk script for bench/outbox_intake.sh and bench/outbox_drain.sh: POSTs exactly N different
-- encounter bundles to /fhir, then stops. Arguments (after `--`):
--   TEMPLATE N [CARDS]
-- TEMPLATE is docs/examples/puskesmas-encounter-bundle.json with the visit number written
-- @N@, the visit date @D@, the BPJS card @C@ and the card's registered FKTP @F@ (the scripts
-- make it with sed). Bundle i (1..N) gets visit number i (so new Encounter, Bundle,
-- prescription and referral identifiers: otherwise the server answers idempotent replays).
-- Without CARDS every bundle names the template's card and 2026-03-02 (fine for intake: nothing
-- is delivered). With CARDS ("card:fktp,card:fktp,...") bundle i goes to card i mod #cards on
-- day floor(i / #cards) counted from 2026-01-01, because the P-Care simulator takes one
-- registration per participant, day and poli. Needs wrk -t1 (one Lua state, one counter).
-- wrk prints its usual report; Requests/sec is N / (time to the N-th answer).
-- Requests past N (connections still open when the N-th answer arrives) resend bundle 1..:
-- idempotent replays that create nothing, so the outbox ends with exactly N visits.

local ffi = require("ffi")
ffi.cdef [[
int kill(int pid, int sig);
int getpid(void);
]]

local parts, keys = {}, {}
local n_total, sent, answered = 0, 0, 0
local cards = {}
statuses = {}  -- global: done() reads it through thread:get
local threads = {}

local function days_to_date(d)
  -- d = 0 is 2026-01-01 (2026 is not a leap year).
  local month_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
  local m = 1
  while d >= month_days[m] do
    d = d - month_days[m]
    m = m + 1
    if m > 12 then error("date past 2026-12-31: use fewer bundles or more cards") end
  end
  return string.format("2026-%02d-%02d", m, d + 1)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local text = f:read("*a")
  f:close()
  n_total = tonumber(args[2])
  if args[3] and args[3] ~= "" then
    for card, fktp in string.gmatch(args[3], "(%d+):(%w+)") do cards[#cards + 1] = {card, fktp} end
  end
  -- Split once at the placeholders; each request is then one table.concat.
  local pos = 1
  while true do
    local s, e, key = string.find(text, "@([NDCF])@", pos)
    if not s then break end
    parts[#parts + 1] = string.sub(text, pos, s - 1)
    keys[#keys + 1] = key
    pos = e + 1
  end
  parts[#parts + 1] = string.sub(text, pos)
  wrk.method = "POST"
  wrk.path = "/fhir"
  wrk.headers["Authorization"] = "Bearer demo-pkm-simpus-key"
  wrk.headers["Content-Type"] = "application/fhir+json"
end

local function body_for(i)
  local card, fktp, date = "0001234567890", "0114U003", "2026-03-02"
  if #cards > 0 then
    local c = cards[(i - 1) % #cards + 1]
    card, fktp = c[1], c[2]
    date = days_to_date(math.floor((i - 1) / #cards))
  end
  local v = {N = string.format("%07d", i), D = date, C = card, F = fktp}
  local out = {}
  for k = 1, #keys do
    out[#out + 1] = parts[k]
    out[#out + 1] = v[keys[k]]
  end
  out[#out + 1] = parts[#parts]
  return table.concat(out)
end

function request()
  sent = sent + 1
  local i = sent
  if i > n_total then i = (i - 1) % n_total + 1 end
  return wrk.format(nil, nil, nil, body_for(i))
end

function response(status, headers, body)
  answered = answered + 1
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 202 and statuses[status] <= 3 then
    io.stderr:write("HTTP " .. status .. ": " .. string.sub(body or "", 1, 400) .. "\n")
  end
  if answered == n_total then
    -- Stop now, not after wrk's -d: the thread, and wrk's main thread (SIGINT ends its sleep;
    -- a process-directed signal goes to the main thread, which is the one not blocking it).
    wrk.thread:stop()
    ffi.C.kill(ffi.C.getpid(), 2)
  end
end

function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency, requests)
  local s = ""
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do s = s .. string.format(" %d=%d", code, count) end
  end
  io.write(string.format("statuses:%s\n", s))
end
