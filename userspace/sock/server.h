/* xrt: the Unix socket applications reach xrtd's socket layer through (protocol in stack/sock_proto.h). */
#ifndef XRT_SOCK_SERVER_H
#define XRT_SOCK_SERVER_H

#include <stdbool.h>

/* Per-uid bounds of the socket table (XRT_SOCK_MAX entries, one per
 * application socket or connection to this server): a non-root uid holds at
 * most XRT_SOCK_UID_MAX; all non-root uids together leave
 * XRT_SOCK_ROOT_RESERVE for root. Over the quota socket(2) fails with
 * ENOBUFS, a full table with ENFILE (counted: sock_refused_quota/_full). */
#define XRT_SOCK_UID_MAX 256
#define XRT_SOCK_ROOT_RESERVE 64

/* Listen on $XRT_SOCK if set, else on the control socket's name + "-sock"
 * ("xrt" -> /run/xrt/net-<inode>/xrt-sock, ctl/unix_sock.h; ctl_name NULL =
 * the default), mode 0666, root's. Returns an epoll fd for the daemon's loop
 * to watch (readable = call sock_server_run), or -errno with err filled;
 * warn (XRT_ERR_LEN) tells what stale or squatted socket was replaced. */
int sock_server_open(const char *ctl_name, char *warn, char *err);
/* Serve whatever is ready, without blocking. */
void sock_server_run(void);
void sock_server_close(void);
/* ENFILE paused the listener; resume it after XRT_LISTEN_BACKOFF_MS. */
bool sock_server_paused(void);
void sock_server_resume(void);

#endif
