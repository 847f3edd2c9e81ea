/* xrt: the command line interface; sends its words to xrtd and prints the answer. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/ctl_proto.h"
#include "ctl/unix_sock.h"
#include "xrt/err.h"

#define LINE_MAX_LEN 8192
#ifndef XRT_VERSION
#define XRT_VERSION "unknown" /* the Makefile passes VERSION */
#endif

static const char *sock_name = XRT_CTL_SOCK_DEFAULT;
/* -4 or -6 (iproute2's preferred family): sent as each command's first
 * word, which xrtd's grammar reads (cli/cmd.c), so -batch and the
 * configuration file share it. NULL: neither. */
static const char *family_word;

/* Add one command to a request, behind the family word if there is one. */
static int req_add_cmd(struct xrt_buf *req, int argc, char **argv)
{
	char *words[XRT_CTL_MAX_WORDS];
	if (!family_word || (argc > 0 && !strcmp(argv[0], "monitor")))
		return xrt_ctl_req_add(req, argc, argv);
	if (argc + 1 > XRT_CTL_MAX_WORDS)
		return -E2BIG;
	words[0] = (char *)family_word;
	memcpy(&words[1], argv, (size_t)argc * sizeof(*argv));
	return xrt_ctl_req_add(req, argc + 1, words);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: xrt [-j] [-4|-6] [--socket SOCKET] OBJECT COMMAND ...\n"
		"       xrt [-j] [-4|-6] [--socket SOCKET] [-force] -batch FILE\n"
		"       xrt -V | --version\n"
		"OBJECT := link | addr | route | neigh | stats | sync | punt | ra | icmp | config | acl | rule | monitor | trace\n"
		"       xrt link attach dev D [mode native|generic]\n"
		"       xrt link detach|show|set dev D [up|down] [mtu N] [forwarding on|off] [table T]\n"
		"                 [rpf strict|loose|off]\n"
		"       xrt addr add|del|show [ADDR/PLEN dev D]   (ADDR: IPv6 or IPv4)\n"
		"       xrt route add|del|replace|show|get|flush [TYPE] PREFIX [via ADDR] [dev D]\n"
		"                 [metric N] [table T] [mtu N] [nexthop via ADDR dev D weight W ...]\n"
		"       xrt route get ADDR [from ADDR] [iif D] [ipproto P] [sport N] [dport N] [flowlabel N]\n"
		"       xrt route summary\n"
		"       xrt neigh show|add|del|flush [ADDR lladdr MAC dev D]\n"
		"       xrt stats [dev D]\n"
		"       xrt sync [kernel on|off]\n"
		"       xrt punt show [REASON]\n"
		"       xrt punt set REASON [rate PPS] [burst N]   (rate 0 = unlimited)\n"
		"       xrt ra set dev D on|off [interval MAX] [min-interval MIN] [lifetime N]\n"
		"                 [mtu N|auto|off] [prefix P/LEN [valid N] [preferred N]\n"
		"                 [no-onlink] [no-autonomous]] ...\n"
		"       xrt ra show [dev D]\n"
		"       xrt icmp ratelimit RATE [burst N] [global RATE [burst N]] | default\n"
		"       xrt icmp show\n"
		"       xrt config reload\n"
		"       xrt monitor [link|addr|route|neigh|rule|all] ...\n"
		"       xrt trace [dev D] [from PREFIX] [to PREFIX] [proto P] [count N] [timeout S]\n"
		"       xrt acl add|del [dev D] [dir in|out|local] [from PREFIX] [to PREFIX] [ipproto P]\n"
		"                 [sport N[-M]] [dport N[-M]] [icmp-type T [code C]] [priority N]\n"
		"                 action pass|drop\n"
		"       xrt acl show|flush [dev D] [dir in|out|local]\n"
		"       xrt rule add|del [from PREFIX] [to PREFIX] [iif D] [oif D] [ipproto P]\n"
		"                 [sport N[-M]] [dport N[-M]] [priority N]\n"
		"                 table T | blackhole | unreachable | prohibit\n"
		"       xrt rule show|flush\n");
}

/* Connect to xrtd; nothing is sent before ctl/unix_sock.c has checked
 * that the listener is root's (SO_PEERCRED). */
static int ctl_connect(void)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)], err[XRT_ERR_LEN];
	if (xrt_unix_path(sock_name, NULL, path, sizeof(path), err)) {
		fprintf(stderr, "xrt: %s\n", err);
		return -1;
	}
	int fd = xrt_unix_connect(path, SOCK_SEQPACKET, err);
	if (fd >= 0)
		return fd;
	if (fd == -ECONNREFUSED || fd == -ENOENT)
		fprintf(stderr, "xrt: xrtd is not running (nothing listens on %s)\n", path);
	else if (fd == -EACCES)
		fprintf(stderr, "xrt: permission denied: %s is root's (xrtd accepts uid 0 only)\n",
			path);
	else if (fd == -EPERM)
		fprintf(stderr, "xrt: %s\n", err);
	else
		fprintf(stderr, "xrt: cannot connect to xrtd on %s: %s\n", path, strerror(-fd));
	return -1;
}

/* Send one request and print its output; returns the final response header
 * with status, or status -EIO if the daemon went away. msg gets the message. */
static struct xrt_ctl_resp transact(int fd, const struct xrt_buf *req, char *msg,
				    size_t msglen)
{
	struct xrt_ctl_resp r = { .status = -EIO };
	static char rx[XRT_CTL_MAX_MSG];
	msg[0] = '\0';
	int send_errno = 0;
	if (send(fd, req->data, req->len, MSG_NOSIGNAL) != (ssize_t)req->len)
		send_errno = errno; /* a refusal (not root, busy) may be queued: read it */
	bool reset = false;
	for (;;) {
		ssize_t n = recv(fd, rx, sizeof(rx), 0);
		if (n < 0 && errno == ECONNRESET && !reset) {
			/* unix(7): a peer that closed with our request unread
			 * flags ECONNRESET once; its answer is still queued. */
			reset = true;
			continue;
		}
		if (n < (ssize_t)sizeof(r)) {
			if (send_errno)
				snprintf(msg, msglen, "cannot send to xrtd: %s",
					 strerror(send_errno));
			else
				snprintf(msg, msglen, "xrtd closed the connection");
			r.status = -EIO;
			return r;
		}
		memcpy(&r, rx, sizeof(r));
		if (r.magic != XRT_CTL_MAGIC) {
			snprintf(msg, msglen, "bad response from xrtd");
			r.status = -EPROTO;
			return r;
		}
		size_t plen = (size_t)n - sizeof(r);
		if (r.flags & XRT_CTL_F_MORE) {
			fwrite(rx + sizeof(r), 1, plen, stdout);
			fflush(stdout); /* `xrt monitor | ...` sees each event at once */
			continue;
		}
		if (plen >= msglen)
			plen = msglen - 1;
		memcpy(msg, rx + sizeof(r), plen);
		msg[plen] = '\0';
		return r;
	}
}

static int run_one(int argc, char **argv, uint16_t flags)
{
	int fd = ctl_connect();
	if (fd < 0)
		return 1;
	struct xrt_buf req = { 0 };
	xrt_ctl_req_begin(&req, flags);
	if (req_add_cmd(&req, argc, argv)) {
		fprintf(stderr, "xrt: too many words\n");
		return 1;
	}
	char msg[1024];
	struct xrt_ctl_resp r = transact(fd, &req, msg, sizeof(msg));
	fflush(stdout);
	xrt_buf_free(&req);
	close(fd);
	if (r.status) {
		fprintf(stderr, "Error: %s\n", msg[0] ? msg : strerror(-r.status));
		return 2;
	}
	if (msg[0])
		fprintf(stderr, "%s\n", msg);
	return 0;
}

/* Bytes a command adds to a request (xrt_ctl_req_add: u32 argc, then each
 * word with its NUL). */
static size_t cmd_encoded_len(int argc, char **argv)
{
	size_t n = sizeof(uint32_t) + (family_word ? strlen(family_word) + 1 : 0);
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	return n;
}

/* -batch: many commands per message, one connection, stop at the first error
 * (or report and go on with -force). Line numbers map failures back. */
static int run_batch(const char *path, uint16_t flags, bool force)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "xrt: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	int fd = ctl_connect();
	if (fd < 0) {
		if (f != stdin)
			fclose(f);
		return 1;
	}
	struct xrt_buf req = { 0 };
	static char line[LINE_MAX_LEN];
	char *words[XRT_CTL_MAX_WORDS];
	unsigned *lines = NULL; /* file line of each command in req */
	size_t nlines = 0, lines_cap = 0;
	unsigned lineno = 0;
	int rc = 0;
	bool eof = false;
	char msg[1024];

	/* A line read but not yet packed: it did not fit in the last message. */
	bool pending = false;
	int nwords = 0;

	while (!eof || pending) {
		xrt_ctl_req_begin(&req, flags);
		nlines = 0;
		for (;;) {
			if (!pending) {
				if (!fgets(line, sizeof(line), f)) {
					eof = true;
					break;
				}
				lineno++;
				size_t len = strlen(line);
				if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
					fprintf(stderr, "Command failed %s:%u: line longer than %d bytes\n",
						path, lineno, LINE_MAX_LEN - 2);
					rc = 1;
					goto out; /* the rest of the line would be misread */
				}
				nwords = xrt_tokenize(line, words, XRT_CTL_MAX_WORDS);
				if (nwords < 0) {
					fprintf(stderr,
						"Command failed %s:%u: bad quoting or too many words\n",
						path, lineno);
					rc = 1;
					if (!force)
						goto out;
					continue;
				}
				if (nwords == 0)
					continue;
				pending = true;
			}
			/* The daemon refuses a message above XRT_CTL_MAX_MSG: the
			 * line goes in only if its encoding fits, else it opens the
			 * next message. */
			if (req.len + cmd_encoded_len(nwords, words) > XRT_CTL_MAX_MSG) {
				if (nlines > 0)
					break;
				fprintf(stderr, "Command failed %s:%u: larger than a request (%d bytes)\n",
					path, lineno, XRT_CTL_MAX_MSG);
				rc = 1;
				goto out;
			}
			if (nlines == lines_cap) {
				lines_cap = lines_cap ? lines_cap * 2 : 1024;
				unsigned *nl = realloc(lines, lines_cap * sizeof(*lines));
				if (!nl) {
					rc = 1;
					goto out;
				}
				lines = nl;
			}
			lines[nlines++] = lineno;
			if (req_add_cmd(&req, nwords, words)) {
				fprintf(stderr, "Command failed %s:%u: too many words\n", path, lineno);
				rc = 1;
				goto out;
			}
			pending = false;
		}
		/* With -force a failed command must not hide the rest of its
		 * message: resend what follows it. */
		while (nlines > 0) {
			struct xrt_ctl_resp r = transact(fd, &req, msg, sizeof(msg));
			if (r.status == 0)
				break;
			if (r.status == -EIO || r.status == -EPROTO) {
				fprintf(stderr, "xrt: %s\n", msg);
				rc = 1;
				goto out;
			}
			fprintf(stderr, "Command failed %s:%u: %s\n", path,
				lines[r.ndone], msg);
			rc = 1;
			if (!force)
				goto out;
			/* Rebuild the request from the command after the failed one. */
			struct xrt_ctl_iter it;
			int argc;
			char *argv[XRT_CTL_MAX_WORDS];
			struct xrt_buf rest = { 0 };
			xrt_ctl_req_begin(&rest, flags);
			xrt_ctl_iter_init(&it, req.data, req.len, NULL);
			for (size_t i = 0; xrt_ctl_iter_next(&it, &argc, argv) == 1; i++)
				if (i > r.ndone)
					xrt_ctl_req_add(&rest, argc, argv);
			xrt_buf_free(&req);
			req = rest;
			if (((struct xrt_ctl_req *)req.data)->ncmds == 0)
				break;
			memmove(lines, lines + r.ndone + 1,
				(nlines - (r.ndone + 1)) * sizeof(*lines));
			nlines -= r.ndone + 1;
		}
	}
out:
	fflush(stdout);
	free(lines);
	xrt_buf_free(&req);
	close(fd);
	if (f != stdin)
		fclose(f);
	return rc;
}

int main(int argc, char **argv)
{
	uint16_t flags = 0;
	const char *batch = NULL;
	bool force = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "-j") || !strcmp(o, "-json")) {
			flags |= XRT_CTL_F_JSON;
		} else if (!strcmp(o, "-4") || !strcmp(o, "-6")) {
			family_word = o;
		} else if (!strcmp(o, "-f") || !strcmp(o, "-family")) {
			if (++i == argc) {
				fprintf(stderr, "xrt: %s needs a family (inet, inet6)\n", o);
				return 1;
			}
			if (strcmp(argv[i], "inet") && strcmp(argv[i], "inet6")) {
				fprintf(stderr, "xrt: family \"%s\" is invalid (inet, inet6)\n",
					argv[i]);
				return 1;
			}
			family_word = !strcmp(argv[i], "inet") ? "-4" : "-6";
		} else if (!strcmp(o, "-socket") || !strcmp(o, "--socket")) {
			if (++i == argc) {
				fprintf(stderr, "xrt: %s needs a socket name or path\n", o);
				return 1;
			}
			sock_name = argv[i];
		} else if (!strncmp(o, "--socket=", 9)) {
			sock_name = o + 9;
		} else if (!strcmp(o, "-s") || !strcmp(o, "-stats") || !strcmp(o, "-statistics")) {
			/* ip(8): -s is -statistics there; xrt's counters are
			 * `xrt stats`, and xrt once took the socket with -s. */
			fprintf(stderr,
				"xrt: \"%s\" is not an xrt option (in ip(8) it means statistics: use "
				"\"xrt stats\"); the control socket is --socket SOCKET\n",
				o);
			return 1;
		} else if (!strcmp(o, "-batch") || !strcmp(o, "-b")) {
			if (++i == argc) {
				fprintf(stderr, "xrt: -batch needs a file name\n");
				return 1;
			}
			batch = argv[i];
		} else if (!strcmp(o, "-V") || !strcmp(o, "-Version") || !strcmp(o, "--version")) {
			printf("xrt %s\n", XRT_VERSION);
			return 0;
		} else if (!strcmp(o, "-force")) {
			force = true;
		} else if (!strcmp(o, "-h") || !strcmp(o, "-help") || !strcmp(o, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "xrt: option \"%s\" is unknown, try \"xrt -help\"\n", o);
			return 1;
		}
	}
	if (batch) {
		if (i != argc) {
			fprintf(stderr, "xrt: -batch takes no command words\n");
			return 1;
		}
		return run_batch(batch, flags, force);
	}
	if (i == argc) {
		usage(stderr);
		return 1;
	}
	return run_one(argc - i, argv + i, flags);
}
