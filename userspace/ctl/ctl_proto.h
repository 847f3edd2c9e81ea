/* xrt: the control socket's wire format, shared by the xrt CLI and xrtd. */
#ifndef XRT_CTL_CTL_PROTO_H
#define XRT_CTL_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Transport: a SOCK_SEQPACKET Unix socket, so every message arrives whole and
 * no framing is needed. Default address: the abstract name "@xrt", which is
 * per network namespace, so one xrtd per namespace answers to the same name.
 * A path starting with '@' is abstract; anything else is a filesystem path.
 * Only uid 0 may talk to the daemon (checked with SO_PEERCRED).
 *
 * Request: one message = struct xrt_ctl_req, then ncmds commands, each a
 * uint32_t word count followed by that many NUL-terminated words (the
 * command line without the leading "xrt", e.g. "route" "add" "2001:db8::/32"
 * "via" "fe80::1" "dev" "eth0"). The daemon parses the words, so the CLI,
 * -batch and the configuration file share one grammar. ncmds > 1 is a batch:
 * commands run in order and the first failure stops the batch.
 *
 * Response: one or more messages, each starting with struct xrt_ctl_resp.
 * Messages with XRT_CTL_F_MORE carry a chunk of the output (text, or JSON
 * when the request had XRT_CTL_F_JSON). The last message (no MORE flag)
 * carries the status (0 or a negative errno), the number of commands that
 * succeeded, and as payload a one-line message: empty on success, the error
 * otherwise, naming the offending word. Host byte order throughout.
 */
#define XRT_CTL_SOCK_DEFAULT "@xrt"
#define XRT_CTL_MAGIC 0x78727463u /* "xrtc" */
#define XRT_CTL_VERSION 1
#define XRT_CTL_MAX_MSG 65536  /* largest message either way */
#define XRT_CTL_MAX_WORDS 512  /* words per command */

#define XRT_CTL_F_JSON 0x1 /* request: output JSON */
#define XRT_CTL_F_MORE 0x1 /* response: more messages follow */

struct xrt_ctl_req {
	uint32_t magic;
	uint16_t version;
	uint16_t flags;
	uint32_t ncmds;
};

struct xrt_ctl_resp {
	uint32_t magic;
	uint32_t flags;
	int32_t status;
	uint32_t ndone; /* commands of the request that succeeded */
};

/* A growable byte buffer (command output, messages under construction). */
struct xrt_buf {
	char *data;
	size_t len, cap;
};
void xrt_buf_free(struct xrt_buf *b);
int xrt_buf_add(struct xrt_buf *b, const void *p, size_t n);
int xrt_buf_printf(struct xrt_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Fill a sockaddr_un for name ("@abstract" or a path); returns its length or
 * -1 if the name is too long. */
struct sockaddr_un;
int xrt_ctl_addr(const char *name, struct sockaddr_un *sa);

/* Append one command (argc words) to a request under construction in b.
 * The caller writes the header first with xrt_ctl_req_begin. */
void xrt_ctl_req_begin(struct xrt_buf *b, uint16_t flags);
int xrt_ctl_req_add(struct xrt_buf *b, int argc, char *const argv[]);

/* Iterate the commands of a received request. Returns 1 and fills
 * argc/argv (argv points into msg; capacity XRT_CTL_MAX_WORDS) for each
 * command, 0 at the end, -EINVAL if the message is malformed. */
struct xrt_ctl_iter {
	const char *msg;
	size_t len, off;
	uint32_t left;
};
int xrt_ctl_iter_init(struct xrt_ctl_iter *it, const void *msg, size_t len,
		      uint16_t *flags);
int xrt_ctl_iter_next(struct xrt_ctl_iter *it, int *argc, char **argv);

/* Split a line into words in place (whitespace separated; '#' starts a
 * comment; double quotes group words). Returns the word count, or -1 if
 * the line has more than max words or an unterminated quote. */
int xrt_tokenize(char *line, char **argv, int max);

#endif
