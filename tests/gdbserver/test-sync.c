// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A single-threaded VMM (Solo5 hvt style): one vCPU, whose own thread talks to gdb from
 * inside kvmdbg_gdbserver_vcpu_pre_run() whenever the guest is stopped, and looks for Ctrl-C
 * at every exit.  How sessions end there: the hooks' return values and the end callback.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake-vmm.h"

#define REPLY_MS 10000

static char *run(struct gdb *g, const char *pkt)
{
	gdb_send_packet(g, pkt, strlen(pkt));
	g_assert_cmpint(gdb_read_byte(g, 5000), ==, '+');
	return gdb_reply(g, REPLY_MS);
}

static void wait_end(struct fvm *f, int end)
{
	for (int i = 0; i < 1000 && atomic_load(&f->sync_last_end) != end; i++)
		g_usleep(10000);
	g_assert_cmpint(atomic_load(&f->sync_last_end), ==, end);
}

static void wait_error(struct fcpu *c, int err)
{
	for (int i = 0; i < 1000 && atomic_load(&c->last_error) != err; i++)
		g_usleep(10000);
	g_assert_cmpint(atomic_load(&c->last_error), ==, err);
}

static void test_session(void)
{
	struct fvm *f = fvm_new_sync(FV_LOOP0);
	struct gdb g;
	g_autofree char *stop = NULL, *r1 = NULL, *r2 = NULL, *r3 = NULL;
	uint64_t a;

	gdb_init(&g, f->sv[0]);
	stop = gdb_cmd(&g, "?");
	g_assert_true(g_str_has_prefix(stop, "T05thread:1;06:"));
	g_assert_cmphex(stop_pc(stop), ==, FV_LOOP0);
	assert_reply(&g, "qSupported:swbreak+;hwbreak+", "PacketSize=4000;qXfer:features:read+;"
		     "QStartNoAckMode+;swbreak+;hwbreak+");
	assert_reply(&g, "qfThreadInfo", "m1");
	r1 = run(&g, "vCont;s:1");
	g_assert_true(g_str_has_prefix(r1, "T05thread:1;"));
	g_assert_cmphex(stop_pc(r1), ==, FV_L0_STORE);
	assert_reply(&g, "Z1,101006,1", "OK");
	for (int i = 0; i < 50; i++) {
		g_autofree char *r = run(&g, "vCont;c");

		g_assert_true(g_str_has_prefix(r, "T05thread:1;hwbreak:;"));
		g_assert_cmphex(stop_pc(r), ==, FV_L0_NOP3);
		assert_reply(&g, "z1,101006,1", "OK");
		assert_reply(&g, "Z1,101006,1", "OK");
	}
	assert_reply(&g, "z1,101006,1", "OK");
	/* Ctrl-C: seen at the next exit (the model's timer every 4096 instructions) */
	gdb_send_packet(&g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&g, 5000), ==, '+');
	g_assert_true(gdb_quiet(&g, 200));
	gdb_send_raw(&g, "\x03", 1);
	r2 = gdb_reply(&g, REPLY_MS);
	g_assert_true(g_str_has_prefix(r2, "T02thread:1;"));
	/* a software breakpoint, and memory while stopped */
	assert_reply(&g, "Z0,101005,1", "OK");
	r3 = run(&g, "c");
	g_assert_true(g_str_has_prefix(r3, "T05thread:1;swbreak:;"));
	assert_reply(&g, "m101005,2", "9090");
	/* detach: the guest runs on, the VMM is told */
	assert_reply(&g, "D", "OK");
	wait_end(f, KVMDBG_GDBSERVER_END_DETACHED);
	a = fvm_retired(f, 0);
	g_usleep(100000);
	g_assert_cmpuint(fvm_retired(f, 0), >, a);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpuint(atomic_load(&f->pauses), ==, atomic_load(&f->resumes));
	gdb_fini(&g);
	fvm_free(f);
}

static void test_kill(void)
{
	struct fvm *f = fvm_new_sync(FV_LOOP0);
	struct gdb g;

	gdb_init(&g, f->sv[0]);
	gdb_send_raw(&g, "$k#6b", 5);
	g_assert_cmpint(gdb_read_byte(&g, 5000), ==, '+');
	wait_error(&f->cpu[0], -ESHUTDOWN);
	g_assert_cmpint(atomic_load(&f->sync_last_end), ==, KVMDBG_GDBSERVER_END_KILLED);
	g_assert_cmpuint(fvm_retired(f, 0), ==, 0);
	gdb_fini(&g);
	fvm_free(f);
}

static void test_reconnect(void)
{
	struct fvm *f = fvm_new_sync(FV_LOOP0);
	struct gdb g;
	int sv[2];
	g_autofree char *r1 = NULL, *r2 = NULL;

	gdb_init(&g, f->sv[0]);
	assert_reply(&g, "Z1,101006,1", "OK");
	r1 = run(&g, "vCont;c");
	g_assert_true(g_str_has_prefix(r1, "T05thread:1;06:"));
	g_assert_cmphex(stop_pc(r1), ==, FV_L0_NOP3);
	/* gdb goes away without detaching: the VMM's pre_run says -ENOTCONN */
	gdb_fini(&g);
	wait_end(f, KVMDBG_GDBSERVER_END_DISCONNECTED);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	close(f->sv[1]);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
	f->sv[1] = sv[1];
	pthread_mutex_lock(&f->gate_lock);
	f->sync_next_fd = sv[1];
	pthread_cond_broadcast(&f->sync_cond);
	pthread_mutex_unlock(&f->gate_lock);
	gdb_init(&g, sv[0]);
	/* the new gdb finds the guest where the old one left it */
	r2 = gdb_cmd(&g, "?");
	g_assert_cmpstr(r2, ==, r1);
	assert_reply(&g, "qRcmd,706f696e7473", "OK");
	gdb_fini(&g);
	wait_end(f, KVMDBG_GDBSERVER_END_DISCONNECTED);
	/* the VMM has to attach again: it ends instead */
	pthread_mutex_lock(&f->gate_lock);
	f->sync_next_fd = -2;
	pthread_cond_broadcast(&f->sync_cond);
	pthread_mutex_unlock(&f->gate_lock);
	fvm_free(f);
}

static void test_exit(void)
{
	struct fvm *f = fvm_new_sync(FV_EXIT);
	struct gdb g;
	g_autofree char *r = NULL;

	gdb_init(&g, f->sv[0]);
	r = run(&g, "vCont;c");
	g_assert_cmpstr(r, ==, "W05");
	wait_end(f, KVMDBG_GDBSERVER_END_EXITED);
	wait_error(&f->cpu[0], -ESHUTDOWN);
	gdb_fini(&g);
	fvm_free(f);
}

static void test_refusals(void)
{
	static const uint64_t pcs[] = { FV_LOOP0, FV_LOOP1 };
	struct fvm *f = fvm_new(2, pcs), *s;
	struct gdb g;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
	/* one thread cannot run two vCPUs for gdb */
	g_assert_cmpint(kvmdbg_gdbserver_attach(f->srv, sv[1]), ==, -EOPNOTSUPP);
	fvm_free(f);

	s = fvm_new_sync(FV_LOOP0);
	gdb_init(&g, s->sv[0]);
	g_assert_cmpint(kvmdbg_gdbserver_attach(s->srv, sv[1]), ==, -EBUSY);
	g_assert_cmpint(kvmdbg_gdbserver_serve(s->srv, sv[1]), ==, -EBUSY);
	/* its only vCPU would never come back */
	g_assert_cmpint(kvmdbg_gdbserver_vcpu_halt(s->srv, 0), ==, -EOPNOTSUPP);
	assert_reply(&g, "qC", "QC1");
	gdb_fini(&g);
	wait_end(s, KVMDBG_GDBSERVER_END_DISCONNECTED);
	pthread_mutex_lock(&s->gate_lock);
	s->sync_next_fd = -2;
	pthread_cond_broadcast(&s->sync_cond);
	pthread_mutex_unlock(&s->gate_lock);
	fvm_free(s);
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gdbserver/sync/session", test_session);
	g_test_add_func("/gdbserver/sync/kill", test_kill);
	g_test_add_func("/gdbserver/sync/reconnect", test_reconnect);
	g_test_add_func("/gdbserver/sync/exit", test_exit);
	g_test_add_func("/gdbserver/sync/refusals", test_refusals);
	return g_test_run();
}
