/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program built the way a user of libkvmdbg-gdbserver builds one: against the installed tree
 * with nothing but `pkg-config --cflags --libs kvmdbg-gdbserver` (which pulls libkvmdbg in),
 * as C, as C++ and statically.  It calls only what works without /dev/kvm: the argument
 * checks, and a TCP listener on a free loopback port.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kvmdbg/gdbserver.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "consumer: %s failed\n", what);
		failures++;
	}
}

int main(void)
{
	struct kvmdbg_gdbserver *srv = NULL;
	int fd = -1, port = 0;

	check(kvmdbg_gdbserver_new(NULL, &srv) == -EINVAL && srv == NULL,
	      "kvmdbg_gdbserver_new(NULL) == -EINVAL");
	check(kvmdbg_gdbserver_vcpu_pre_run(NULL, 0) == -EINVAL,
	      "kvmdbg_gdbserver_vcpu_pre_run(NULL) == -EINVAL");
	check(kvmdbg_gdbserver_setup_serial(-1) == -EINVAL, "kvmdbg_gdbserver_setup_serial(-1)");
	check(kvmdbg_gdbserver_listen_tcp("127.0.0.1", 0, &fd, &port) == 0 && fd >= 0 && port > 0,
	      "kvmdbg_gdbserver_listen_tcp()");
	if (fd >= 0)
		close(fd);
	kvmdbg_gdbserver_free(NULL);
	/* libkvmdbg comes with it */
	check(strcmp(kvmdbg_version_string(), KVMDBG_VERSION_STRING) == 0,
	      "kvmdbg_version_string() == KVMDBG_VERSION_STRING");

	if (failures)
		return 1;
	printf("consumer: libkvmdbg-gdbserver with libkvmdbg %s works\n", kvmdbg_version_string());
	return 0;
}
