// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where gdb's connection comes from: a TCP port, a Unix socket, or a serial line.  Helpers
 * only: kvmdbg_gdbserver_serve() and kvmdbg_gdbserver_attach() take any file descriptor.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "internal.h"

static int bind_listen(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (bind(fd, addr, len) < 0 || listen(fd, 1) < 0)
		return -errno;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_listen_tcp(const char *address, int port, int *ret_fd, int *ret_port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, ret;

	if (!ret_fd || port < 0 || port > 65535)
		return -EINVAL;
	memset(&ss, 0, sizeof(ss));
	if (!address)
		address = "127.0.0.1";
	if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		len = sizeof(*in6);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a stub started again at once must get its port back */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ret = bind_listen(fd, (struct sockaddr *)&ss, len);
	if (ret == 0 && getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		ret = -errno;
	if (ret < 0) {
		close(fd);
		return ret;
	}
	if (ret_port)
		*ret_port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
	*ret_fd = fd;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_listen_unix(const char *path, int *ret_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (!path || !ret_fd || !path[0] || strlen(path) >= sizeof(sun.sun_path))
		return -EINVAL;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* a socket left by an earlier run; never anything else */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	ret = bind_listen(fd, (struct sockaddr *)&sun, sizeof(sun));
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*ret_fd = fd;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_accept(int listen_fd, int *ret_fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, one = 1;

	if (listen_fd < 0 || !ret_fd)
		return -EINVAL;
	do {
		fd = accept4(listen_fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	/* one small packet after another, each waiting for its answer: no Nagle */
	if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*ret_fd = fd;
	return 0;
}

GS_EXPORT int kvmdbg_gdbserver_setup_serial(int fd)
{
	struct termios t;

	if (fd < 0)
		return -EINVAL;
	if (tcgetattr(fd, &t) < 0)
		return errno == ENOTTY || errno == EINVAL ? -ENOTTY : -errno;
	cfmakeraw(&t);
	/* a modem line's state must not hang the reads; one byte is a read */
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		return -errno;
	return 0;
}
