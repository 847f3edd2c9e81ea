#!/usr/bin/python3
"""xrt conformance: compare what the kernel router and the xrt router did with each probe, against CONFORMANCE.md.

Usage: conform_compare.py CONFORMANCE.md KERNEL.json KERNEL_B.pcap XRT.json XRT_B.pcap [--table]

KERNEL.json / XRT.json come from conform_probe.py (what host A got back);
*_B.pcap is host B's capture (what was forwarded), matched to probes by flow
label. Each probe's outcome becomes one canonical line, e.g.
  "ICMPv6 3/0 from 2001:db8:1::1 len 80"     answered
  "fwd hlim 63 len 64"                        forwarded (at B)
  "dropped"                                   neither
and the line is backed by the bytes: every answer's whole IPv6 packet and
every forwarded packet are compared byte for byte, with only these masks
(each applied by conform_probe.py to both routers alike):
  - the router's and host A's link-local and MAC addresses become fixed
    markers: the two topologies' interfaces have different ones;
  - the upper-layer checksum of an answer is zeroed after being verified
    on the packet as received (it covers the link-local addresses above);
    an answer with a wrong checksum fails;
  - the answer's own flow label is zeroed: the kernel sets one
    (net.ipv6.auto_flowlabels), xrt sends 0, and RFC 6437 3 leaves the
    choice to the source. The flow label of the quoted probe is compared;
  - a fragmented answer's Identification is zeroed: the source's choice
    (RFC 8200 4.5; RFC 7739 5 asks for unpredictable values);
  - when an error quotes a probe sent from or to a link-local address,
    the quoted probe's own upper-layer checksum is zeroed: host A's
    link-local differs between the topologies, so the probes differ there.
Forwarded packets (IPv6 header onwards, at B) need no mask.

Rules (exit 1 on any failure, each printed):
  - every probe has a row in CONFORMANCE.md, and went out on the wire
    (all its frames seen leaving A, through both routers);
  - the kernel's line equals the row's kernel column: the reference itself
    changing (another kernel, a probe that no longer provokes what it did)
    is a failure, not a warning;
  - a row whose note starts with "same": xrt's line equals the kernel's,
    and so do the masked bytes of every answer and forwarded packet;
  - otherwise the note names a section (§E<n>: a documented exception;
    "bug: see §B<n>": a known bug) and xrt's line is exactly the row's xrt
    column; the bytes of what both forwarded are still compared.
--table prints the rows as measured.
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
            seen.setdefault(ip.fl, []).append((ip.hlim, 40 + ip.plen, bytes(ip)))
    return seen


def sorted_answers(probe):
    return sorted(probe["answers"], key=lambda a: (str(a["type"]), a["len"], a.get("raw", "")))


def outcome(probe, fwd):
    parts = []
    for a in sorted_answers(probe):
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
        if len(wire) != ln:
            s += f" (+{len(wire) - ln} trailing bytes)"
        parts.append(s)
    return "; ".join(parts) or "dropped"


def first_diff(a, b):
    """Offset of the first differing byte of two hex strings, as text."""
    x, y = bytes.fromhex(a), bytes.fromhex(b)
    for i in range(min(len(x), len(y))):
        if x[i] != y[i]:
            return f"byte {i}: kernel {x[i]:#04x}, xrt {y[i]:#04x}"
    return f"lengths {len(x)} and {len(y)}"


def byte_diffs(k, x, kfwd, xfwd, answers=True):
    """Where the masked bytes of two probes' outcomes differ (empty: identical)."""
    out = []
    if answers:
        ka, xa = sorted_answers(k), sorted_answers(x)
        for i, (a, b) in enumerate(zip(ka, xa)):
            if a["raw"] != b["raw"]:
                out.append(f"answer {i + 1} ({a['type']}/{a['code']}) differs at {first_diff(a['raw'], b['raw'])}")
    kf, xf = kfwd.get(k["fl"], []), xfwd.get(x["fl"], [])
    for i, (a, b) in enumerate(zip(kf, xf)):
        if a[2] != b[2]:
            out.append(f"forwarded packet {i + 1} differs at {first_diff(a[2].hex(), b[2].hex())}")
    return out


def probe_errors(tag, p):
    errs = []
    if p["on_wire"] != p["frames"]:
        errs.append(f"{tag}: {p['on_wire']} of its {p['frames']} frames seen leaving A")
    for a in p["answers"]:
        if a["csum_ok"] is False:
            errs.append(f"{tag}: answer {a['type']}/{a['code']} with a wrong checksum")
    return errs


def doc_rows(path):
    """probe -> (kernel, xrt, note, what) from the rows '| `probe` | what | kernel | xrt | note |' of the
    "## Probes" section (other sections have tables of their own, IPv4's with the same probe names)."""
    rows, sections, in_probes = {}, set(), False
    for line in open(path):
        m = re.match(r"^#+\s+(\S+)", line)
        if m:
            sections.add(m.group(1).rstrip("."))
        if line.startswith("## "):
            in_probes = line.strip() == "## Probes"
        m = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|", line)
        if m and in_probes:
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
    fails, same, documented, bugs = [], 0, 0, 0
    for kp_ in kernel:
        name = kp_["name"]
        xp_ = xrt_by_name.get(name)
        if xp_ is None:
            fails.append(f"{name}: not probed through xrt")
            continue
        k = outcome(kp_, kfwd)
        x = outcome(xp_, xfwd)
        row = rows.get(name)
        if table:
            note = row[2] if row and not row[2].startswith("same") else "same" if k == x else "DIFFERS"
            print(f"| `{name}` | {row[3] if row else ''} | {k} | {x} | {note} |")
        errs = probe_errors("kernel", kp_) + probe_errors("xrt", xp_)
        if errs:
            fails.append(f"{name}: " + "; ".join(errs))
            continue
        if row is None:
            fails.append(f"{name}: no row in {doc} (kernel: {k}; xrt: {x})")
            continue
        if row[0] != k:
            fails.append(f"{name}: the kernel reference changed: kernel now '{k}', {doc} says '{row[0]}'")
            continue
        if row[2].startswith("same"):
            if k != x:
                fails.append(f"{name}: kernel '{k}', xrt '{x}'; {doc} says '{row[2]}'")
                continue
            diffs = byte_diffs(kp_, xp_, kfwd, xfwd)
            if diffs:
                fails.append(f"{name}: '{k}' on both, but " + "; ".join(diffs))
                continue
            same += 1
            continue
        m = re.search(r"§\s*(\S+)", row[2])
        if not (m and m.group(1).rstrip(".") in sections):
            fails.append(f"{name}: note '{row[2]}' is neither 'same' nor a section of {doc}")
            continue
        if x != row[1]:
            fails.append(f"{name}: kernel '{k}', xrt '{x}'; {doc} documents xrt '{row[1]}', note '{row[2]}'")
            continue
        diffs = byte_diffs(kp_, xp_, kfwd, xfwd, answers=False)
        if diffs:
            fails.append(f"{name}: documented exception, but " + "; ".join(diffs))
            continue
        if row[2].startswith("bug"):
            bugs += 1
        else:
            documented += 1
    for f in fails:
        print("FAIL  " + f)
    print(f"conformance: {len(kernel)} probes, {same} same as the kernel (byte for byte, masks as listed), "
          f"{documented} documented exceptions, {bugs} known bugs, {len(fails)} failures")
    sys.exit(1 if fails else 0)


main()
