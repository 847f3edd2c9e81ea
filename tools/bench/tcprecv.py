"""xrt bench: one-connection TCP receiver for tools/bench/sock.sh: listen, accept, write the stream to a file, print its size and the seconds from accept to end of stream.

Usage: /usr/bin/python3 tcprecv.py ADDR PORT OUT READY
Creates READY once listening (the caller's bounded poll waits for it, which
also works when the listener lives in xrtd, where `ss` cannot see it). The
clock runs in the receiver, from accept() to the end of the stream, so
neither process start-up nor the handshake is in the figure. Plain socket
calls only: under LD_PRELOAD=build/libxrt-sock.so it runs unmodified on
xrt's TCP. The caller compares OUT with what was sent.
"""
import socket
import sys
import time


def main():
    addr, port, out, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    listener = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((addr, port))
    listener.listen(1)
    open(ready, "w").close()
    conn, _ = listener.accept()
    start = time.monotonic()
    received = 0
    # 1 MiB reads: the copy into the file, not the number of system calls,
    # is what this receiver costs per byte (as for socat or nc).
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    with open(out, "wb", buffering=0) as f:
        while True:
            n = conn.recv_into(buf)
            if n == 0:
                break
            done = 0
            while done < n:  # a raw file may take fewer bytes than offered
                done += f.write(view[done:n])
            received += n
    seconds = time.monotonic() - start
    conn.close()
    print("bytes=%d seconds=%.6f" % (received, seconds))


if __name__ == "__main__":
    main()
