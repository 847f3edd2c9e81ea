/* xrt: where xrtd's Unix sockets live and how both ends open them (paths, listener checks, peer checks, accept under fd pressure). */
#define _GNU_SOURCE /* accept4, struct ucred */
#include "ctl/unix_sock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "xrt/err.h"

/* The directory of this network namespace's sockets. */
static int netns_dir(char *dir, size_t len, char *err)
{
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0)
		return xrt_fail(err, -errno, "/proc/self/ns/net: %s (is /proc mounted?)",
				strerror(errno));
	int n = snprintf(dir, len, "%s/net-%lu", XRT_RUN_DIR, (unsigned long)st.st_ino);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xrt_unix_path(const char *name, const char *suffix, char *path, size_t len, char *err)
{
	if (!name || !*name)
		name = XRT_CTL_NAME_DEFAULT;
	if (!suffix)
		suffix = "";
	int n;
	if (strchr(name, '/')) {
		n = snprintf(path, len, "%s%s", name, suffix);
	} else {
		if (name[0] == '@') /* the abstract spelling of earlier versions */
			name++;
		char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
		int rc = netns_dir(dir, sizeof(dir), err);
		if (rc)
			return rc;
		if (!*name || !strcmp(name, ".") || !strcmp(name, ".."))
			return xrt_fail(err, -EINVAL, "socket name \"%s\" is not a name", name);
		n = snprintf(path, len, "%s/%s%s", dir, name, suffix);
	}
	if (n < 0 || (size_t)n >= len ||
	    (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return xrt_fail(err, -ENAMETOOLONG, "socket path \"%s%s\" is too long", name,
				suffix);
	return 0;
}

int xrt_unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *salen)
{
	size_t n = strlen(path);
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n == 0 || n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, n + 1);
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* Connect (non-blocking when probing) and read the listener's credentials. */
static int connect_peer(const char *path, int type, int extra, struct ucred *cred)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int rc = xrt_unix_addr(path, &sa, &salen);
	if (rc)
		return rc;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | extra, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* unix(7): SO_PEERCRED of a connected socket = the credentials the
	 * listener had when it called listen(2). */
	socklen_t l = sizeof(*cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &l) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

int xrt_unix_connect(const char *path, int type, char *err)
{
	struct ucred cred;
	int fd = connect_peer(path, type, 0, &cred);
	if (fd < 0)
		return xrt_fail(err, fd, "%s: %s", path, strerror(-fd));
	if (cred.uid != 0) {
		close(fd);
		return xrt_fail(err, -EPERM,
				"%s is held by uid %u (pid %d), not by root: not xrtd, nothing sent",
				path, (unsigned)cred.uid, (int)cred.pid);
	}
	return fd;
}

/* A directory we create our sockets in: a real directory, root's, and
 * writable by nobody else (else another user could swap our sockets). */
static int check_dir(const char *dir, char *err)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return xrt_fail(err, -errno, "%s: %s", dir, strerror(errno));
	struct stat st;
	if (lstat(dir, &st) < 0)
		return xrt_fail(err, -errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return xrt_fail(err, -EPERM,
				"%s is not a directory of uid %u writable only by it (owner %u, mode %o): refusing to use it",
				dir, (unsigned)geteuid(), (unsigned)st.st_uid,
				(unsigned)(st.st_mode & 07777));
	return 0;
}

/*
 * flock(2) on PATH.lock (0600, a regular file of ours) around the probe,
 * the removal of a stale file and the bind, and around the removal at exit:
 * two xrtd starting at once cannot both judge one file stale and remove
 * each other's fresh socket. Only its owner can open it, so no other user
 * can hold it. Waits at most LOCK_WAIT_MS. Returns the locked fd.
 */
#define LOCK_WAIT_MS 2000
static int lock_path(const char *path, char *err)
{
	char lock[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	mode_t old = umask(0177);
	int fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	umask(old);
	if (fd < 0)
		return xrt_fail(err, -errno, "%s: %s", lock, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return xrt_fail(err, -EPERM, "%s is not a lock file of uid %u: refusing to use it",
				lock, (unsigned)geteuid());
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB); waited += 10) {
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS) {
			close(fd);
			return xrt_fail(err, -EBUSY, "%s: held by another xrtd starting or stopping",
					lock);
		}
		usleep(10000);
	}
	return fd;
}

static int listen_locked(const char *path, int type, mode_t mode, int backlog, char *warn,
			 char *err);

int xrt_unix_listen(const char *path, int type, mode_t mode, int backlog, char *warn,
		    char *err)
{
	if (warn)
		warn[0] = '\0';
	/* Paths under XRT_RUN_DIR: both directory levels are ours. */
	size_t rl = strlen(XRT_RUN_DIR);
	if (!strncmp(path, XRT_RUN_DIR "/", rl + 1)) {
		char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
		snprintf(dir, sizeof(dir), "%s", path);
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		int rc = check_dir(XRT_RUN_DIR, err);
		if (!rc && strlen(dir) > rl)
			rc = check_dir(dir, err);
		if (rc)
			return rc;
	}
	int lk = lock_path(path, err);
	if (lk < 0)
		return lk;
	int fd = listen_locked(path, type, mode, backlog, warn, err);
	close(lk);
	return fd;
}

static int listen_locked(const char *path, int type, mode_t mode, int backlog, char *warn,
			 char *err)
{
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return xrt_fail(err, -EEXIST, "%s exists and is not a socket: not removing it",
					path);
		struct ucred cred;
		int fd = connect_peer(path, type, SOCK_NONBLOCK, &cred);
		if (fd >= 0 || fd == -EAGAIN) {
			/* A live listener. Root's is another xrtd; anyone
			 * else's is a squatter that root may displace. */
			if (fd >= 0)
				close(fd);
			if (fd == -EAGAIN || cred.uid == 0)
				return xrt_fail(err, -EADDRINUSE,
						"%s: in use by pid %d (is another xrtd running?)", path,
						fd >= 0 ? (int)cred.pid : -1);
			xrt_err(warn, "%s was held by uid %u (pid %d), not an xrtd: replaced", path,
				(unsigned)cred.uid, (int)cred.pid);
		}
		/* ECONNREFUSED: the file of an xrtd that is gone. */
		if (unlink(path) < 0 && errno != ENOENT)
			return xrt_fail(err, -errno, "%s: cannot remove the stale socket: %s", path,
					strerror(errno));
	}
	struct sockaddr_un sa;
	socklen_t salen;
	if (xrt_unix_addr(path, &sa, &salen))
		return xrt_fail(err, -ENAMETOOLONG, "socket path \"%s\" is too long", path);
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return xrt_fail(err, -errno, "socket: %s", strerror(errno));
	/* The file is born 0600 (umask) and only then opened up, so there is
	 * no moment at which it is more open than mode. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, salen);
	int e = errno;
	umask(old);
	if (rc < 0) {
		close(fd);
		return xrt_fail(err, -e, "%s: %s%s", path, strerror(e),
				e == EADDRINUSE ? " (is another xrtd running?)" : "");
	}
	if (chmod(path, mode) < 0 || listen(fd, backlog) < 0) {
		e = errno;
		close(fd);
		unlink(path);
		return xrt_fail(err, -e, "%s: %s", path, strerror(e));
	}
	return fd;
}

void xrt_unix_unlink(const char *path)
{
	if (!path || !*path)
		return;
	/* Only our own socket (its listener is this process): a file another
	 * xrtd bound after ours was removed by hand is left to it. */
	int lk = lock_path(path, NULL);
	struct ucred cred;
	int fd = connect_peer(path, SOCK_SEQPACKET, SOCK_NONBLOCK, &cred);
	if (fd >= 0) {
		close(fd);
		if (cred.pid == getpid())
			unlink(path);
	}
	char lock[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	snprintf(lock, sizeof(lock), "%s.lock", path);
	if (lk >= 0) {
		unlink(lock);
		close(lk);
	}
	size_t rl = strlen(XRT_RUN_DIR);
	if (strncmp(path, XRT_RUN_DIR "/", rl + 1))
		return;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && (size_t)(slash - dir) > rl) {
		*slash = '\0';
		rmdir(dir); /* ENOTEMPTY while another socket of it lives */
	}
}

/* One descriptor held back for shedding: closing it lets accept4 succeed
 * once more when the process is at RLIMIT_NOFILE. */
static int spare_fd = -1;

static void spare_open(void)
{
	if (spare_fd < 0)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void xrt_accept_reserve(void)
{
	spare_open();
}

int xrt_accept(int lfd, int flags, uint64_t *shed)
{
	spare_open();
	int fd = accept4(lfd, NULL, NULL, flags);
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
		return fd;
	int why = errno;
	if (spare_fd >= 0) {
		close(spare_fd);
		spare_fd = -1;
		fd = accept4(lfd, NULL, NULL, flags);
		if (fd >= 0)
			close(fd);
		spare_open();
		if (fd >= 0) {
			if (shed)
				(*shed)++;
			errno = EMFILE;
			return -1;
		}
	}
	errno = why == EMFILE ? ENFILE : why; /* could not shed: back off */
	return -1;
}
