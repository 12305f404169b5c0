/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite, cases 6 and 7: two vCPUs in two threads with different debug state, VM-wide
 * points on every vCPU (one attached later), and kicking a running vCPU while another thread
 * changes the VM's points.
 */
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "kvmtest.h"

struct worker {
	struct kc_test *t;
	unsigned int i;
	pthread_t thread;
	pthread_barrier_t *start;
	/* what to do */
	bool step;
	uint32_t count;
	uint64_t point;
	/* what happened */
	unsigned int steps;
	unsigned int hits;
};

/*
 * Single-step the count program and check every pc: start -> loop; then per iteration
 * loop -> loop2 -> jnz -> loop, and after the last jnz -> done, whose "out" ends it.
 */
static void run_stepping(struct worker *w)
{
	const struct guest_prog *prog = &prog_count_long64;
	uint64_t want = guest_prog_addr(prog, COUNT_LOOP);
	uint64_t done = guest_prog_addr(prog, COUNT_DONE);
	uint32_t iterations = 0;

	for (;;) {
		const struct kvmdbg_event *ev;

		ev = kc_expect_event(w->t, w->i, KVMDBG_EVENT_STEP, want);
		kt_assert_raw(ev, 1, 0x4000);
		w->steps++;
		if (want == done)
			break;
		if (want == guest_prog_addr(prog, COUNT_LOOP)) {
			want = guest_prog_addr(prog, COUNT_LOOP2);
		} else if (want == guest_prog_addr(prog, COUNT_LOOP2)) {
			want = guest_prog_addr(prog, COUNT_JNZ);
		} else {
			iterations++;
			want = iterations < w->count ? guest_prog_addr(prog, COUNT_LOOP) : done;
		}
	}
	kt_expect_out(w->t, w->i, GUEST_PORT_DONE);
}

/* Run the count program to its end, every stop a hardware breakpoint at w->point. */
static void run_hits(struct worker *w)
{
	for (;;) {
		const struct kvmdbg_event *ev;
		int ret = kc_run(w->t, w->i, &ev);

		if (ret == KVMDBG_EXIT_NOT_DEBUG) {
			g_assert_true(guest_exit_is_out(&w->t->g, w->i, GUEST_PORT_DONE));
			return;
		}
		g_assert_cmpint(ret, ==, KVMDBG_EXIT_EVENT);
		g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_HW_BREAKPOINT);
		g_assert_true(kvmdbg_event_get_vcpu(ev) == w->t->vcpu[w->i]);
		g_assert_true(kvmdbg_event_get_point_id(ev) == w->point);
		g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, kvmdbg_event_get_point_addr(ev));
		w->hits++;
		g_assert_cmpuint(w->hits, <=, w->count);
	}
}

static void *worker_main(void *data)
{
	struct worker *w = data;

	pthread_barrier_wait(w->start);
	if (w->step)
		run_stepping(w);
	else
		run_hits(w);
	kc_watchdog_stop(&w->t->wd[w->i]);
	return NULL;
}

static void run_workers(struct worker w[2])
{
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, 2);
	for (int k = 0; k < 2; k++) {
		w[k].start = &start;
		g_assert_cmpint(pthread_create(&w[k].thread, NULL, worker_main, &w[k]), ==, 0);
	}
	for (int k = 0; k < 2; k++)
		g_assert_cmpint(pthread_join(w[k].thread, NULL), ==, 0);
	pthread_barrier_destroy(&start);
}

/*
 * Case 6: vCPU 0 single-steps N instructions while vCPU 1 hits its own breakpoint M times in
 * the same code, concurrently; neither sees the other's debug state.
 */
static void test_vcpu_scope(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_count_long64;
	const uint32_t n = 2000, m = 1500;
	uint64_t p;
	struct worker w[2] = {
		{ .t = t, .i = 0, .step = true, .count = n },
		{ .t = t, .i = 1, .step = false, .count = m },
	};

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, COUNT_START);
	kt_start(t, 1, prog, COUNT_START);
	kt_set_rdi(t, 0, n);
	kt_set_rdi(t, 1, m);

	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[1], KVMDBG_POINT_HW_BREAK,
					   guest_prog_addr(prog, COUNT_LOOP2), 0, 0, NULL, &p),
			==, 0);
	g_assert_true(kc_point(t->vm, p).vcpu == t->vcpu[1]);
	/* a vCPU's point is not a VM-wide one */
	g_assert_cmpuint(kc_find(t->vm, KVMDBG_POINT_HW_BREAK, guest_prog_addr(prog, COUNT_LOOP2)),
			 ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(t->vcpu[0], true), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(t->vcpu[1]));
	w[1].point = p;

	run_workers(w);

	g_assert_cmpuint(w[0].steps, ==, 1 + 3 * n);
	g_assert_cmpuint(w[0].hits, ==, 0);
	g_assert_cmpuint(w[1].hits, ==, m);
	g_assert_cmpuint(w[1].steps, ==, 0);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, m);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, n);
	g_assert_cmphex(kt_regs(t, 1).rax & 0xffffffff, ==, m);
}

/*
 * A VM-wide breakpoint fires on every vCPU, including one attached after the insert; each
 * vCPU counts only its own hits, and the point counts them all.
 */
static void test_vm_wide(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_count_long64;
	const uint32_t n0 = 1000, n1 = 1500;
	uint64_t p;
	struct worker w[2] = {
		{ .t = t, .i = 0, .count = n0 },
		{ .t = t, .i = 1, .count = n1 },
	};

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
					 guest_prog_addr(prog, COUNT_LOOP), 0, 0, NULL, &p),
			==, 0);
	kc_add_vcpu(t);
	kt_start(t, 0, prog, COUNT_START);
	kt_start(t, 1, prog, COUNT_START);
	kt_set_rdi(t, 0, n0);
	kt_set_rdi(t, 1, n1);
	w[0].point = p;
	w[1].point = p;

	run_workers(w);

	g_assert_cmpuint(w[0].hits, ==, n0);
	g_assert_cmpuint(w[1].hits, ==, n1);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, n0 + n1);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, n0);
	g_assert_cmphex(kt_regs(t, 1).rax & 0xffffffff, ==, n1);
}

struct kick {
	struct kc_test *t;
	pthread_t thread;
	atomic_int kicks;
	atomic_int in_run;
	uint64_t point;
	/* results of the vCPU thread */
	int run_result;
	int pre_run_after;
	uint64_t hits;
};

static void kick_cb(void *data)
{
	struct kick *k = data;

	atomic_fetch_add(&k->kicks, 1);
	pthread_kill(k->thread, GUEST_SIG_KICK);
}

static void check_interrupted(const struct kvmdbg_event *ev)
{
	uint32_t exc = 0;
	uint64_t status = 0, addr = 0;

	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &exc), ==, -ENODATA);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);
}

static void *kick_vcpu_main(void *data)
{
	struct kick *k = data;
	struct kc_test *t = k->t;
	const struct guest_prog *prog = &prog_spin_long64;
	const struct kvmdbg_event *ev = NULL;
	uint32_t go = 1;
	int ret;

	g_assert_cmpint(kc_watchdog_start(&t->wd[0], KT_WATCHDOG_SECONDS), ==, 0);

	/* One round of the documented loop, noting when the thread is inside KVM_RUN. */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[0]), >=, 0);
	atomic_store(&k->in_run, 1);
	k->run_result = kc_raw_run(t, 0);
	atomic_store(&k->in_run, 0);
	ret = kvmdbg_vcpu_handle_exit(t->vcpu[0], k->run_result, &ev);
	g_assert_cmpint(ret, ==, KVMDBG_EXIT_EVENT);
	check_interrupted(ev);

	/* The breakpoint inserted while the vCPU ran is applied now, and the loop hits it. */
	k->pre_run_after = kvmdbg_vcpu_pre_run(t->vcpu[0]);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, guest_prog_addr(prog, SPIN_LOOP));
	g_assert_true(kvmdbg_event_get_point_id(ev) == k->point);
	k->hits = kc_point(t->vm, k->point).hits;

	/* Let the guest leave its loop; it ends normally. */
	g_assert_cmpint(
		kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, guest_prog_addr(prog, SPIN_LOOP)),
		==, 0);
	memcpy(t->g.mem + SPIN_GO, &go, sizeof(go));
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	kc_watchdog_stop(&t->wd[0]);
	return NULL;
}

/*
 * Case 7: a guest spins; another thread inserts a VM-wide breakpoint without waiting for the
 * vCPU, then kicks it: the vCPU thread gets KVMDBG_EVENT_INTERRUPTED once, picks the new
 * breakpoint up at its next pre_run, and runs on normally.
 */
static void test_kick_running(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_spin_long64;
	struct kick k = { .t = t };
	uint64_t deadline, t0, elapsed;
	uint32_t started = 0;
	int ret;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	kt_start(t, 0, prog, SPIN_START);
	g_assert_cmpint(kvmdbg_vcpu_set_kick(t->vcpu[0], kick_cb, &k), ==, 0);
	g_assert_cmpint(pthread_create(&k.thread, NULL, kick_vcpu_main, &k), ==, 0);

	/* Wait until the guest spins (it announces itself in memory). */
	deadline = kc_now_ns() + 10ull * 1000 * 1000 * 1000;
	while (kc_now_ns() < deadline) {
		started = __atomic_load_n((uint32_t *)(void *)(t->g.mem + SPIN_STARTED),
					  __ATOMIC_ACQUIRE);
		if (started)
			break;
		g_usleep(1000);
	}
	g_assert_cmpuint(started, ==, 1);
	g_usleep(20 * 1000);
	g_assert_cmpint(atomic_load(&k.in_run), ==, 1);

	/* A VM-wide insert while the vCPU is inside KVM_RUN does not wait for it. */
	t0 = kc_now_ns();
	ret = kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, guest_prog_addr(prog, SPIN_LOOP), 0, 0,
			       NULL, &k.point);
	elapsed = kc_now_ns() - t0;
	g_test_message("kvmdbg_vm_insert() while the vCPU runs took %" PRIu64 " us",
		       elapsed / 1000);
	g_assert_cmpint(ret, ==, 0);
	g_assert_cmpint(atomic_load(&k.in_run), ==, 1);
	g_assert_cmpuint(elapsed, <, 500ull * 1000 * 1000);

	g_assert_cmpint(kvmdbg_vcpu_kick(t->vcpu[0]), ==, 0);
	g_assert_cmpint(pthread_join(k.thread, NULL), ==, 0);

	g_assert_cmpint(atomic_load(&k.kicks), ==, 1);
	g_assert_cmpint(k.run_result, ==, -EINTR);
	g_assert_cmpint(k.pre_run_after, ==, 1);
	g_assert_cmpuint(k.hits, ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
}

/* A kick before KVM_RUN makes the next KVM_RUN return at once, reported once. */
static void test_kick_before_run(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_step[GUEST_LONG64];
	struct kick k = { .t = t, .thread = pthread_self() };
	const struct kvmdbg_event *ev;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, STEP_START);
	g_assert_cmpint(kvmdbg_vcpu_set_kick(t->vcpu[0], kick_cb, &k), ==, 0);

	g_assert_cmpint(kvmdbg_vcpu_kick(t->vcpu[0]), ==, 0);
	g_assert_cmpint(atomic_load(&k.kicks), ==, 1);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_INTERRUPTED, 0);
	check_interrupted(ev);
	/* The guest has not run; now it does, to its end. */
	g_assert_cmphex(guest_get_pc(&t->g, 0), ==, guest_prog_addr(prog, STEP_START));
	kt_expect_out(t, 0, GUEST_PORT_MARK);
	kt_expect_out(t, 0, GUEST_PORT_DONE);

	/* Without a callback, immediate_exit alone keeps the vCPU out of its endless loop. */
	g_assert_cmpint(kvmdbg_vcpu_set_kick(t->vcpu[0], NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_kick(t->vcpu[0]), ==, 0);
	g_assert_cmpint(atomic_load(&k.kicks), ==, 1);
	check_interrupted(kc_expect_event(t, 0, KVMDBG_EVENT_INTERRUPTED, 0));

	/*
	 * Even after kicks, an immediate_exit the VMM sets itself stays the VMM's: its -EINTR is
	 * a plain KVM_EXIT_INTR, and immediate_exit is left as it is.
	 */
	t->g.vcpus[0].run->immediate_exit = 1;
	g_assert_cmpint(kvmdbg_vcpu_pre_run(t->vcpu[0]), ==, 0);
	g_assert_cmpint(kc_raw_run(t, 0), ==, -EINTR);
	ev = NULL;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(t->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_null(ev);
	g_assert_cmpuint(t->g.vcpus[0].run->exit_reason, ==, KVM_EXIT_INTR);
	g_assert_cmpuint(t->g.vcpus[0].run->immediate_exit, ==, 1);
	t->g.vcpus[0].run->immediate_exit = 0;

	/* An -EINTR from a signal alone (no immediate_exit) is the VMM's too. */
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(t->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_null(ev);

	g_assert_cmpint(kvmdbg_vcpu_kick(NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_set_kick(NULL, kick_cb, &k), ==, -EINVAL);
}

/* ------------------------------------------------------------------------------------------ */
/* kvmtool's pause */

/* kvmtool pauses with SIGRTMIN + 1 (SIGKVMPAUSE); its handler blocks until the VM resumes. */
#define SIG_PAUSE (SIGRTMIN + 1)

static sem_t paused, resumed[2];
static __thread int pause_vcpu = -1;

static void pause_handler(int sig)
{
	(void)sig;
	sem_post(&paused);
	/* a thread that finished its run loop just before the signal does not wait */
	if (pause_vcpu < 0)
		return;
	while (sem_wait(&resumed[pause_vcpu]) < 0)
		;
}

struct pauser {
	struct kc_test *t;
	unsigned int i;
	uint32_t count;
	unsigned int hits, intr;
	atomic_bool done;
};

static void *pause_worker(void *data)
{
	const struct guest_prog *prog = &prog_count_long64;
	struct pauser *w = data;

	pause_vcpu = (int)w->i;
	for (;;) {
		const struct kvmdbg_event *ev;
		int ret = kc_run(w->t, w->i, &ev);

		if (ret == KVMDBG_EXIT_EVENT) {
			g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_HW_BREAKPOINT);
			g_assert_cmphex(kvmdbg_event_get_pc(ev), ==,
					guest_prog_addr(prog, COUNT_LOOP2));
			w->hits++;
			continue;
		}
		g_assert_cmpint(ret, ==, KVMDBG_EXIT_NOT_DEBUG);
		/* the pause interrupted KVM_RUN: the VMM's exit, never an error */
		if (w->t->g.vcpus[w->i].run->exit_reason == KVM_EXIT_INTR) {
			w->intr++;
			continue;
		}
		g_assert_true(guest_exit_is_out(&w->t->g, w->i, GUEST_PORT_DONE));
		break;
	}
	pause_vcpu = -1;
	kc_watchdog_stop(&w->t->wd[w->i]);
	atomic_store(&w->done, true);
	return NULL;
}

struct gdb_op {
	struct kc_test *t;
	uint64_t addr;
	int ret;
	sem_t done;
};

/* What a gdb thread does while the VM is paused: insert and remove a breakpoint. */
static void *gdb_op_thread(void *data)
{
	struct gdb_op *op = data;

	op->ret = kvmdbg_vm_insert(op->t->vm, KVMDBG_POINT_HW_BREAK, op->addr, 0, 0, NULL, NULL);
	if (op->ret == 0)
		op->ret = kvmdbg_vm_remove(op->t->vm, KVMDBG_POINT_HW_BREAK, op->addr);
	sem_post(&op->done);
	return NULL;
}

static bool sem_wait_ms(sem_t *sem, long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	while (sem_timedwait(sem, &ts) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

/*
 * Regression: two vCPU threads hit a VM-wide breakpoint in a loop while a gdb thread pauses
 * the VM the way kvmtool does (a signal to each vCPU thread whose handler blocks until the
 * VM resumes) and inserts and removes breakpoints meanwhile.  A vCPU thread parked inside
 * the library while it held the VM lock deadlocked the gdb thread; an interrupted KVM_RUN
 * was an error (-EINTR) that kvmtool's run loop would die on.
 */
static void test_kvmtool_pause(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_count_long64;
	const uint32_t n = 20000;
	struct pauser w[2] = { { .t = t, .i = 0, .count = n }, { .t = t, .i = 1, .count = n } };
	struct sigaction sa, old;
	pthread_t threads[2];
	unsigned int pauses = 0;
	bool stuck = false;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	sem_init(&paused, 0, 0);
	for (int k = 0; k < 2; k++) {
		sem_init(&resumed[k], 0, 0);
		kt_start(t, k, prog, COUNT_START);
		kt_set_rdi(t, k, n);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pause_handler; /* no SA_RESTART: KVM_RUN returns -EINTR */
	sigemptyset(&sa.sa_mask);
	g_assert_cmpint(sigaction(SIG_PAUSE, &sa, &old), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
					 guest_prog_addr(prog, COUNT_LOOP2), 0, 0, NULL, NULL),
			==, 0);

	for (int k = 0; k < 2; k++)
		g_assert_cmpint(pthread_create(&threads[k], NULL, pause_worker, &w[k]), ==, 0);
	while (!stuck && !(atomic_load(&w[0].done) && atomic_load(&w[1].done))) {
		struct gdb_op op = { .t = t, .addr = guest_prog_addr(prog, COUNT_DONE) };
		bool signalled[2] = { false, false };
		pthread_t gdb;

		/* pause: every vCPU thread still running parks in the handler */
		for (int k = 0; k < 2; k++) {
			if (atomic_load(&w[k].done))
				continue;
			pthread_kill(threads[k], SIG_PAUSE);
			signalled[k] = true;
		}
		for (int k = 0; k < 2; k++)
			if (signalled[k])
				g_assert_true(sem_wait_ms(&paused, 5000));
		pauses++;

		sem_init(&op.done, 0, 0);
		g_assert_cmpint(pthread_create(&gdb, NULL, gdb_op_thread, &op), ==, 0);
		stuck = !sem_wait_ms(&op.done, 5000);
		/* resume: the handlers return */
		for (int k = 0; k < 2; k++)
			if (signalled[k])
				sem_post(&resumed[k]);
		if (stuck)
			g_test_message("the gdb thread's insert did not return within 5 s while "
				       "the VM was paused: a parked vCPU thread holds the VM lock");
		g_assert_cmpint(pthread_join(gdb, NULL), ==, 0);
		g_assert_false(stuck);
		g_assert_cmpint(op.ret, ==, 0);
		sem_destroy(&op.done);
		usleep(200);
	}
	for (int k = 0; k < 2; k++)
		g_assert_cmpint(pthread_join(threads[k], NULL), ==, 0);
	g_test_message("%u pauses; vCPU 0: %u hits, %u interrupted runs; vCPU 1: %u hits, %u",
		       pauses, w[0].hits, w[0].intr, w[1].hits, w[1].intr);
	g_assert_cmpuint(w[0].hits, ==, n);
	g_assert_cmpuint(w[1].hits, ==, n);
	g_assert_cmpuint(pauses, >, 0);
	g_assert_cmpint(sigaction(SIG_PAUSE, &old, NULL), ==, 0);
	sem_destroy(&paused);
	for (int k = 0; k < 2; k++)
		sem_destroy(&resumed[k]);
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/threads/vcpu-scope", struct kc_test, NULL, kc_setup2,
		   test_vcpu_scope, kc_teardown);
	g_test_add("/kvmdbg/kvm/threads/vm-wide", struct kc_test, NULL, kc_setup1, test_vm_wide,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/threads/regress/kvmtool-pause", struct kc_test, NULL, kc_setup2,
		   test_kvmtool_pause, kc_teardown);
	g_test_add("/kvmdbg/kvm/kick/running", struct kc_test, NULL, kc_setup1, test_kick_running,
		   kc_teardown);
	g_test_add("/kvmdbg/kvm/kick/before-run", struct kc_test, NULL, kc_setup1,
		   test_kick_before_run, kc_teardown);
	return g_test_run();
}
