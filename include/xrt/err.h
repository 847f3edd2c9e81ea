/* xrt: the userspace error convention: return 0 or -errno, and say why in one line of err. */
#ifndef XRT_ERR_H
#define XRT_ERR_H

#include <stdarg.h>
#include <stdio.h>

/*
 * Every function that can fail for a reason a user should read takes an
 * optional `char *err` of XRT_ERR_LEN bytes: NULL when the caller does not
 * want the message (a cleanup path, a best-effort refresh). The message is
 * one line and names the offending word or object.
 */
#define XRT_ERR_LEN 256

static inline void xrt_verr(char *err, const char *fmt, va_list ap)
{
	if (err)
		vsnprintf(err, XRT_ERR_LEN, fmt, ap);
}

static inline __attribute__((format(printf, 2, 3))) void xrt_err(char *err, const char *fmt,
								    ...)
{
	va_list ap;

	va_start(ap, fmt);
	xrt_verr(err, fmt, ap);
	va_end(ap);
}

/* Say why and return rc (a negative errno): return xrt_fail(err, -EINVAL, ...). */
static inline __attribute__((format(printf, 3, 4))) int xrt_fail(char *err, int rc,
								    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xrt_verr(err, fmt, ap);
	va_end(ap);
	return rc;
}

/* In a function whose error buffer is named err. */
#define ERR(...) xrt_err(err, __VA_ARGS__)

#endif
