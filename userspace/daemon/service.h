/* xrt: xrtd as a service: readiness to the service manager (sd_notify(3)) and logs with priorities (syslog(3)). */
#ifndef XRT_DAEMON_SERVICE_H
#define XRT_DAEMON_SERVICE_H

#include <syslog.h>

/* openlog(3) with LOG_DAEMON; call once, before the first xrtd_log. */
void xrtd_log_open(void);
/* One line with a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO): to
 * syslog, and to stderr as "xrtd: ..." unless stderr is the journal
 * (systemd.exec(5) JOURNAL_STREAM), which already has it from syslog. */
void xrtd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* sd_notify(3)'s datagram protocol: send STATE ("READY=1", "STOPPING=1")
 * to $NOTIFY_SOCKET (a path, or "@" for the abstract namespace). Returns
 * 1 if sent, 0 without NOTIFY_SOCKET, a negative errno on failure. */
int xrtd_notify(const char *state);

#endif
