/* xrt: the control socket server: accepts CLI connections and answers their requests. */
#define _GNU_SOURCE /* accept4, struct ucred */
#include "ctl/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "cli/cmd.h"
#include "cli/trace.h"
#include "ctl/local_stats.h"
#include "ctl/monitor.h"
#include "ctl/trace.h"
#include "ctl/unix_sock.h"

int ctl_server_open(struct ctl_server *s, struct xrt_router *r, const char *name,
		    char *warn, char *err)
{
	memset(s, 0, sizeof(*s));
	s->r = r;
	s->listen_fd = -1;
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		s->conns[i] = -1;
	char path[sizeof(s->path)];
	int rc = xrt_unix_path(name, NULL, path, sizeof(path), err);
	if (rc)
		return rc;
	int fd = xrt_unix_listen(path, SOCK_SEQPACKET, XRT_CTL_MODE, 16, warn, err);
	if (fd < 0)
		return fd;
	s->listen_fd = fd;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i] >= 0) {
			ctl_monitor_del(s->conns[i]);
			ctl_trace_del(s->conns[i]);
			close(s->conns[i]);
			s->conns[i] = -1;
		}
	xrt_unix_unlink(s->path); /* while still listening: proves it is ours */
	s->path[0] = '\0';
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
}

static int send_resp(int fd, uint32_t flags, int32_t status, uint32_t ndone,
		     const void *payload, size_t len)
{
	static char msg[XRT_CTL_MAX_MSG];
	struct xrt_ctl_resp h = {
		.magic = XRT_CTL_MAGIC, .flags = flags, .status = status, .ndone = ndone,
	};
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), payload, len);
	ssize_t n = send(fd, msg, sizeof(h) + len, MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(h) + len) ? 0 : -1;
}

/* Output in chunks, then the final message with status and text. */
static int reply(int fd, const struct xrt_buf *out, int32_t status, uint32_t ndone,
		 const char *text)
{
	const size_t chunk = XRT_CTL_MAX_MSG - sizeof(struct xrt_ctl_resp);
	for (size_t off = 0; off < out->len; off += chunk) {
		size_t n = out->len - off < chunk ? out->len - off : chunk;
		if (send_resp(fd, XRT_CTL_F_MORE, 0, 0, out->data + off, n))
			return -1;
	}
	return send_resp(fd, 0, status, ndone, text, strlen(text));
}

/* Close a refused connection without leaving its request unread, which
 * would make the peer's recv fail with ECONNRESET before our answer
 * (unix_release_sock). A request sent after this still can: the CLI then
 * reads again. */
static void refuse_close(int fd)
{
	static char drain[XRT_CTL_MAX_MSG];
	for (int i = 0; i < 4 && recv(fd, drain, sizeof(drain), MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
}

int ctl_server_accept(struct ctl_server *s)
{
	int fd = xrt_accept(s->listen_fd, SOCK_CLOEXEC, &xrt_local_stats.ctl_accept_shed);
	if (fd < 0)
		return errno == ENFILE ? -ENFILE : -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct xrt_buf none = { 0 };
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != 0) {
		/* Answered and closed at once: a refused peer holds no slot, so
		 * connections of other users cannot lock root out. The answer
		 * stays queued for the peer even if its send then fails (EPIPE):
		 * the CLI reads after a failed send. */
		xrt_local_stats.ctl_refused_uid++;
		reply(fd, &none, -EPERM, 0, "permission denied: xrtd accepts uid 0 only");
		refuse_close(fd);
		return -1;
	}
	int slot = -1;
	for (int i = 0; i < CTL_MAX_CONNS && slot < 0; i++)
		if (s->conns[i] < 0)
			slot = i;
	if (slot < 0) {
		xrt_local_stats.ctl_refused_full++;
		reply(fd, &none, -EBUSY, 0, "xrtd is busy: too many CLI connections");
		refuse_close(fd);
		return -1;
	}
	/* Blocking sends with a timeout: big outputs stream out while the CLI
	 * reads, and a CLI that stops reading cannot stall the daemon long. */
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->conns[slot] = fd;
	return fd;
}

static void conn_close(struct ctl_server *s, int fd)
{
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i] == fd)
			s->conns[i] = -1;
	ctl_monitor_del(fd);
	ctl_trace_del(fd);
	close(fd);
}

void ctl_server_drop(struct ctl_server *s, int fd)
{
	xrt_local_stats.ctl_epoll_errors++;
	conn_close(s, fd);
}

int ctl_server_serve(struct ctl_server *s, int fd)
{
	static char req[XRT_CTL_MAX_MSG];
	ssize_t n = recv(fd, req, sizeof(req), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		conn_close(s, fd);
		return -1;
	}
	if (ctl_monitor_is(fd) || ctl_trace_is(fd))
		return 0; /* a monitor only listens: what it sends is ignored */
	struct xrt_buf out = { 0 };
	if ((size_t)n > sizeof(req)) {
		xrt_local_stats.ctl_bad_requests++;
		reply(fd, &out, -EMSGSIZE, 0, "request larger than 64 KiB");
		return 0;
	}
	struct xrt_ctl_iter it;
	uint16_t flags = 0;
	int argc, rc = xrt_ctl_iter_init(&it, req, (size_t)n, &flags);
	char *argv[XRT_CTL_MAX_WORDS];
	char err[XRT_ERR_LEN] = "";
	uint32_t ndone = 0;
	if (rc) {
		snprintf(err, sizeof(err), "malformed request (wrong xrt version?)");
	} else if (it.left == 1 && (rc = xrt_ctl_iter_next(&it, &argc, argv)) == 1 &&
		   matches(argv[0], "monitor", 3)) {
		/* A subscription: no answer until the connection closes; the
		 * events go out as chunks of output (ctl/monitor.c). */
		unsigned mask;
		rc = ctl_monitor_parse(argc, argv, &mask, err);
		if (!rc)
			rc = ctl_monitor_add(fd, mask, flags & XRT_CTL_F_JSON, err);
		if (!rc)
			return 0;
	} else if (rc == 1 && trace_is(argc, argv)) {
		/* A trace session: its packets stream out as chunks, its
		 * summary is the final answer (ctl/trace.c). */
		rc = ctl_trace_start(fd, argc, argv, flags & XRT_CTL_F_JSON, err);
		if (!rc)
			return 0;
	} else {
		if (rc == 1) { /* not a monitor: run it as any other request */
			xrt_ctl_iter_init(&it, req, (size_t)n, &flags);
			rc = 0;
		}
		while ((rc = xrt_ctl_iter_next(&it, &argc, argv)) == 1) {
			rc = cmd_exec(s->r, argc, argv, flags & XRT_CTL_F_JSON, &out, err);
			if (rc)
				break;
			ndone++;
		}
		if (rc < 0 && !err[0])
			snprintf(err, sizeof(err), "malformed request");
	}
	if (rc < 0 && !strncmp(err, "malformed", 9))
		xrt_local_stats.ctl_bad_requests++;
	int sent = reply(fd, &out, rc < 0 ? rc : 0, ndone, rc < 0 ? err : "");
	xrt_buf_free(&out);
	if (sent) {
		conn_close(s, fd);
		return -1;
	}
	return 0;
}
