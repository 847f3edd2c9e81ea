#!/usr/bin/env python3
# xrt: scrapes xrtd's /metrics, checks it strictly against the Prometheus text exposition format 0.0.4, and plays the idle-connection flood.
#
#   metrics_scrape.py scrape HOST PORT        -> JSON {"name{l=\"v\"}": value}
#   metrics_scrape.py get HOST PORT RAWREQ    -> the status line of the answer
#   metrics_scrape.py burst HOST PORT N       -> JSON {status line: count}
#   metrics_scrape.py flood HOST PORT N HOLD  -> JSON: N idle connections held
#       open, a scrape made meanwhile, and another after HOLD seconds
import json
import re
import socket
import sys
import time

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(msg):
    sys.exit("metrics_scrape: " + msg)


def http(host, port, raw, timeout=5.0):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    s.sendall(raw)
    data = b""
    while True:
        k = s.recv(65536)
        if not k:
            break
        data += k
    s.close()
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        fail("answer without an end of headers: %r" % data[:200])
    lines = head.decode("ascii").split("\r\n")
    headers = {}
    for h in lines[1:]:
        k, _, v = h.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers and int(headers["content-length"]) != len(body):
        fail("Content-Length %s, body %d bytes" % (headers["content-length"], len(body)))
    return lines[0], headers, body


def parse_labels(s, where):
    """{k="v",...}: returns (labels dict, rest of the line)."""
    labels = {}
    i = 1
    while True:
        if s[i] == "}":
            return labels, s[i + 1:]
        eq = s.index("=", i)
        key = s[i:eq]
        if not LABEL.match(key):
            fail("%s: bad label name %r" % (where, key))
        if s[eq + 1] != '"':
            fail("%s: label value not quoted" % where)
        j, val = eq + 2, ""
        while s[j] != '"':
            if s[j] == "\\":
                esc = s[j + 1]
                if esc not in '\\"n':
                    fail("%s: bad escape \\%s" % (where, esc))
                val += "\n" if esc == "n" else esc
                j += 2
            else:
                val += s[j]
                j += 1
        if key in labels:
            fail("%s: label %s twice" % (where, key))
        labels[key] = val
        i = j + 1
        if s[i] == ",":
            i += 1
        elif s[i] != "}":
            fail("%s: expected , or } after a label" % where)


def parse(text):
    """Strict 0.0.4: HELP/TYPE once per family and before its samples, a
    family's samples contiguous, no series twice, values that parse, xrt_
    names, counters ending _total."""
    if not text.endswith("\n"):
        fail("last line does not end with a newline")
    out, types, helps, done, seen = {}, {}, set(), set(), set()
    current = None
    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = "line %d" % n
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.match(name):
                    fail("%s: bad metric name %r" % (where, name))
                if name in done:
                    fail("%s: family %s comes back after others" % (where, name))
                if parts[1] == "HELP":
                    if name in helps:
                        fail("%s: second HELP for %s" % (where, name))
                    helps.add(name)
                else:
                    if name in types:
                        fail("%s: second TYPE for %s" % (where, name))
                    if len(parts) != 4 or parts[3] not in TYPES:
                        fail("%s: bad TYPE line" % where)
                    if name in seen:
                        fail("%s: TYPE after samples of %s" % (where, name))
                    types[name] = parts[3]
                if current and current != name:
                    done.add(current)
                current = name
            continue
        if not line:
            fail("%s: empty line" % where)
        m = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line)
        if not m:
            fail("%s: no metric name" % where)
        name, rest = m.group(0), line[m.end():]
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(rest, where)
        if not rest.startswith(" "):
            fail("%s: no space before the value" % where)
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2):
            fail("%s: trailing fields" % where)
        try:
            value = float(fields[0])
        except ValueError:
            fail("%s: bad value %r" % (where, fields[0]))
        if name in done:
            fail("%s: family %s comes back after others" % (where, name))
        if current and current != name:
            done.add(current)
        current = name
        seen.add(name)
        if not name.startswith("xrt_"):
            fail("%s: %s lacks the xrt_ prefix" % (where, name))
        if types.get(name) == "counter" and not name.endswith("_total"):
            fail("%s: counter %s does not end in _total" % (where, name))
        if types.get(name) != "counter" and name.endswith("_total"):
            fail("%s: %s ends in _total but is a %s" % (where, name, types.get(name)))
        key = name + ("{" + ",".join('%s="%s"' % (k, labels[k]) for k in sorted(labels)) + "}"
                      if labels else "")
        if key in out:
            fail("%s: series %s twice" % (where, key))
        out[key] = value
    return out


def scrape(host, port):
    status, headers, body = http(host, port, b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    if status != "HTTP/1.0 200 OK":
        fail("scrape: %s" % status)
    if not headers.get("content-type", "").startswith("text/plain; version=0.0.4"):
        fail("scrape: Content-Type %r" % headers.get("content-type"))
    return parse(body.decode("utf-8"))


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "scrape":
        print(json.dumps(scrape(host, port), sort_keys=True))
    elif cmd == "get":
        raw = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
        print(http(host, port, raw)[0])
    elif cmd == "flood":
        n, hold = int(sys.argv[4]), float(sys.argv[5])
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        conns, connected = [], 0
        for _ in range(n):
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(2)
            try:
                s.connect((host, port))
                connected += 1
            except OSError:
                pass
            conns.append(s)
        time.sleep(0.5)  # let xrtd accept (and evict) them all
        during = scrape(host, port)
        time.sleep(hold)
        after = scrape(host, port)
        for s in conns:
            s.close()
        print(json.dumps({"connected": connected,
                          "during_series": len(during),
                          "evicted": after["xrt_local_metrics_evicted_idle_total"],
                          "timeouts": after["xrt_local_metrics_timeouts_total"]}))
    elif cmd == "burst":
        codes = {}
        for _ in range(int(sys.argv[4])):
            status = http(host, port, b"GET /metrics HTTP/1.0\r\n\r\n")[0]
            codes[status] = codes.get(status, 0) + 1
        print(json.dumps(codes, sort_keys=True))
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
