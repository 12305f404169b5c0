// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Threads and signals as real VMMs use them, over the fake kernel edge (fixture.h): a control
 * (gdb) thread next to vCPU threads, vCPU threads parked by a signal whose handler blocks
 * (kvmtool's pause), kicks.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fixture.h"

#define WAIT_MS 5000

/*
 * A flag one thread raises and another waits for, with a deadline (pthreads rather than GLib:
 * the cross tier's GLib stand-in has no condition variables).
 */
struct flag {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool up;
};

static void flag_init(struct flag *fl)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&fl->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&fl->cond, &attr);
	pthread_condattr_destroy(&attr);
	fl->up = false;
}

static void flag_raise(struct flag *fl)
{
	pthread_mutex_lock(&fl->lock);
	fl->up = true;
	pthread_cond_broadcast(&fl->cond);
	pthread_mutex_unlock(&fl->lock);
}

/* Whether the flag was raised within ms milliseconds. */
static bool flag_wait(struct flag *fl, long ms)
{
	struct timespec end;
	bool up;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&fl->lock);
	while (!fl->up && pthread_cond_timedwait(&fl->cond, &fl->lock, &end) == 0)
		;
	up = fl->up;
	pthread_mutex_unlock(&fl->lock);
	return up;
}

static bool flag_is_up(struct flag *fl)
{
	bool up;

	pthread_mutex_lock(&fl->lock);
	up = fl->up;
	pthread_mutex_unlock(&fl->lock);
	return up;
}

/* ------------------------------------------------------------------------------------------ */
/* KVM_TRANSLATE and the VM lock */

struct translate_block {
	struct flag entered, release;
	struct fx *f;
	struct flag counted;
	long count;
};

static void hook_block(void *data, int fd, uint64_t gva)
{
	struct translate_block *tb = data;

	(void)fd;
	(void)gva;
	flag_raise(&tb->entered);
	g_assert_true(flag_wait(&tb->release, 10 * WAIT_MS));
}

static void *insert_thread(void *data)
{
	struct translate_block *tb = data;

	g_assert_cmpint(kvmdbg_vm_insert(tb->f->vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0,
					 NULL, NULL), ==, 0);
	return NULL;
}

static void *count_thread(void *data)
{
	struct translate_block *tb = data;

	tb->count = kvmdbg_vm_get_point_count(tb->f->vm);
	flag_raise(&tb->counted);
	return NULL;
}

/*
 * Regression: KVM_TRANSLATE waits while its vCPU is inside KVM_RUN.  Made with the VM lock
 * held, it blocked every other thread's call into the VM, vCPU threads included, until that
 * vCPU left KVM_RUN.  Fix: KVM_TRANSLATE never runs with the VM lock held.  The walk reads
 * the vCPU's registers, which waits the same way: without the lock too.
 */
static void translate_without_vm_lock(enum kvmdbg_translation how)
{
	struct translate_block tb;
	pthread_t t1, t2;
	bool counted;
	struct fx f;

	memset(&tb, 0, sizeof(tb));
	flag_init(&tb.entered);
	flag_init(&tb.release);
	flag_init(&tb.counted);
	fx_init_bare(&f, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(f.vm, how), ==, 0);
	tb.f = &f;
	fake_set_translate_hook(hook_block, &tb);

	g_assert_cmpint(pthread_create(&t1, NULL, insert_thread, &tb), ==, 0);
	g_assert_true(flag_wait(&tb.entered, WAIT_MS));
	g_assert_cmpint(pthread_create(&t2, NULL, count_thread, &tb), ==, 0);
	counted = flag_wait(&tb.counted, WAIT_MS);
	flag_raise(&tb.release);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	g_assert_true(counted);
	g_assert_cmpint(tb.count, ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);
	g_assert_cmpuint(fake_log_count(how == KVMDBG_TRANSLATION_KVM ? FAKE_TRANSLATE :
					FAKE_GET_X86_PAGING), ==, 1);
	fake_set_translate_hook(NULL, NULL);
	fx_fini(&f);
}

static void test_translate_without_vm_lock(void)
{
	translate_without_vm_lock(KVMDBG_TRANSLATION_KVM);
}

static void test_walk_without_vm_lock(void)
{
	translate_without_vm_lock(KVMDBG_TRANSLATION_WALK);
}

/* ------------------------------------------------------------------------------------------ */
/* A vCPU thread parked by a signal inside a library call */

static sem_t parked, resume;
static atomic_bool raise_on_read;

static bool sem_wait_deadline(sem_t *sem)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	while (sem_timedwait(sem, &ts) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

/* kvmtool's pause: the handler itself blocks until the VM is resumed. */
static void pause_handler(int sig)
{
	(void)sig;
	sem_post(&parked);
	while (sem_wait(&resume) < 0)
		;
}

static int read_raising(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct fx *f = user_data;

	/* the VMM's pause signal lands while the vCPU thread is inside the library */
	if (atomic_exchange(&raise_on_read, false))
		raise(SIGUSR1);
	memcpy(buf, fx_mem(f, gpa), len);
	return 0;
}

struct pause_test {
	struct fx *f;
	int exit_ret;
	struct flag inserted;
	int insert_ret;
};

static void *vcpu_thread(void *data)
{
	struct pause_test *pt = data;
	const struct kvmdbg_event *ev;

	fx_x86_bp(pt->f->run[0], fx_addr(0x200));
	atomic_store(&raise_on_read, true);
	pt->exit_ret = fx_exit(pt->f, 0, &ev);
	return NULL;
}

static void *gdb_insert_thread(void *data)
{
	struct pause_test *pt = data;

	pt->insert_ret = kvmdbg_vm_insert(pt->f->vm, KVMDBG_POINT_HW_BREAK, fx_addr(0x300), 0, 0,
					  NULL, NULL);
	flag_raise(&pt->inserted);
	return NULL;
}

/*
 * Regression: kvmtool pauses the VM by signalling every vCPU thread, whose handler blocks
 * until the VM is resumed; the gdb thread then inserts breakpoints.  A vCPU thread parked
 * inside the library while it held the VM lock deadlocked the gdb thread.  Fix: calls on a
 * vCPU thread hold the VM lock only with every signal blocked.
 */
static void test_signal_parked_vcpu_blocks_nobody(void)
{
	struct sigaction sa, old;
	struct pause_test pt;
	pthread_t vt, gt;
	bool inserted;
	struct fx f;

	memset(&pt, 0, sizeof(pt));
	flag_init(&pt.inserted);
	sem_init(&parked, 0, 0);
	sem_init(&resume, 0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pause_handler;
	sigemptyset(&sa.sa_mask);
	g_assert_cmpint(sigaction(SIGUSR1, &sa, &old), ==, 0);

	fx_init_bare(&f, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, fx_read_mem, fx_write_mem,
						 fx_translate_identity, &f), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);
	pt.f = &f;
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x200), 0,
					 KVMDBG_POINT_ONESHOT, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, read_raising, fx_write_mem,
						 fx_translate_identity, &f), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);

	g_assert_cmpint(pthread_create(&vt, NULL, vcpu_thread, &pt), ==, 0);
	/* the VM is paused: the vCPU thread sits in the handler */
	g_assert_true(sem_wait_deadline(&parked));
	g_assert_cmpint(pthread_create(&gt, NULL, gdb_insert_thread, &pt), ==, 0);
	inserted = flag_wait(&pt.inserted, WAIT_MS);
	sem_post(&resume);
	pthread_join(vt, NULL);
	pthread_join(gt, NULL);
	g_assert_true(inserted);
	g_assert_cmpint(pt.insert_ret, ==, 0);
	g_assert_cmpint(pt.exit_ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(sigaction(SIGUSR1, &old, NULL), ==, 0);
	sem_destroy(&parked);
	sem_destroy(&resume);
	fx_fini(&f);
}

/* Whether SIGUSR2 was blocked when the library last read guest memory (under its lock). */
static int blocked_in_read = -1;

static int read_noting_mask(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	sigset_t cur;

	g_assert_cmpint(pthread_sigmask(SIG_BLOCK, NULL, &cur), ==, 0);
	blocked_in_read = sigismember(&cur, SIGUSR2);
	return fx_read_mem(user_data, gpa, buf, len);
}

/* Whether SIGUSR2 was blocked when the library last translated an address. */
static int blocked_in_translate = -1;

static int translate_noting_mask(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	sigset_t cur;

	g_assert_cmpint(pthread_sigmask(SIG_BLOCK, NULL, &cur), ==, 0);
	blocked_in_translate = sigismember(&cur, SIGUSR2);
	return fx_translate_identity(user_data, gva, ret_gpa);
}

/*
 * vCPU calls hold the VM lock with every signal blocked, unless the VMM turned the guard off;
 * either way the thread's mask is as it was once the call returns.  The translate callback of
 * an exit runs without the lock but with the mask of the call, like every callback there.
 */
static void test_signal_guard(void)
{
	const struct kvmdbg_event *ev;
	sigset_t before, after;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, read_noting_mask, fx_write_mem,
						 translate_noting_mask, &f), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_signal_guard(NULL, false), ==, -EINVAL);
	g_assert_cmpint(pthread_sigmask(SIG_BLOCK, NULL, &before), ==, 0);
	g_assert_false(sigismember(&before, SIGUSR2));

	for (int guard = 1; guard >= 0; guard--) {
		uint64_t addr = fx_addr(guard ? 0x200 : 0x300);

		g_test_message("guard %s", guard ? "on" : "off");
		g_assert_cmpint(kvmdbg_vm_set_signal_guard(f.vm, guard), ==, 0);
		g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, addr, 0,
						 KVMDBG_POINT_ONESHOT, NULL, NULL), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
		/* a one-shot hit reads the instruction back under the lock, on the vCPU thread */
		blocked_in_read = -1;
		fx_x86_bp(f.run[0], addr);
		g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
		g_assert_cmpint(blocked_in_read, ==, guard);
		/* a breakpoint instruction that is not the library's: the pc is translated */
		blocked_in_translate = -1;
		fx_x86_bp(f.run[0], fx_addr(0x400));
		g_assert_cmpint(fx_exit(&f, 0, &ev), >=, 0);
		g_assert_cmpint(blocked_in_translate, ==, guard);
		g_assert_cmpint(pthread_sigmask(SIG_BLOCK, NULL, &after), ==, 0);
		g_assert_cmpint(sigismember(&after, SIGUSR2), ==, 0);
		g_assert_cmpint(sigismember(&after, SIGINT), ==, sigismember(&before, SIGINT));
	}
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* kvmdbg_vcpu_set_kick(NULL) and a kick under way */

struct kick_test {
	struct flag in_kick, gate, cleared;
	struct kvmdbg_vcpu *vcpu;
};

static void kick_blocking(void *data)
{
	struct kick_test *kt = data;

	flag_raise(&kt->in_kick);
	g_assert_true(flag_wait(&kt->gate, 10 * WAIT_MS));
}

static void *kick_thread(void *data)
{
	struct kick_test *kt = data;

	g_assert_cmpint(kvmdbg_vcpu_kick(kt->vcpu), ==, 0);
	return NULL;
}

static void *clear_thread(void *data)
{
	struct kick_test *kt = data;

	g_assert_cmpint(kvmdbg_vcpu_set_kick(kt->vcpu, NULL, NULL), ==, 0);
	flag_raise(&kt->cleared);
	return NULL;
}

/*
 * Regression: after set_kick(NULL) returns, the caller frees what the callback used: a
 * callback still running on another thread then used freed memory.  Fix: set_kick() waits
 * for a kick under way.
 */
static void test_set_kick_waits_for_running_kick(void)
{
	struct kick_test kt;
	pthread_t t1, t2;
	bool early;
	struct fx f;

	memset(&kt, 0, sizeof(kt));
	flag_init(&kt.in_kick);
	flag_init(&kt.gate);
	flag_init(&kt.cleared);
	fx_init(&f, "x86_64", 0x1f0003, 1);
	kt.vcpu = f.vcpu[0];
	g_assert_cmpint(kvmdbg_vcpu_set_kick(f.vcpu[0], kick_blocking, &kt), ==, 0);
	g_assert_cmpint(pthread_create(&t1, NULL, kick_thread, &kt), ==, 0);
	g_assert_true(flag_wait(&kt.in_kick, WAIT_MS));
	g_assert_cmpint(pthread_create(&t2, NULL, clear_thread, &kt), ==, 0);
	early = flag_wait(&kt.cleared, 200);
	flag_raise(&kt.gate);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	g_assert_false(early);
	g_assert_true(flag_is_up(&kt.cleared));
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/kvmdbg/unit/threads/translate-without-vm-lock",
			test_translate_without_vm_lock);
	g_test_add_func("/kvmdbg/unit/threads/walk-without-vm-lock", test_walk_without_vm_lock);
	g_test_add_func("/kvmdbg/unit/threads/signal-parked-vcpu-blocks-nobody",
			test_signal_parked_vcpu_blocks_nobody);
	g_test_add_func("/kvmdbg/unit/threads/signal-guard", test_signal_guard);
	g_test_add_func("/kvmdbg/unit/threads/set-kick-waits-for-running-kick",
			test_set_kick_waits_for_running_kick);
	return g_test_run();
}
