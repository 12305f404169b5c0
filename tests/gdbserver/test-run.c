// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * All-stop run control with the guest running, in a threaded VMM: steps, breakpoints and
 * their step-over, Ctrl-C, stops of two vCPUs at once (queued, each reported, dropped when
 * void), the guest's own exceptions handed back, halted vCPUs, the guest's end and its stops,
 * and how sessions end (k, D, a lost connection) and begin again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-vmm.h"

#define REPLY_MS 10000

struct fx {
	struct fvm *f;
	struct gdb g;
};

static void start(struct fx *x, uint64_t pc0, uint64_t pc1)
{
	uint64_t pcs[] = { pc0, pc1 };

	x->f = fvm_new(2, pcs);
	gdb_init(&x->g, fvm_serve(x->f));
	assert_reply(&x->g, "qSupported:swbreak+;hwbreak+", "PacketSize=4000;"
		     "qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+");
}

static void finish(struct fx *x)
{
	gdb_fini(&x->g);
	fvm_free(x->f);
}

/* Send a packet that runs the guest; its stop reply. */
static char *run(struct fx *x, const char *pkt)
{
	gdb_send_packet(&x->g, pkt, strlen(pkt));
	g_assert_cmpint(gdb_read_byte(&x->g, 5000), ==, '+');
	return gdb_reply(&x->g, REPLY_MS);
}

static void assert_stop(const char *reply, const char *prefix, uint64_t pc)
{
	g_assert_nonnull(reply);
	if (!g_str_has_prefix(reply, prefix))
		g_test_message("reply: %s", reply);
	g_assert_true(g_str_has_prefix(reply, prefix));
	g_assert_cmphex(stop_pc(reply), ==, pc);
}

static void test_step(void)
{
	struct fx x;
	g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	r1 = run(&x, "vCont;s:1");
	assert_stop(r1, "T05thread:1;06:", FV_L0_STORE);
	/* vCont;s:1 steps thread 1 alone */
	g_assert_cmphex(fvm_pc(x.f, 1), ==, FV_LOOP1);
	assert_reply(&x.g, "Hc1", "OK");
	r2 = run(&x, "s");
	assert_stop(r2, "T05thread:1;", FV_L0_NOP2);
	/* a register write between two steps: KVM_SET_REGS drops the trap flag on x86 */
	assert_reply(&x.g, "P0=0100000000000000", "OK");
	r3 = run(&x, "vCont;s:1");
	assert_stop(r3, "T05thread:1;", FV_L0_NOP3);
	/* gdb moves the pc, then steps from there */
	assert_reply(&x.g, "P10=0010100000000000", "OK");
	r4 = run(&x, "vCont;s:2;c");
	g_assert_nonnull(r4);
	/* the step of thread 2 ends the round; thread 1 ran meanwhile or not */
	assert_stop(r4, "T05thread:2;", FV_L1_NOP2);
	g_assert_cmpuint(atomic_load(&x.f->pauses), ==, atomic_load(&x.f->resumes) + 1);
	finish(&x);
}

static void test_breakpoints(void)
{
	struct fx x;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z1,101006,1", "OK");
	for (int i = 0; i < 10; i++) {
		g_autofree char *r = run(&x, "vCont;c");

		/* each continue steps over the breakpoint and comes round to it again */
		assert_stop(r, "T05thread:1;hwbreak:;", FV_L0_NOP3);
	}
	assert_reply(&x.g, "z1,101006,1", "OK");
	assert_reply(&x.g, "Z0,102001,1", "OK");
	for (int i = 0; i < 10; i++) {
		g_autofree char *r = run(&x, "vCont;c");

		assert_stop(r, "T05thread:2;swbreak:;", FV_L1_NOP2);
		/* gdb's all-stop: out at every stop, in again before it resumes */
		assert_reply(&x.g, "z0,102001,1", "OK");
		assert_reply(&x.g, "Z0,102001,1", "OK");
	}
	g_assert_cmpuint(model_errors(x.f->m), ==, 0);
	finish(&x);
}

static void test_no_stop_reasons(void)
{
	struct fx x;
	uint64_t pcs[] = { FV_LOOP0, FV_LOOP1 };
	g_autofree char *r = NULL;

	x.f = fvm_new(2, pcs);
	gdb_init(&x.g, fvm_serve(x.f));
	/* a gdb that did not say swbreak+ and hwbreak+ does not hear them */
	assert_reply(&x.g, "Z1,101006,1", "OK");
	r = run(&x, "c");
	assert_stop(r, "T05thread:1;06:", FV_L0_NOP3);
	finish(&x);
}

static void test_interrupt(void)
{
	struct fx x;
	g_autofree char *r = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	gdb_send_packet(&x.g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
	g_assert_true(gdb_quiet(&x.g, 300));
	g_assert_cmpuint(fvm_retired(x.f, 0), >, 0);
	g_assert_cmpuint(fvm_retired(x.f, 1), >, 0);
	gdb_send_raw(&x.g, "\x03", 1);
	r = gdb_reply(&x.g, REPLY_MS);
	g_assert_nonnull(r);
	g_assert_true(g_str_has_prefix(r, "T02thread:1;"));
	/* stopped: nothing runs */
	{
		uint64_t a = fvm_retired(x.f, 0), b = fvm_retired(x.f, 1);

		g_usleep(100000);
		g_assert_cmpuint(fvm_retired(x.f, 0), ==, a);
		g_assert_cmpuint(fvm_retired(x.f, 1), ==, b);
	}
	finish(&x);
}

/* Two breakpoints hit together: each stop is reported, the second when gdb resumes. */
static void test_queued_stops(void)
{
	static const unsigned int order[] = { 1, 0 };
	struct fx x;
	g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL;
	unsigned int runs1;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z1,101005,1", "OK");
	assert_reply(&x.g, "Z1,102001,1", "OK");
	fvm_gate(x.f, 2, order);
	r1 = run(&x, "vCont;c");
	assert_stop(r1, "T05thread:2;hwbreak:;", FV_L1_NOP2);
	runs1 = atomic_load(&x.f->cpu[1].runs);
	/* the other stop, at once: nothing ran for it */
	assert_reply(&x.g, "z1,101005,1", "OK");
	assert_reply(&x.g, "Z1,101005,1", "OK");
	r2 = run(&x, "vCont;c");
	assert_stop(r2, "T05thread:1;hwbreak:;", FV_L0_NOP2);
	g_assert_cmpuint(atomic_load(&x.f->cpu[1].runs), ==, runs1);
	g_assert_cmphex(fvm_pc(x.f, 1), ==, FV_L1_NOP2);
	/* and on: each vCPU comes round to its breakpoint again */
	r3 = run(&x, "vCont;c");
	g_assert_nonnull(r3);
	g_assert_true(g_str_has_prefix(r3, "T05thread:1;hwbreak:;") ||
		      g_str_has_prefix(r3, "T05thread:2;hwbreak:;"));
	finish(&x);
}

/* A queued breakpoint stop whose breakpoint gdb removed is dropped: the vCPU runs on. */
static void test_queued_stop_void(void)
{
	static const unsigned int order[] = { 1, 0 };
	struct fx x;
	g_autofree char *r1 = NULL, *r2 = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z1,101005,1", "OK");
	assert_reply(&x.g, "Z1,102001,1", "OK");
	fvm_gate(x.f, 2, order);
	r1 = run(&x, "vCont;c");
	assert_stop(r1, "T05thread:2;hwbreak:;", FV_L1_NOP2);
	assert_reply(&x.g, "z1,101005,1", "OK");
	r2 = run(&x, "vCont;c");
	assert_stop(r2, "T05thread:2;hwbreak:;", FV_L1_NOP2);
	/* vCPU 0 ran on (or was about to when vCPU 1 stopped again), without a stop */
	g_assert_nonnull(strstr(x.f->log->str, "vCPU 0: its queued stop is void now: dropped"));
	finish(&x);
}

/* A queued single-step is reported if gdb steps that vCPU again, dropped if it continues. */
static void test_queued_step(void)
{
	static const unsigned int order[] = { 1, 0 };
	struct fx x;
	g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z1,102000,1", "OK");
	fvm_gate(x.f, 2, order);
	/* gdb's stepi with the other threads running */
	r1 = run(&x, "vCont;s:1;c");
	assert_stop(r1, "T05thread:2;hwbreak:;", FV_LOOP1);
	r2 = run(&x, "vCont;s:1;c");
	assert_stop(r2, "T05thread:1;", FV_L0_STORE);
	g_assert_cmphex(fvm_pc(x.f, 0), ==, FV_L0_STORE);
	finish(&x);

	/* again, and this time gdb continues thread 1: its step is void */
	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z1,102000,1", "OK");
	fvm_gate(x.f, 2, order);
	r3 = run(&x, "vCont;s:1;c");
	assert_stop(r3, "T05thread:2;hwbreak:;", FV_LOOP1);
	r4 = run(&x, "vCont;c");
	assert_stop(r4, "T05thread:2;hwbreak:;", FV_LOOP1);
	g_assert_nonnull(strstr(x.f->log->str, "vCPU 0: its queued stop is void now: dropped"));
	finish(&x);
}

static void test_guest_exception(void)
{
	struct fx x;
	struct model_vcpu *mv;
	g_autofree char *r1 = NULL, *r2 = NULL, *out = NULL;

	start(&x, FV_BRK, FV_LOOP1);
	mv = x.f->cpu[0].mv;
	/* a software breakpoint of gdb's (never reached) makes KVM intercept every int3 */
	assert_reply(&x.g, "Z0,103200,1", "OK");
	r1 = run(&x, "vCont;c");
	assert_stop(r1, "T05thread:1;", FV_BRK);
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "vCPU 0: the guest's own breakpoint instruction at 0x103300 "
				 "('signal SIGTRAP' hands it to the guest)\n");
	g_assert_cmpuint(model_guest_exceptions(mv), ==, 0);
	/* gdb passes the SIGTRAP on: the guest takes its #BP */
	gdb_send_packet(&x.g, "vCont;C05:1;c", 13);
	g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
	g_assert_true(gdb_quiet(&x.g, 300));
	gdb_send_raw(&x.g, "\x03", 1);
	r2 = gdb_reply(&x.g, REPLY_MS);
	g_assert_true(g_str_has_prefix(r2, "T02"));
	pthread_mutex_lock(&x.f->machine);
	g_assert_cmpuint(model_guest_exceptions(mv), ==, 1);
	pthread_mutex_unlock(&x.f->machine);
	g_assert_cmphex(fvm_pc(x.f, 0), ==, FV_BRK + 1);
	g_assert_cmpuint(model_errors(x.f->m), ==, 0);
	finish(&x);
}

static void test_halt(void)
{
	struct fx x;
	g_autofree char *r1 = NULL, *r2 = NULL, *r3 = NULL, *out = NULL, *name = NULL;

	start(&x, FV_LOOP0, FV_HALT);
	gdb_send_packet(&x.g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
	/* vCPU 1 halts; vCPU 0 still runs: no stop */
	g_assert_true(gdb_quiet(&x.g, 300));
	gdb_send_raw(&x.g, "\x03", 1);
	r1 = gdb_reply(&x.g, REPLY_MS);
	g_assert_true(g_str_has_prefix(r1, "T02thread:1;"));
	name = gdb_cmd(&x.g, "qThreadExtraInfo,2");
	g_assert_cmpstr(name, ==, "7643505520312c2068616c746564"); /* "vCPU 1, halted" */
	r2 = run(&x, "vCont;s:2");
	assert_stop(r2, "T05thread:2;", FV_HALT + 1);
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "vCPU 1 has halted: it cannot step\n");
	r3 = run(&x, "vCont;c:2");
	g_assert_true(g_str_has_prefix(r3, "T05thread:2;"));
	g_free(out);
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "vCPU 1 has halted: it will not run again\n");
	assert_reply(&x.g, "qRcmd,7663707573", "OK");
	g_free(out);
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "vCPU 0 (thread 1): stopped\nvCPU 1 (thread 2): halted\n");
	finish(&x);
}

static void test_all_halted(void)
{
	struct fx x;
	g_autofree char *r = NULL, *out = NULL;

	start(&x, FV_HALT, FV_HALT);
	r = run(&x, "vCont;c");
	g_assert_cmpstr(r, ==, "W00");
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "every vCPU has halted: the guest is over\n");
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_EXITED);
	finish(&x);
}

static void test_guest_exit(void)
{
	struct fx x;
	g_autofree char *r = NULL;

	start(&x, FV_EXIT, FV_LOOP1);
	r = run(&x, "vCont;c");
	g_assert_cmpstr(r, ==, "W05");
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_EXITED);
	finish(&x);
}

static void test_vmm_stop(void)
{
	struct fx x;
	g_autofree char *r = NULL, *out = NULL, *again = NULL;

	start(&x, FV_LOOP0, FV_FAULT);
	r = run(&x, "vCont;c");
	g_assert_true(g_str_has_prefix(r, "T0bthread:2;"));
	out = gdb_take_output(&x.g);
	g_assert_cmpstr(out, ==, "a triple fault of the fake guest\n");
	/* what '?' says now, without the note */
	again = gdb_cmd(&x.g, "?");
	g_assert_cmpstr(again, ==, r);
	finish(&x);
}

static void test_kill(void)
{
	struct fx x;
	uint64_t a, b;

	start(&x, FV_LOOP0, FV_LOOP1);
	gdb_send_raw(&x.g, "$k#6b", 5);
	g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_KILLED);
	/* no reply, and the guest stays stopped for the VMM to end it */
	g_assert_true(gdb_quiet(&x.g, 100));
	a = fvm_retired(x.f, 0);
	b = fvm_retired(x.f, 1);
	g_usleep(100000);
	g_assert_cmpuint(fvm_retired(x.f, 0), ==, a);
	g_assert_cmpuint(fvm_retired(x.f, 1), ==, b);
	finish(&x);
}

static void test_detach(void)
{
	const uint8_t *ram;
	struct fx x;
	uint64_t a;
	g_autofree char *r = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	ram = model_ram(x.f->m);
	assert_reply(&x.g, "Z0,101006,1", "OK");
	assert_reply(&x.g, "Z1,102001,1", "OK");
	assert_reply(&x.g, "vCont;s:1", "T05thread:1;06:0010000000000000;07:0020000000000000;"
					"10:0110100000000000;");
	assert_reply(&x.g, "D", "OK");
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_DETACHED);
	gdb_fini(&x.g);
	/* no points left, the guest runs on, and no longer single-steps */
	g_assert_cmpint(kvmdbg_vm_get_point_count(x.f->vm), ==, 0);
	g_assert_cmphex(ram[0x1006], ==, 0x90);
	a = fvm_retired(x.f, 0);
	g_usleep(100000);
	g_assert_cmpuint(fvm_retired(x.f, 0), >, a + 1000);
	g_assert_false(kvmdbg_vcpu_is_single_step(x.f->cpu[0].dbg));
	/* a new gdb finds it stopped where it ran: SIGINT */
	gdb_init(&x.g, fvm_serve(x.f));
	r = gdb_cmd(&x.g, "?");
	g_assert_true(g_str_has_prefix(r, "T02thread:1;"));
	a = fvm_retired(x.f, 0);
	g_usleep(100000);
	g_assert_cmpuint(fvm_retired(x.f, 0), ==, a);
	g_assert_cmpuint(model_errors(x.f->m), ==, 0);
	finish(&x);
}

/*
 * Regression: the guest ended in the instant between a detach letting the vCPUs go and the
 * session's end.  kvmdbg_gdbserver_vcpu_report_exit() said 1 (a debugger is told) and kept the
 * exit for a session that never reports it: kvm-gdbstub in the vm tier's x86_64 machine
 * waited for ever after 'detach' for a guest that had already ended.  A session that ends
 * tells no one: the call says 0, and the VMM ends the guest itself.
 */
static void test_detach_exit(void)
{
	struct fx x;
	g_autofree char *r = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	atomic_store(&x.f->exit_on_resume_ret, -1000);
	atomic_store(&x.f->exit_on_resume, true);
	assert_reply(&x.g, "D", "OK");
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_DETACHED);
	g_assert_false(atomic_load(&x.f->exit_on_resume));
	g_assert_cmpint(atomic_load(&x.f->exit_on_resume_ret), ==, 0);
	/* nothing was kept for the next gdb: it finds the guest stopped where it ran */
	gdb_fini(&x.g);
	gdb_init(&x.g, fvm_serve(x.f));
	r = gdb_cmd(&x.g, "?");
	g_assert_true(g_str_has_prefix(r, "T02thread:"));
	finish(&x);
}

static void test_lost_while_running(void)
{
	struct fx x;
	uint64_t a;
	g_autofree char *r = NULL;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "Z0,101006,1", "OK");
	assert_reply(&x.g, "z0,101006,1", "OK");
	assert_reply(&x.g, "Z1,102001,1", "OK");
	assert_reply(&x.g, "z1,102001,1", "OK");
	assert_reply(&x.g, "Z0,101006,1", "OK");
	gdb_send_packet(&x.g, "vCont;c", 7);
	g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
	/* the breakpoint stops vCPU 0; gdb goes away before it reads the stop */
	for (int i = 0; i < 1000 && fvm_pc(x.f, 0) != FV_L0_NOP3; i++)
		g_usleep(10000);
	g_assert_cmphex(fvm_pc(x.f, 0), ==, FV_L0_NOP3);
	gdb_fini(&x.g);
	g_assert_cmpint(fvm_serve_end(x.f), ==, KVMDBG_GDBSERVER_END_DISCONNECTED);
	g_assert_cmpint(kvmdbg_vm_get_point_count(x.f->vm), ==, 0);
	a = fvm_retired(x.f, 1);
	g_usleep(100000);
	g_assert_cmpuint(fvm_retired(x.f, 1), ==, a);
	/* the next gdb hears of the stop the first one missed */
	gdb_init(&x.g, fvm_serve(x.f));
	r = gdb_cmd(&x.g, "?");
	assert_stop(r, "T05thread:1;", FV_L0_NOP3);
	finish(&x);
}

static void test_many_cycles(void)
{
	struct fx x;

	start(&x, FV_LOOP0, FV_LOOP1);
	assert_reply(&x.g, "QStartNoAckMode", "OK");
	x.g.noack = true;
	for (int i = 0; i < 300; i++) {
		g_autofree char *r = NULL;

		assert_reply(&x.g, "Z0,101006,1", "OK");
		gdb_send_packet(&x.g, "vCont;c", 7);
		r = gdb_reply(&x.g, REPLY_MS);
		assert_stop(r, "T05thread:1;swbreak:;", FV_L0_NOP3);
		assert_reply(&x.g, "z0,101006,1", "OK");
	}
	g_assert_cmpuint(atomic_load(&x.f->pauses), ==, 301);
	g_assert_cmpuint(atomic_load(&x.f->resumes), ==, 300);
	g_assert_cmpuint(model_errors(x.f->m), ==, 0);
	finish(&x);
}

/*
 * kvmtool's pause: a signal whose handler blocks until the VMM resumes.  It may come at any
 * moment, to a vCPU running, parked by gdb, or inside the server's hooks: nothing may wait
 * for a paused vCPU but what needs that vCPU, and nothing deadlocks.
 */
static int pause_pipe[2];
static atomic_uint pauses_taken;

static void on_pause_signal(int sig)
{
	char b;

	(void)sig;
	atomic_fetch_add(&pauses_taken, 1);
	while (read(pause_pipe[0], &b, 1) < 0 && errno == EINTR)
		;
}

struct pauser {
	struct fvm *f;
	atomic_bool stop;
	unsigned int sent;
};

static void *pauser_thread(void *arg)
{
	struct pauser *p = arg;

	while (!atomic_load(&p->stop)) {
		unsigned int i = p->sent++ % p->f->nr;

		pthread_kill(p->f->cpu[i].thread, SIGUSR2);
		g_usleep(150);
		g_assert_cmpint(write(pause_pipe[1], "c", 1), ==, 1);
		g_usleep(100);
	}
	return NULL;
}

static void test_pause_signals(void)
{
	struct sigaction sa = { .sa_handler = on_pause_signal }, old;
	struct pauser p = { 0 };
	pthread_t t;
	struct fx x;

	g_assert_cmpint(pipe(pause_pipe), ==, 0);
	g_assert_cmpint(sigaction(SIGUSR2, &sa, &old), ==, 0);
	start(&x, FV_LOOP0, FV_LOOP1);
	p.f = x.f;
	g_assert_cmpint(pthread_create(&t, NULL, pauser_thread, &p), ==, 0);
	assert_reply(&x.g, "Z1,101006,1", "OK");
	assert_reply(&x.g, "Z1,102001,1", "OK");
	for (int i = 0; i < 1000; i++) {
		g_autofree char *r = run(&x, i % 3 ? "vCont;c" : "vCont;s:1;c");
		g_autofree char *g = NULL;

		g_assert_nonnull(r);
		g_assert_true(g_str_has_prefix(r, "T05thread:"));
		/* registers of a vCPU that may sit in its pause handler right now */
		g = gdb_cmd(&x.g, "g");
		g_assert_cmpuint(strlen(g), ==, 1200);
		if (i % 10 == 0) {
			g_autofree char *r2 = NULL;

			assert_reply(&x.g, "z1,101006,1", "OK");
			assert_reply(&x.g, "z1,102001,1", "OK");
			gdb_send_packet(&x.g, "vCont;c", 7);
			g_assert_cmpint(gdb_read_byte(&x.g, 5000), ==, '+');
			g_usleep(2000);
			gdb_send_raw(&x.g, "\x03", 1);
			r2 = gdb_reply(&x.g, REPLY_MS);
			g_assert_nonnull(r2);
			g_assert_true(g_str_has_prefix(r2, "T"));
			assert_reply(&x.g, "Z1,101006,1", "OK");
			assert_reply(&x.g, "Z1,102001,1", "OK");
		}
	}
	atomic_store(&p.stop, true);
	pthread_join(t, NULL);
	g_test_message("%u pause signals sent, %u handled", p.sent, atomic_load(&pauses_taken));
	g_assert_cmpuint(atomic_load(&pauses_taken), >, 0);
	/* the last pauses run out before the threads are joined */
	for (unsigned int i = 0; i < 8; i++)
		g_assert_cmpint(write(pause_pipe[1], "c", 1), ==, 1);
	finish(&x);
	sigaction(SIGUSR2, &old, NULL);
	close(pause_pipe[0]);
	close(pause_pipe[1]);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/gdbserver/run/step", test_step);
	g_test_add_func("/gdbserver/run/breakpoints", test_breakpoints);
	g_test_add_func("/gdbserver/run/no-stop-reasons", test_no_stop_reasons);
	g_test_add_func("/gdbserver/run/interrupt", test_interrupt);
	g_test_add_func("/gdbserver/run/queued-stops", test_queued_stops);
	g_test_add_func("/gdbserver/run/queued-stop-void", test_queued_stop_void);
	g_test_add_func("/gdbserver/run/queued-step", test_queued_step);
	g_test_add_func("/gdbserver/run/guest-exception", test_guest_exception);
	g_test_add_func("/gdbserver/run/halt", test_halt);
	g_test_add_func("/gdbserver/run/all-halted", test_all_halted);
	g_test_add_func("/gdbserver/run/guest-exit", test_guest_exit);
	g_test_add_func("/gdbserver/run/vmm-stop", test_vmm_stop);
	g_test_add_func("/gdbserver/run/kill", test_kill);
	g_test_add_func("/gdbserver/run/detach", test_detach);
	g_test_add_func("/gdbserver/run/regress/detach-exit", test_detach_exit);
	g_test_add_func("/gdbserver/run/lost-while-running", test_lost_while_running);
	g_test_add_func("/gdbserver/run/many-cycles", test_many_cycles);
	g_test_add_func("/gdbserver/run/pause-signals", test_pause_signals);
	return g_test_run();
}
