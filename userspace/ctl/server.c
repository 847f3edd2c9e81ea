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

int ctl_server_open(struct ctl_server *s, struct xrt_router *r, const char *name,
		    char *err)
{
	memset(s, 0, sizeof(*s));
	s->r = r;
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		s->conns[i] = -1;
	struct sockaddr_un sa;
	int salen = xrt_ctl_addr(name, &sa);
	if (salen < 0) {
		xrt_err(err, "socket name \"%s\" is too long", name);
		return -ENAMETOOLONG;
	}
	s->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0) {
		xrt_err(err, "socket: %s", strerror(errno));
		return -errno;
	}
	if (name[0] != '@')
		unlink(name); /* a stale path from a previous run */
	if (bind(s->listen_fd, (struct sockaddr *)&sa, (socklen_t)salen) ||
	    listen(s->listen_fd, 16)) {
		int rc = -errno;
		xrt_err(err, "%s: %s%s", name, strerror(errno),
			 errno == EADDRINUSE ? " (is another xrtd running?)" : "");
		close(s->listen_fd);
		s->listen_fd = -1;
		return rc;
	}
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i] >= 0) {
			close(s->conns[i]);
			s->conns[i] = -1;
		}
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

int ctl_server_accept(struct ctl_server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	bool root = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == 0;
	int slot = -1;
	for (int i = 0; i < CTL_MAX_CONNS && slot < 0; i++)
		if (s->conns[i] < 0)
			slot = i;
	if (slot < 0) {
		s->refused_full++;
		struct xrt_buf none = { 0 };
		reply(fd, &none, -EBUSY, 0, "xrtd is busy: too many CLI connections");
		close(fd);
		return -1;
	}
	/* Blocking sends with a timeout: big outputs stream out while the CLI
	 * reads, and a CLI that stops reading cannot stall the daemon long. */
	struct timeval tv = { .tv_sec = CTL_SEND_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	s->conns[slot] = fd;
	/* A non-root peer stays connected so that its request gets the
	 * refusal as an answer (closing at once could race its send). */
	s->root[slot] = root;
	return fd;
}

static void conn_close(struct ctl_server *s, int fd)
{
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i] == fd)
			s->conns[i] = -1;
	close(fd);
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
	struct xrt_buf out = { 0 };
	for (int i = 0; i < CTL_MAX_CONNS; i++)
		if (s->conns[i] == fd && !s->root[i]) {
			s->refused_uid++;
			reply(fd, &out, -EPERM, 0, "permission denied: xrtd accepts uid 0 only");
			return 0;
		}
	if ((size_t)n > sizeof(req)) {
		s->bad_requests++;
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
	} else {
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
		s->bad_requests++;
	int sent = reply(fd, &out, rc < 0 ? rc : 0, ndone, rc < 0 ? err : "");
	xrt_buf_free(&out);
	if (sent) {
		conn_close(s, fd);
		return -1;
	}
	return 0;
}
