// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The API's contracts: every call refuses bad arguments with -EINVAL before it does anything,
 * the order of calls the header asks for is enforced, and the transport helpers (TCP, Unix
 * socket, a serial line) do what they say.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "fake-kernel.h"
#include "fake-vmm.h"

static void test_null_arguments(void)
{
	static const uint64_t pcs[] = { FV_LOOP0, FV_LOOP1 };
	struct fvm *f = fvm_new(2, pcs);
	struct kvmdbg_gdbserver *srv = f->srv, *none = NULL;
	int fd = 5, port = 7;

	g_assert_cmpint(kvmdbg_gdbserver_new(NULL, &none), ==, -EINVAL);
	g_assert_null(none);
	g_assert_cmpint(kvmdbg_gdbserver_new(f->vm, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(NULL, f->cpu[0].dbg, FV_FD), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, NULL, FV_FD), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, f->cpu[0].dbg, -1), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_log_fn(NULL, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_break_mode(NULL, KVMDBG_GDBSERVER_BREAK_AUTO), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_get_break_type(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_watch_mode(NULL, KVMDBG_GDBSERVER_WATCH_AUTO), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_vmm_fns(NULL, NULL, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_monitor_fn(NULL, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_set_end_fn(NULL, NULL, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_stop(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_serve(NULL, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_serve(srv, -1), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_attach(NULL, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_attach(srv, -1), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_shutdown(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_pre_run(NULL, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_pre_run(srv, 2), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_handle_exit(NULL, 0, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_handle_exit(srv, 2, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_stop(NULL, 0, 5, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_stop(srv, 2, 5, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_stop(srv, 0, 0, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_stop(srv, 0, 256, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_exit(NULL, 0, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_exit(srv, 2, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_exit(srv, 0, -1), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_exit(srv, 0, 256), ==, -EINVAL);
	/* no debugger: nobody to tell */
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_report_exit(srv, 0, 3), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_halt(NULL, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_halt(srv, 2), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp(NULL, 0, NULL, &port), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp(NULL, -1, &fd, &port), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp(NULL, 65536, &fd, &port), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp("localhost", 0, &fd, &port), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp("1.2.3", 0, &fd, &port), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix(NULL, &fd), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix("/tmp/x", NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix("", &fd), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_accept(-1, &fd), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_accept(0, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_setup_serial(-1), ==, -EINVAL);
	g_assert_cmpint(fd, ==, 5);
	g_assert_cmpint(port, ==, 7);
	kvmdbg_gdbserver_free(NULL);
	fvm_free(f);
}

static void test_add_vcpu(void)
{
	static const uint64_t pc = FV_LOOP0;
	struct fvm *f = fvm_new(1, &pc);
	struct kvmdbg_gdbserver *srv;
	struct kvmdbg_vm *other;
	struct kvmdbg_vcpu *stranger;
	struct kvm_run *run = fake_run_new();

	/* the fixture's server has started (kvmdbg_gdbserver_stop()): no more vCPUs */
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(f->srv, f->cpu[0].dbg, FV_FD), ==, -EBUSY);
	/* a fresh server on the same VM */
	g_assert_cmpint(kvmdbg_gdbserver_new(f->vm, &srv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, f->cpu[0].dbg, FV_FD), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, f->cpu[0].dbg, FV_FD), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, f->cpu[0].dbg, FV_FD + 3), ==, -EEXIST);
	/* a vCPU of another VM */
	g_assert_cmpint(kvmdbg_vm_new(FV_VM_FD + 10, &other), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(other, FV_FD + 10, run, &stranger), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, stranger, FV_FD + 10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_get_break_type(srv), ==, KVMDBG_POINT_SW_BREAK);
	g_assert_cmpint(kvmdbg_gdbserver_set_break_mode(srv, KVMDBG_GDBSERVER_BREAK_HARDWARE), ==,
			0);
	g_assert_cmpint(kvmdbg_gdbserver_get_break_type(srv), ==, KVMDBG_POINT_HW_BREAK);
	kvmdbg_gdbserver_free(srv);
	kvmdbg_vcpu_free(stranger);
	kvmdbg_vm_free(other);
	g_free(run);
	fvm_free(f);
}

/*
 * A server with no vCPU yet has nothing gdb could be shown: serving or attaching it is refused,
 * and the refusal leaves the server open for its vCPUs.
 */
static void test_no_vcpus(void)
{
	static const uint64_t pc = FV_LOOP0;
	struct fvm *f = fvm_new(1, &pc);
	struct kvmdbg_gdbserver *srv;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_new(f->vm, &srv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_serve(srv, sv[1]), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_gdbserver_attach(srv, sv[1]), ==, -EINVAL);
	/* nothing started: the vCPU can still be added */
	g_assert_cmpint(kvmdbg_gdbserver_add_vcpu(srv, f->cpu[0].dbg, FV_FD), ==, 0);
	kvmdbg_gdbserver_free(srv);
	close(sv[0]);
	close(sv[1]);
	fvm_free(f);
}

static void test_serve_busy_and_shutdown(void)
{
	static const uint64_t pcs[] = { FV_LOOP0, FV_LOOP1 };
	struct fvm *f = fvm_new(2, pcs);
	struct gdb g;
	int sv[2];

	gdb_init(&g, fvm_serve(f));
	assert_reply(&g, "qC", "QC1");
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_serve(f->srv, sv[1]), ==, -EBUSY);
	g_assert_cmpint(kvmdbg_gdbserver_attach(f->srv, sv[1]), ==, -EOPNOTSUPP);
	/* a shutdown ends the session, stopped or running */
	gdb_send_packet(&g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&g, 5000), ==, '+');
	g_assert_cmpint(kvmdbg_gdbserver_shutdown(f->srv), ==, 0);
	g_assert_cmpint(fvm_serve_end(f), ==, KVMDBG_GDBSERVER_END_SHUTDOWN);
	g_assert_cmpint(kvmdbg_gdbserver_serve(f->srv, sv[1]), ==, -ESHUTDOWN);
	for (unsigned int i = 0; i < 2; i++) {
		pthread_join(f->cpu[i].thread, NULL);
		f->cpu[i].started = false;
		g_assert_cmpint(atomic_load(&f->cpu[i].last_error), ==, -ESHUTDOWN);
	}
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_pre_run(f->srv, 0), ==, -ESHUTDOWN);
	close(sv[0]);
	close(sv[1]);
	gdb_fini(&g);
	fvm_free(f);
}

static void test_tcp(void)
{
	static const uint64_t pc = FV_LOOP0;
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct fvm *f = fvm_new(1, &pc);
	int lfd = -1, port = 0, cfd, sfd = -1, one = 0, ret;
	socklen_t len = sizeof(one);
	struct gdb g;

	g_assert_cmpint(kvmdbg_gdbserver_listen_tcp(NULL, 0, &lfd, &port), ==, 0);
	g_assert_cmpint(port, >, 0);
	g_assert_cmpint(fcntl(lfd, F_GETFD), ==, FD_CLOEXEC);
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(connect(cfd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_accept(lfd, &sfd), ==, 0);
	g_assert_cmpint(getsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, &len), ==, 0);
	g_assert_cmpint(one, ==, 1);
	g_assert_cmpint(fcntl(sfd, F_GETFD), ==, FD_CLOEXEC);
	/* a session over it */
	fvm_serve_fd(f, sfd);
	gdb_init(&g, cfd);
	assert_reply(&g, "qC", "QC1");
	assert_reply(&g, "m101000,1", "90");
	gdb_fini(&g);
	g_assert_cmpint(fvm_serve_end(f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	close(sfd);
	close(lfd);
	/* IPv6 where the host has it */
	ret = kvmdbg_gdbserver_listen_tcp("::1", 0, &lfd, &port);
	if (ret == 0)
		close(lfd);
	else
		g_assert_cmpint(ret, ==, -EADDRNOTAVAIL);
	fvm_free(f);
}

static void test_unix(void)
{
	g_autofree char *dir = g_dir_make_tmp("gdbserver-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "gdb.sock", NULL);
	g_autofree char *file = g_build_filename(dir, "file", NULL);
	char longpath[200];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int lfd, lfd2, cfd, sfd;

	g_assert_nonnull(dir);
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix(path, &lfd), ==, 0);
	/* a socket left there is replaced */
	close(lfd);
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix(path, &lfd2), ==, 0);
	strcpy(sun.sun_path, path);
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(connect(cfd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_accept(lfd2, &sfd), ==, 0);
	close(sfd);
	close(cfd);
	close(lfd2);
	/* anything else is never removed */
	g_assert_true(g_file_set_contents(file, "keep", 4, NULL));
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix(file, &lfd), ==, -EADDRINUSE);
	g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	g_assert_cmpint(kvmdbg_gdbserver_listen_unix(longpath, &lfd), ==, -EINVAL);
	unlink(path);
	unlink(file);
	rmdir(dir);
}

/* A serial line: a pty, made raw, with a session over it. */
static void test_serial(void)
{
	static const uint64_t pc = FV_LOOP0;
	struct fvm *f = fvm_new(1, &pc);
	struct termios t;
	struct gdb g;
	int master, slave, sv[2];
	g_autofree char *r = NULL;

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	g_assert_cmpint(kvmdbg_gdbserver_setup_serial(sv[0]), ==, -ENOTTY);
	close(sv[0]);
	close(sv[1]);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	g_assert_cmpint(master, >=, 0);
	g_assert_cmpint(grantpt(master), ==, 0);
	g_assert_cmpint(unlockpt(master), ==, 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	g_assert_cmpint(slave, >=, 0);
	g_assert_cmpint(kvmdbg_gdbserver_setup_serial(slave), ==, 0);
	g_assert_cmpint(tcgetattr(slave, &t), ==, 0);
	g_assert_false(t.c_lflag & (ECHO | ICANON | ISIG));
	g_assert_false(t.c_oflag & OPOST);
	g_assert_false(t.c_iflag & (ICRNL | IXON));
	g_assert_cmpint(t.c_cc[VMIN], ==, 1);
	/* gdb on the master end: every byte crosses unchanged, 0x03 included */
	fvm_serve_fd(f, slave);
	gdb_init(&g, master);
	assert_reply(&g, "qC", "QC1");
	assert_reply(&g, "X108000,2:\r\n", "OK");
	assert_reply(&g, "m108000,2", "0d0a");
	gdb_send_packet(&g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&g, 5000), ==, '+');
	g_assert_true(gdb_quiet(&g, 100));
	gdb_send_raw(&g, "\x03", 1);
	r = gdb_reply(&g, 10000);
	g_assert_nonnull(r);
	g_assert_true(g_str_has_prefix(r, "T02thread:1;"));
	gdb_fini(&g);
	g_assert_cmpint(fvm_serve_end(f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	close(slave);
	fvm_free(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gdbserver/api/null-arguments", test_null_arguments);
	g_test_add_func("/gdbserver/api/add-vcpu", test_add_vcpu);
	g_test_add_func("/gdbserver/api/no-vcpus", test_no_vcpus);
	g_test_add_func("/gdbserver/api/serve-busy-and-shutdown", test_serve_busy_and_shutdown);
	g_test_add_func("/gdbserver/api/tcp", test_tcp);
	g_test_add_func("/gdbserver/api/unix", test_unix);
	g_test_add_func("/gdbserver/api/serial", test_serial);
	return g_test_run();
}
