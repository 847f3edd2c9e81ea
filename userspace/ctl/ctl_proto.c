/* xrt: encoding and decoding of control socket messages, and the line tokenizer. */
#include "ctl/ctl_proto.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

void xrt_buf_free(struct xrt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int buf_reserve(struct xrt_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int xrt_buf_add(struct xrt_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n))
		return -ENOMEM;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0'; /* text users may print the buffer directly */
	return 0;
}

int xrt_buf_printf(struct xrt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n))
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int xrt_ctl_addr(const char *name, struct sockaddr_un *sa)
{
	size_t n = strlen(name);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, name, n);
	/* Abstract names have no trailing NUL: the length delimits them. */
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		return (int)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (int)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

void xrt_ctl_req_begin(struct xrt_buf *b, uint16_t flags)
{
	struct xrt_ctl_req h = {
		.magic = XRT_CTL_MAGIC, .version = XRT_CTL_VERSION, .flags = flags,
	};
	b->len = 0;
	xrt_buf_add(b, &h, sizeof(h));
}

int xrt_ctl_req_add(struct xrt_buf *b, int argc, char *const argv[])
{
	if (argc < 0 || argc > XRT_CTL_MAX_WORDS || b->len < sizeof(struct xrt_ctl_req))
		return -EINVAL;
	uint32_t n = (uint32_t)argc;
	if (xrt_buf_add(b, &n, sizeof(n)))
		return -ENOMEM;
	for (int i = 0; i < argc; i++)
		if (xrt_buf_add(b, argv[i], strlen(argv[i]) + 1))
			return -ENOMEM;
	struct xrt_ctl_req *h = (struct xrt_ctl_req *)b->data;
	h->ncmds++;
	return 0;
}

int xrt_ctl_iter_init(struct xrt_ctl_iter *it, const void *msg, size_t len,
		      uint16_t *flags)
{
	struct xrt_ctl_req h;
	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, msg, sizeof(h));
	if (h.magic != XRT_CTL_MAGIC || h.version != XRT_CTL_VERSION)
		return -EPROTO;
	it->msg = msg;
	it->len = len;
	it->off = sizeof(h);
	it->left = h.ncmds;
	if (flags)
		*flags = h.flags;
	return 0;
}

int xrt_ctl_iter_next(struct xrt_ctl_iter *it, int *argc, char **argv)
{
	if (it->left == 0)
		return it->off == it->len ? 0 : -EINVAL;
	uint32_t n;
	if (it->len - it->off < sizeof(n))
		return -EINVAL;
	memcpy(&n, it->msg + it->off, sizeof(n));
	it->off += sizeof(n);
	if (n > XRT_CTL_MAX_WORDS)
		return -E2BIG;
	for (uint32_t i = 0; i < n; i++) {
		const char *w = it->msg + it->off;
		const char *end = memchr(w, '\0', it->len - it->off);
		if (!end)
			return -EINVAL;
		argv[i] = (char *)w;
		it->off += (size_t)(end - w) + 1;
	}
	*argc = (int)n;
	it->left--;
	return 1;
}

int xrt_tokenize(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (argc == max)
			return -1;
		if (*p == '"') {
			argv[argc++] = ++p;
			char *q = strchr(p, '"');
			if (!q)
				return -1;
			*q = '\0';
			p = q + 1;
			continue;
		}
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return argc;
}
