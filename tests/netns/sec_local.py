#!/usr/bin/env python3
"""xrt: the unprivileged local attacker of t_sec_local.sh (squat socket names, hold connections, exhaust sockets, probe the socket layer).

Usage (each mode prints one result line, then most keep what they hold
until killed):
  sec_local.py squat COUNTFILE NAME...   listen on each NAME ('@x' = abstract,
                                         else a path); count the bytes peers
                                         send into COUNTFILE; print "ready"
  sec_local.py trypaths PATH...          try to create each PATH's directory
                                         and bind it; print "ok"/errno each
  sec_local.py hold PATH N               N connections to PATH, held open;
                                         print "connected C refused R"
  sec_local.py sockets MAX               (under the shim) open UDP sockets
                                         until one fails or MAX; print "N ERR"
  sec_local.py probe ...                 (under the shim) see probe()
"""
import errno
import os
import select
import signal
import socket
import struct
import sys
import time


def addr(name):
    return "\0" + name[1:] if name.startswith("@") else name


def hold_forever():
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        time.sleep(3600)


def squat(countfile, names):
    ls = []
    for n in names:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        s.bind(addr(n))
        s.listen(128)
        ls.append(s)
    total = 0
    with open(countfile, "w") as f:
        f.write("0\n")
    print("ready", flush=True)
    conns = []
    while True:
        r, _, _ = select.select(ls + conns, [], [], 1.0)
        for s in r:
            if s in ls:
                c, _ = s.accept()
                conns.append(c)
                continue
            try:
                d = s.recv(65536)
            except OSError:
                d = b""
            if not d:
                conns.remove(s)
                s.close()
                continue
            total += len(d)
            with open(countfile, "w") as f:
                f.write("%d\n" % total)


def trypaths(paths):
    out = []
    for p in paths:
        d = os.path.dirname(p)
        try:
            os.makedirs(d, exist_ok=True)
        except OSError as e:
            out.append("mkdir:" + errno.errorcode[e.errno])
            continue
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.bind(p)
            s.listen(1)
            out.append("ok")
        except OSError as e:
            out.append("bind:" + errno.errorcode[e.errno])
    print(" ".join(out), flush=True)


def hold(path, n):
    held, refused = [], 0
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(addr(path))
            held.append(s)
        except OSError:
            refused += 1
            s.close()
    # A refused connection is closed by the server: count those still open.
    time.sleep(0.5)
    alive = 0
    for s in held:
        r, _, _ = select.select([s], [], [], 0)
        if not r:
            alive += 1
    print("connected %d refused %d open %d" % (len(held), refused, alive), flush=True)
    hold_forever()


def sockets(maxn):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    held, err = [], "none"
    for _ in range(maxn):
        try:
            held.append(socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))
        except OSError as e:
            err = errno.errorcode.get(e.errno, str(e.errno))
            break
    print("%d %s" % (len(held), err), flush=True)
    hold_forever()


def try_errno(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def probe(ifindex, dst):
    """Socket-layer checks an unprivileged user can make, one word each:
    bind80 raw tclass mbind mcast_src hops mhops rthdr prio7 pktinfo_spoof
    bind521."""
    res = {}
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    res["bind80"] = try_errno(lambda: s.bind(("::", 80)))
    s.close()
    res["raw"] = try_errno(
        lambda: socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6).close())
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    res["tclass"] = try_errno(
        lambda: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x20))
    # A bound multicast address is for receiving: never the source.
    res["mbind"] = try_errno(lambda: s.bind(("ff02::1", 5001, 0, ifindex)))
    res["mcast_src"] = try_errno(lambda: s.sendto(b"mcast-src", (dst, 5002)))
    res["hops"] = try_errno(
        lambda: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 7))
    res["hops_get"] = str(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS))
    res["hops_send"] = try_errno(lambda: s.sendto(b"hops-7", (dst, 5003)))
    res["mhops_get"] = str(s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS))
    res["msend"] = try_errno(lambda: s.sendto(b"mcast-1", ("ff02::1", 5004, 0, ifindex)))
    res["rthdr"] = try_errno(
        lambda: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVRTHDR, 1))
    res["prio7"] = try_errno(lambda: s.setsockopt(socket.SOL_SOCKET, socket.SO_PRIORITY, 7))
    # IPV6_PKTINFO with the peer's address as the source: the send
    # returns (the datagram left the application), xrtd drops it.
    pi = struct.pack("=16sI", socket.inet_pton(socket.AF_INET6, dst), 0)
    res["pktinfo_spoof"] = try_errno(lambda: s.sendmsg(
        [b"spoof"], [(socket.IPPROTO_IPV6, socket.IPV6_PKTINFO, pi)], 0, (dst, 5005)))
    s.close()
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    res["bind521"] = try_errno(lambda: s.bind(("::", 521)))
    print(" ".join("%s=%s" % kv for kv in res.items()), flush=True)


def main():
    mode = sys.argv[1]
    if mode == "squat":
        squat(sys.argv[2], sys.argv[3:])
    elif mode == "trypaths":
        trypaths(sys.argv[2:])
    elif mode == "hold":
        hold(sys.argv[2], int(sys.argv[3]))
    elif mode == "sockets":
        sockets(int(sys.argv[2]))
    elif mode == "probe":
        probe(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
