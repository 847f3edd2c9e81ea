/* xrt: where xrtd's Unix sockets live and how both ends open them (paths, listener checks, peer checks, accept under fd pressure). */
#ifndef XRT_CTL_UNIX_SOCK_H
#define XRT_CTL_UNIX_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/*
 * Names and paths. xrtd's sockets are filesystem sockets under a directory
 * only root can write, one directory per network namespace:
 *
 *     /run/xrt                      0755 root
 *     /run/xrt/net-<inode>          0755 root   (inode of /proc/self/ns/net)
 *     /run/xrt/net-<inode>/xrt      0600 root   the control socket
 *     /run/xrt/net-<inode>/xrt-sock 0666 root   the application socket layer
 *
 * A NAME without '/' (the default "xrt", or "r2", or the former abstract
 * spelling "@r2") is a socket in the namespace's directory; a NAME with a
 * '/' is that path. `ip netns exec` keeps /run but changes the network
 * namespace, so each namespace's xrtd and its clients meet in their own
 * directory, as the abstract names did, but nobody else can bind there.
 */
#define XRT_RUN_DIR "/run/xrt"
#define XRT_CTL_NAME_DEFAULT "xrt"
#define XRT_SOCK_SUFFIX "-sock"
#define XRT_CTL_MODE 0600  /* only uid 0 is served anyway */
#define XRT_SOCK_MODE 0666 /* any local user may open sockets, as with the kernel */

/* Resolve name (+ suffix) into a path (see above). 0 or -errno. */
int xrt_unix_path(const char *name, const char *suffix, char *path, size_t len, char *err);
/* The one place a sockaddr_un is built: path plus its terminating NUL.
 * 0 or -ENAMETOOLONG. */
int xrt_unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *salen);

/* Client side: connect to path and check, before anything is sent, that the
 * listener is root's (SO_PEERCRED, unix(7)). Returns the fd, or -errno:
 * -ENOENT/-ECONNREFUSED nothing listens, -EPERM the listener is not uid 0
 * (err names its uid and pid), others from socket(2)/connect(2). */
int xrt_unix_connect(const char *path, int type, char *err);

/* Server side: create the namespace directory if path is in it (checking
 * it is root's and not writable by others), take over a stale socket file
 * or one a non-root process holds, refuse (-EADDRINUSE) if a root process
 * already listens there (another xrtd), then bind with mode and listen;
 * all of it under flock(2) on PATH.lock, so two xrtd starting at once
 * cannot both take over the same stale file.
 * Returns the listening fd (non-blocking, close-on-exec) or -errno.
 * *warn (optional, XRT_ERR_LEN) says what was taken over, if anything. */
int xrt_unix_listen(const char *path, int type, mode_t mode, int backlog, char *warn,
		    char *err);
/* Remove the socket file this process listens on (call it before closing
 * the listener: the file is checked to be ours through SO_PEERCRED), its
 * lock file, and the namespace directory if that is now empty. */
void xrt_unix_unlink(const char *path);

/*
 * accept4 that cannot spin on a level-triggered listener: on EMFILE/ENFILE
 * the pending connection is taken with the spare descriptor held for this
 * purpose and closed at once (the peer sees EOF), so the listener is not
 * readable again for it. Returns the fd, or -1 with errno: EAGAIN nothing
 * pending, EMFILE a connection was shed (*shed counted), ENFILE it could not
 * be shed either (the caller stops watching the listener for a while).
 */
int xrt_accept(int lfd, int flags, uint64_t *shed);
/* Open the descriptor xrt_accept keeps for shedding now, at start: it then
 * holds one of the lowest numbers, and a lowered RLIMIT_NOFILE (which bounds
 * descriptor numbers, getrlimit(2)) still leaves room for it to be reused. */
void xrt_accept_reserve(void);
#define XRT_LISTEN_BACKOFF_MS 100

#endif
