// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Making a running vCPU exit, over the fake kernel edge (fixture.h): kvmdbg_vcpu_kick() sets
 * immediate_exit and calls the caller's kick, from any thread; the -EINTR that follows is
 * the library's INTERRUPTED event, once; every other -EINTR (a signal, the VMM's own
 * immediate_exit) is the VMM's exit.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <linux/kvm.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

struct kick_rec {
	unsigned int calls;
	GThread *thread;
};

static void kick_cb(void *user_data)
{
	struct kick_rec *k = user_data;

	k->calls++;
	k->thread = g_thread_self();
}

static void test_kick(struct fx *f, gconstpointer data)
{
	struct kick_rec k = { 0 };
	const struct kvmdbg_event *ev = FX_NO_EVENT;
	uint32_t e;
	uint64_t st;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], kick_cb, &k), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpuint(k.calls, ==, 1);
	assert_log_len(0);

	/* pre_run does not undo it */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), >=, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);

	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_true(ev != FX_NO_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_true(kvmdbg_event_get_vcpu(ev) == f->vcpu[0]);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, -ENODATA);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &st), ==, -ENODATA);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
	assert_log_len(0);

	/* once: a second -EINTR is the VMM's (a signal), a plain KVM_EXIT_INTR */
	ev = FX_NO_EVENT;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == FX_NO_EVENT);
	/* in the fake kernel's (x86's) byte order, whatever the host's */
	g_assert_cmpuint(fx_get((uint8_t *)f->run[0] + 8, 4, false), ==, KVM_EXIT_INTR);
}

static void test_kick_no_callback(struct fx *f, gconstpointer data)
{
	const struct kvmdbg_event *ev = FX_NO_EVENT;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);

	/* a callback set then cleared is not called */
	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
}

static void test_kick_then_debug_exit(struct fx *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	(void)data;

	/* the kick lands while a step exit is already on its way: both are reported */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	fx_x86_event(f, 0, 1, 0x401003, FX_DR6_STEP, ev, KVMDBG_EVENT_STEP);
	ev = FX_NO_EVENT;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
}

static gpointer kick_thread(gpointer data)
{
	struct kvmdbg_vcpu *vcpu = data;

	return GINT_TO_POINTER(kvmdbg_vcpu_kick(vcpu));
}

static void test_kick_other_thread(struct fx *f, gconstpointer data)
{
	struct kick_rec k = { 0 };
	const struct kvmdbg_event *ev = FX_NO_EVENT;
	GThread *t;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], kick_cb, &k), ==, 0);
	t = g_thread_new("kick", kick_thread, f->vcpu[0]);
	g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, 0);
	g_assert_cmpuint(k.calls, ==, 1);
	g_assert_true(k.thread == t);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
}

/* ------------------------------------------------------------------------------------------ */
/* The VMM's own exits */

static void test_exit_errors_without_kick(struct fx *f, gconstpointer data)
{
	const struct kvmdbg_event *ev = FX_NO_EVENT;
	(void)data;

	/* a signal that was not the library's: the VMM's exit */
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == FX_NO_EVENT);
	/* in the fake kernel's (x86's) byte order, whatever the host's */
	g_assert_cmpuint(fx_get((uint8_t *)f->run[0] + 8, 4, false), ==, KVM_EXIT_INTR);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EFAULT, &ev), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EAGAIN, &ev), ==, -EAGAIN);
	g_assert_true(ev == FX_NO_EVENT);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
}

/*
 * Regression: a KVM_RUN interrupted by a signal the library did not send came back as an
 * error, which a run loop's "if (ret < 0) die()" turns into a crash.  Fix: it is the VMM's
 * exit, KVMDBG_EXIT_NOT_DEBUG with exit_reason KVM_EXIT_INTR, as the kernel reports a signal.
 */
static void test_signal_is_not_an_error(void)
{
	const struct kvmdbg_event *ev = NULL;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fx_garbage(f.run[0]);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_null(ev);
	g_assert_cmpuint(((uint8_t *)f.run[0])[8], ==, KVM_EXIT_INTR);
	g_assert_cmpuint(((uint8_t *)f.run[0])[9], ==, 0);
	fx_fini(&f);
}

/*
 * Regression: once a kick was used, a VMM's own immediate_exit request was swallowed as a
 * stale kick.  Fix: only a pending kick's -EINTR is the library's; any other reaches the VMM,
 * immediate_exit left as the VMM set it.
 */
static void test_vmm_immediate_exit_after_kick(void)
{
	const struct kvmdbg_event *ev = NULL;
	volatile uint8_t *ie;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	ie = (volatile uint8_t *)f.run[0] + 1; /* struct kvm_run: immediate_exit at offset 1 */
	g_assert_cmpint(kvmdbg_vcpu_kick(f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpuint(*ie, ==, 0);

	/* the VMM asks for an exit of its own */
	*ie = 1;
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	ev = NULL;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_null(ev);
	g_assert_cmpuint(*ie, ==, 1);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* A kicking thread */

struct kick_ctx {
	struct kvmdbg_vcpu *vcpu;
	/* shared between the threads: __atomic_* only (volatile is no synchronisation) */
	int stop;
	long kicks; /* the kicker's; read after pthread_join() */
};

static void *kicker(void *data)
{
	struct kick_ctx *k = data;

	while (!__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE)) {
		kvmdbg_vcpu_kick(k->vcpu);
		k->kicks++;
	}
	return NULL;
}

/*
 * Regression: a kick racing with the vCPU's own -EINTR could leave immediate_exit set for good,
 * so that every KVM_RUN failed at once, forever.  Fix: kvmdbg_vcpu_kick() sets immediate_exit
 * before it marks the kick pending, and handle_exit clears it when it takes the pending kick;
 * any other -EINTR is the VMM's and leaves immediate_exit alone.
 */
static void test_race_no_stale_immediate_exit(void)
{
	struct fx fix, *f = &fix;
	struct kick_ctx k = { 0 };
	pthread_t t;
	long stuck = 0, rounds = 0;
	gint64 end;

	fx_init(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2, 1);
	k.vcpu = f->vcpu[0];
	fx_exit_reason(f->run[0], KVM_EXIT_IO, false); /* not a debug exit */
	g_assert_cmpint(pthread_create(&t, NULL, kicker, &k), ==, 0);
	end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < end && !stuck) {
		const struct kvmdbg_event *ev;
		/* a fake KVM_RUN: immediate_exit makes it fail with -EINTR at once */
		bool ie = __atomic_load_n(&f->run[0]->immediate_exit, __ATOMIC_ACQUIRE);
		int run = ie ? -EINTR : 0;
		int ret = kvmdbg_vcpu_handle_exit(f->vcpu[0], run, &ev);

		rounds++;
		if (ret == -EINTR) {
			/* stop the kicker and see whether the vCPU can ever run again */
			__atomic_store_n(&k.stop, 1, __ATOMIC_RELEASE);
			pthread_join(t, NULL);
			for (int i = 0; i < 1000; i++) {
				run = f->run[0]->immediate_exit ? -EINTR : 0;
				ret = kvmdbg_vcpu_handle_exit(f->vcpu[0], run, &ev);
				if (ret != -EINTR)
					break;
			}
			if (ret == -EINTR)
				stuck = 1;
			break;
		}
	}
	if (!__atomic_load_n(&k.stop, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&k.stop, 1, __ATOMIC_RELEASE);
		pthread_join(t, NULL);
	}
	g_test_message("%ld rounds, %ld kicks; stuck: %ld", rounds, k.kicks, stuck);
	/* no kicker left, and 1000 KVM_RUNs in a row failed with -EINTR: immediate_exit stuck */
	g_assert_cmpint(stuck, ==, 0);
	fx_fini(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	fx_test_add("/kvmdbg/unit/kick/basic", fx_setup_x86, test_kick);
	fx_test_add("/kvmdbg/unit/kick/no-callback", fx_setup_x86, test_kick_no_callback);
	fx_test_add("/kvmdbg/unit/kick/then-debug-exit", fx_setup_x86, test_kick_then_debug_exit);
	fx_test_add("/kvmdbg/unit/kick/other-thread", fx_setup_x86, test_kick_other_thread);

	fx_test_add("/kvmdbg/unit/kick/errors-without-kick", fx_setup_x86,
		    test_exit_errors_without_kick);
	g_test_add_func("/kvmdbg/unit/kick/signal-is-not-an-error", test_signal_is_not_an_error);
	g_test_add_func("/kvmdbg/unit/kick/vmm-immediate-exit-after-kick",
			test_vmm_immediate_exit_after_kick);

	g_test_add_func("/kvmdbg/unit/kick/race-no-stale-immediate-exit",
			test_race_no_stale_immediate_exit);

	return g_test_run();
}
