#!/usr/bin/python3
"""xrt: read one fast-path counter from a pinned xrt_stats map (netns tests).

Usage: fpstat.py COUNTERS_H PINNED_MAP NAME
  NAME: a MIB name (Ip6OutForwDatagrams), punt:REASON, drop:REASON,
        pass:REASON, or KIND:* for the sum of one kind, optionally minus
        some reasons: punt:*-mcast_link-redirect.
Prints the sum over every interface slot and CPU.

The layout of struct xrt_stats (four __u64 arrays: mib, punt, drop, pass)
comes from the X-macro lists in include/xrt/counters.h, so a counter added
there is found here without an edit. Reading the map with bpftool rather
than through xrtd keeps the proof independent of the daemon.
"""
import json
import re
import subprocess
import sys

KINDS = [("mib", "XRT_MIB_LIST"), ("punt", "XRT_PUNT_LIST"),
         ("drop", "XRT_DROP_LIST"), ("pass", "XRT_PASS_LIST")]


def counter_names(header_text):
    """{kind: [name, ...]} in enum order, from the X-macro lists."""
    names = {}
    for kind, macro in KINDS:
        m = re.search(r"#define\s+%s\(X\)(.*?)(?:\n\s*\n|\n#)" % macro,
                      header_text, re.S)
        if not m:
            sys.exit("fpstat: %s not found in counters.h" % macro)
        names[kind] = re.findall(r'X\(\s*\w+\s*,\s*"([^"]+)"\s*\)', m.group(1))
    return names


def value_to_arrays(value, names):
    """One CPU's struct xrt_stats as {kind: [u64, ...]}."""
    if isinstance(value, dict):  # bpftool printed it with BTF
        return {kind: [int(x) for x in value[kind]] for kind, _ in KINDS}
    raw = bytes(int(b, 16) for b in value)  # hex bytes, no BTF
    words = [int.from_bytes(raw[i:i + 8], "little")
             for i in range(0, len(raw) - 7, 8)]
    out, pos = {}, 0
    for kind, _ in KINDS:
        n = len(names[kind])
        out[kind] = words[pos:pos + n]
        pos += n
    return out


def wanted(name, names):
    """[(kind, index), ...] that NAME stands for."""
    if ":" not in name:
        if name not in names["mib"]:
            sys.exit("fpstat: unknown MIB counter %r" % name)
        return [("mib", names["mib"].index(name))]
    kind, rest = name.split(":", 1)
    if kind not in names:
        sys.exit("fpstat: unknown counter kind %r" % kind)
    if rest.startswith("*"):
        excluded = [x for x in rest[1:].split("-") if x]
        for x in excluded:
            if x not in names[kind]:
                sys.exit("fpstat: unknown %s reason %r" % (kind, x))
        return [(kind, i) for i, n in enumerate(names[kind])
                if n not in excluded]
    if rest not in names[kind]:
        sys.exit("fpstat: unknown %s reason %r" % (kind, rest))
    return [(kind, names[kind].index(rest))]


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    header, pinned, name = sys.argv[1:]
    with open(header) as f:
        names = counter_names(f.read())
    picks = wanted(name, names)
    dump = subprocess.run(["bpftool", "-j", "map", "dump", "pinned", pinned],
                          capture_output=True, text=True)
    if dump.returncode != 0:
        sys.exit("fpstat: bpftool map dump %s failed: %s"
                 % (pinned, dump.stderr.strip()))
    total = 0
    for entry in json.loads(dump.stdout):
        per_cpu = entry.get("formatted", entry).get("values", [])
        for cpu in per_cpu:
            arrays = value_to_arrays(cpu["value"], names)
            total += sum(arrays[k][i] for k, i in picks)
    print(total)


if __name__ == "__main__":
    main()
