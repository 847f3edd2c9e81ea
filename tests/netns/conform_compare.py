#!/usr/bin/python3
"""xrt conformance: compare what the kernel router and the xrt router did with each probe, against CONFORMANCE.md.

Usage: conform_compare.py CONFORMANCE.md KERNEL.json KERNEL_B.pcap XRT.json XRT_B.pcap [--table]

KERNEL.json / XRT.json come from conform_probe.py (what host A got back);
*_B.pcap is host B's capture (what was forwarded), matched to probes by flow
label. Each probe's outcome becomes one canonical line, e.g.
  "ICMPv6 3/0 from 2001:db8:1::1 len 80"     answered
  "fwd hlim 63 len 64"                        forwarded (at B)
  "dropped"                                   neither
Rules (exit 1 on any failure, each printed):
  - xrt's line equals the kernel's, or
  - CONFORMANCE.md has a row for the probe whose xrt column is exactly xrt's
    line and whose last column names a section (§E<n>: a documented
    exception; "bug: see §B<n>": a known bug, tracked until fixed).
  - every probe has a row in CONFORMANCE.md.
A row whose kernel column differs from the kernel seen now is a warning
(another kernel version), not a failure. --table prints the rows as measured.
"""
import json
import logging
import re
import sys

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IPv6, PcapReader  # noqa: E402

PROBE_FL_BASE = 0x5000


def forwarded(pcap):
    """flow label -> list of (hlim, 40 + plen, bytes of IPv6 on the wire) seen at B."""
    seen = {}
    with PcapReader(pcap) as rd:
        for f in rd:
            if IPv6 not in f:
                continue
            ip = f[IPv6]
            if ip.fl < PROBE_FL_BASE or ip.fl >= PROBE_FL_BASE + 0x1000:
                continue
            seen.setdefault(ip.fl, []).append((ip.hlim, 40 + ip.plen, len(bytes(ip))))
    return seen


def outcome(probe, fwd):
    parts = []
    for a in sorted(probe["answers"], key=lambda a: (str(a["type"]), a["len"])):
        t = a["type"]
        s = f"ICMPv6 {t}/{a['code']}" if isinstance(t, int) else str(t)
        if t in (4, 2):  # Parameter Problem pointer, Packet Too Big MTU
            s += f" {'ptr' if t == 4 else 'mtu'} {a['field']}"
        if t == 136:  # Neighbor Advertisement flags
            s += f" flags {a['field']}"
        s += f" from {a['src']} hl {a['hlim']} len {a['len']}"
        if a["quoted_fl"] is not None and a["quoted_fl"] != probe["fl"]:
            s += " (quotes another probe)"
        parts.append(s)
    got = fwd.get(probe["fl"], [])
    if got:
        hl, ln, wire = got[0]
        s = f"fwd hlim {hl} len {ln}"
        if len(got) > 1:
            s += f" x{len(got)}"
        if wire != ln:
            s += f" (+{wire - ln} trailing bytes)"
        parts.append(s)
    return "; ".join(parts) or "dropped"


def doc_rows(path):
    """probe -> (kernel, xrt, note, what) from the table rows '| `probe` | what | kernel | xrt | note |'."""
    rows, sections = {}, set()
    for line in open(path):
        m = re.match(r"^#+\s+(\S+)", line)
        if m:
            sections.add(m.group(1).rstrip("."))
        m = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|", line)
        if m:
            cols = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cols) >= 5:
                rows[m.group(1)] = (cols[2], cols[3], cols[4], cols[1])
    return rows, sections


def main():
    doc, kj, kp, xj, xp = sys.argv[1:6]
    table = "--table" in sys.argv[6:]
    kernel, xrt = json.load(open(kj)), json.load(open(xj))
    kfwd, xfwd = forwarded(kp), forwarded(xp)
    rows, sections = doc_rows(doc)
    xrt_by_name = {p["name"]: p for p in xrt}
    fails, warns, same, documented, bugs = [], [], 0, 0, 0
    for kp_ in kernel:
        name = kp_["name"]
        k = outcome(kp_, kfwd)
        x = outcome(xrt_by_name[name], xfwd)
        row = rows.get(name)
        if table:
            note = "same" if k == x else (row[2] if row else "DIFFERS")
            print(f"| `{name}` | {row[3] if row else ''} | {k} | {x} | {note} |")
        if row is None:
            fails.append(f"{name}: no row in {doc} (kernel: {k}; xrt: {x})")
            continue
        if row[0] != k:
            warns.append(f"{name}: kernel now answers '{k}', {doc} says '{row[0]}'")
        if k == x:
            same += 1
            if not row[2].startswith("same"):
                warns.append(f"{name}: now matches the kernel; {doc} still says '{row[2]}'")
            continue
        m = re.search(r"§\s*(\S+)", row[2])
        if row[1] == x and m and m.group(1).rstrip(".") in sections:
            if row[2].startswith("bug"):
                bugs += 1
            else:
                documented += 1
            continue
        fails.append(f"{name}: kernel '{k}', xrt '{x}'; {doc} documents xrt '{row[1]}', note '{row[2]}'")
    for w in warns:
        print("WARN  " + w)
    for f in fails:
        print("FAIL  " + f)
    print(f"conformance: {len(kernel)} probes, {same} same as the kernel, {documented} documented exceptions, "
          f"{bugs} known bugs, {len(fails)} failures")
    sys.exit(1 if fails else 0)


main()
