"""Drive `wrk` (apt install wrk) with a Lua script: requests cycled from a list, stats as JSON.

wrk rather than a Python client: on a 2-core machine an asyncio httpx client at 32
connections burned more CPU per request than the server it measured (see eval/load_test.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCRIPT = r"""
-- wrk's own duration is always the full -d, even when the request cap stops it early, so the
-- script times the span from the first request to the last response itself (LuaJIT FFI).
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } sb_timespec;
           int clock_gettime(int clock, sb_timespec *ts); ]]
local clock = ffi.new("sb_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1e6 + tonumber(clock.tv_nsec) / 1e3
end
local bodies = {BODIES}
local keys = {KEYS}
local max_requests = {MAX_REQUESTS}
local prepared = {}
local next_index = 0
count = 0
non200 = 0
empty = 0
first_us = 0
last_us = 0
versions = {}
local threads = {}

function setup(thread) table.insert(threads, thread) end

function init(args)
  for i = 1, #bodies do
    prepared[i] = wrk.format("POST", "{PATH}", {["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. keys[i]}, bodies[i])
  end
end

function request()
  if first_us == 0 then first_us = now_us() end
  next_index = next_index % #prepared + 1
  return prepared[next_index]
end

function response(status, headers, body)
  last_us = now_us()
  count = count + 1
  if status ~= 200 then non200 = non200 + 1 end
  local version = body and string.match(body, '"brain_version":"([^"]+)"')
  if version then versions[version] = (versions[version] or 0) + 1 end
  if body and string.find(body, '"suggestions":[]', 1, true) then empty = empty + 1 end
  if count >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local failed, abstained, seen, first, last = 0, 0, {}, math.huge, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("non200")
    abstained = abstained + thread:get("empty")
    first = math.min(first, thread:get("first_us"))
    last = math.max(last, thread:get("last_us"))
    for version, n in pairs(thread:get("versions")) do seen[version] = (seen[version] or 0) + n end
  end
  local names = {}
  for version, n in pairs(seen) do table.insert(names, string.format('"%s": %d', version, n)) end
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests": %d, "span_us": %d, "non200": %d, "empty": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"mean_us": %.1f, "versions": {%s}}\n', summary.requests, last - first, failed, abstained,
    e.connect + e.read + e.write, e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, table.concat(names, ", ")))
end
"""


@dataclass(frozen=True)
class Target:
    """One request: the API key to send and the JSON body."""

    key: str
    body: dict[str, Any]


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def write_script(path: Path, url_path: str, targets: list[Target], max_requests: int) -> Path:
    bodies = ", ".join(lua_string(json.dumps(t.body, separators=(",", ":"))) for t in targets)
    keys = ", ".join(lua_string(t.key) for t in targets)
    script = (_SCRIPT.replace("{BODIES}", "{" + bodies + "}").replace("{KEYS}", "{" + keys + "}")
              .replace("{MAX_REQUESTS}", str(max_requests)).replace("{PATH}", url_path))
    path.write_text(script, encoding="utf-8")
    return path


def run_wrk(base_url: str, script: Path, connections: int, seconds: float) -> dict[str, Any]:
    """One wrk run with one thread; returns the script's JSON line plus derived numbers."""
    binary = shutil.which("wrk")
    if binary is None:
        raise RuntimeError("wrk not found: apt-get install wrk")
    command = [binary, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "300s", "-s", str(script), base_url]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            timeout=seconds + 120).stdout
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    stats: dict[str, Any] = json.loads(line.removeprefix("WRK_JSON "))
    stats["rps"] = round(stats["requests"] / max(stats["span_us"] / 1e6, 1e-6), 1)
    stats["errors"] = stats["non200"] + stats["socket_errors"] + stats["timeouts"]
    return stats
