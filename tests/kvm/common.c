/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The architecture-independent part of the kvm suite (see common.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

int kc_guest_open(struct kc_guest *g, const char **ret_why)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->kvm_fd = -1;
	g->vm_fd = -1;

	g->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm_fd < 0) {
		ret = -errno;
		*ret_why = "cannot open /dev/kvm";
		goto fail;
	}
	ret = ioctl(g->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		ret = ret < 0 ? -errno : -EPROTO;
		*ret_why = "KVM_GET_API_VERSION is not 12";
		goto fail;
	}
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, kc_arch.vm_type);
	if (g->vm_fd < 0) {
		ret = -errno;
		*ret_why = kc_arch.create_vm_why;
		goto fail;
	}
	g->mem = mmap(NULL, kc_arch.mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		ret = -errno;
		*ret_why = "cannot map guest memory";
		goto fail;
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = kc_arch.mem_base,
		.memory_size = kc_arch.mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)g->mem,
	};
	if (ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		*ret_why = "KVM_SET_USER_MEMORY_REGION failed";
		goto fail;
	}
	ret = kc_arch.guest_init(g, ret_why);
	if (ret < 0)
		goto fail;
	return 0;

fail:
	kc_guest_close(g);
	return ret;
}

int kc_guest_add_vcpu(struct kc_guest *g)
{
	struct kc_vcpu *v;
	int size, ret;

	if (g->nr_vcpus >= KC_MAX_VCPUS)
		return -ENOSPC;
	v = &g->vcpus[g->nr_vcpus];
	v->fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, (unsigned long)g->nr_vcpus);
	if (v->fd < 0)
		return -errno;
	size = ioctl(g->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run)) {
		ret = size < 0 ? -errno : -EPROTO;
		goto fail;
	}
	v->run_size = (size_t)size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		ret = -errno;
		goto fail;
	}
	ret = kc_arch.vcpu_init(g, g->nr_vcpus);
	if (ret < 0)
		goto fail;
	g->nr_vcpus++;
	return 0;

fail:
	if (v->run)
		munmap(v->run, v->run_size);
	close(v->fd);
	memset(v, 0, sizeof(*v));
	return ret;
}

void kc_guest_close(struct kc_guest *g)
{
	if (kc_arch.guest_fini)
		kc_arch.guest_fini(g);
	for (unsigned int i = 0; i < g->nr_vcpus; i++) {
		munmap(g->vcpus[i].run, g->vcpus[i].run_size);
		close(g->vcpus[i].fd);
	}
	g->nr_vcpus = 0;
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->mem)
		munmap(g->mem, kc_arch.mem_size);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	g->mem = NULL;
	g->vm_fd = -1;
	g->kvm_fd = -1;
}

int kc_guest_run(struct kc_guest *g, unsigned int i)
{
	return ioctl(g->vcpus[i].fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

static void do_nothing(int sig)
{
	(void)sig;
}

void kc_install_signal(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = do_nothing;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the point is that KVM_RUN returns -EINTR. */
	sa.sa_flags = 0;
	sigaction(sig, &sa, NULL);
}

int kc_watchdog_start(struct kc_watchdog *w, unsigned int seconds)
{
	struct sigevent sev;
	struct itimerspec its;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = KC_SIG_WATCHDOG;
	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &w->timer) < 0)
		return -errno;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = seconds;
	/* Again and again after the deadline, in case a signal lands outside KVM_RUN. */
	its.it_interval.tv_nsec = 100 * 1000 * 1000;
	clock_gettime(CLOCK_MONOTONIC, &w->deadline);
	w->deadline.tv_sec += seconds;
	if (timer_settime(w->timer, 0, &its, NULL) < 0) {
		int ret = -errno;

		timer_delete(w->timer);
		return ret;
	}
	w->seconds = seconds;
	w->armed = true;
	return 0;
}

bool kc_watchdog_expired(const struct kc_watchdog *w)
{
	struct timespec now;

	if (!w->armed)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > w->deadline.tv_sec ||
	       (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec);
}

void kc_watchdog_stop(struct kc_watchdog *w)
{
	if (!w->armed)
		return;
	timer_delete(w->timer);
	w->armed = false;
}

uint64_t kc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void setup(struct kc_test *t, unsigned int nr_vcpus)
{
	const char *why = NULL;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = kc_guest_open(&t->g, &why);
	if (ret < 0) {
		g_test_skip_printf("no usable KVM: %s: %s", why, g_strerror(-ret));
		return;
	}
	g_assert_cmpint(kvmdbg_vm_new(t->g.vm_fd, &t->vm), ==, 0);
	g_assert_nonnull(t->vm);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, kc_arch.mem_base, kc_arch.mem_size, t->g.mem),
			==, 0);
#if defined(__powerpc64__)
	/*
	 * The ppc guests run with the MMU off, and the library has no default translation there
	 * (no walker); x86 and arm64 use theirs, the page walk, which sees the MMU off too.
	 */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t->vm, NULL, NULL, kvmdbg_translate_identity,
						 NULL), ==, 0);
#endif
	for (unsigned int i = 0; i < nr_vcpus; i++)
		kc_add_vcpu(t);
	t->ok = true;
}

void kc_setup1(struct kc_test *t, const void *data)
{
	setup(t, 1);
}

void kc_setup2(struct kc_test *t, const void *data)
{
	setup(t, 2);
}

void kc_add_vcpu(struct kc_test *t)
{
	unsigned int i = t->g.nr_vcpus;
	int ret;

	ret = kc_guest_add_vcpu(&t->g);
	if (ret < 0)
		g_test_message("cannot create vCPU %u: %s", i, g_strerror(-ret));
	g_assert_cmpint(ret, ==, 0);
	ret = kvmdbg_vcpu_new(t->vm, t->g.vcpus[i].fd, t->g.vcpus[i].run, &t->vcpu[i]);
	g_assert_cmpint(ret, ==, 0);
	g_assert_nonnull(t->vcpu[i]);
	g_assert_true(kvmdbg_vcpu_get_vm(t->vcpu[i]) == t->vm);
}

void kc_teardown(struct kc_test *t, const void *data)
{
	for (unsigned int i = 0; i < KC_MAX_VCPUS; i++) {
		kc_watchdog_stop(&t->wd[i]);
		kvmdbg_vcpu_free(t->vcpu[i]);
		t->vcpu[i] = NULL;
	}
	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	if (t->ok)
		kc_guest_close(&t->g);
}

char *kc_result_str(struct kc_test *t, unsigned int i, int ret, const struct kvmdbg_event *ev)
{
	char buf[200];

	switch (ret) {
	case KVMDBG_EXIT_EVENT:
		return g_strdup_printf("a %s event at pc 0x%" PRIx64,
				       kvmdbg_event_type_name(kvmdbg_event_get_type(ev)),
				       kvmdbg_event_get_pc(ev));
	case KVMDBG_EXIT_NOT_DEBUG:
		return g_strdup_printf("a non-debug exit (%s)",
				       kc_arch.exit_str(&t->g, i, buf, sizeof(buf)));
	case KVMDBG_EXIT_RESUME:
		return g_strdup("KVMDBG_EXIT_RESUME");
	default:
		return g_strdup_printf("error %d (%s)", ret, g_strerror(ret < 0 ? -ret : 0));
	}
}

int kc_raw_run(struct kc_test *t, unsigned int i)
{
	int run;

	if (!t->wd[i].armed)
		g_assert_cmpint(kc_watchdog_start(&t->wd[i], kc_arch.watchdog_seconds), ==, 0);
	run = kc_guest_run(&t->g, i);
	if (run == -EINTR && kc_watchdog_expired(&t->wd[i]))
		g_test_message("vCPU %u: the guest still runs after %u s, at pc 0x%" PRIx64, i,
			       t->wd[i].seconds, kc_arch.pc(&t->g, i));
	g_assert_false(run == -EINTR && kc_watchdog_expired(&t->wd[i]));
	return run;
}

int kc_run_once(struct kc_test *t, unsigned int i, const struct kvmdbg_event **ret_event)
{
	const struct kvmdbg_event *ev = NULL;
	int ret, run;

	ret = kvmdbg_vcpu_pre_run(t->vcpu[i]);
	if (ret < 0)
		g_test_message("vCPU %u: kvmdbg_vcpu_pre_run: %s", i, g_strerror(-ret));
	g_assert_cmpint(ret, >=, 0);

	run = kc_raw_run(t, i);

	ret = kvmdbg_vcpu_handle_exit(t->vcpu[i], run, &ev);
	if (ret < 0)
		g_test_message("vCPU %u: KVM_RUN returned %d, kvmdbg_vcpu_handle_exit %d (%s)", i,
			       run, ret, g_strerror(-ret));
	g_assert_cmpint(ret, >=, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_cmpint(ret, <=, KVMDBG_EXIT_RESUME);
	if (ret == KVMDBG_EXIT_EVENT) {
		g_assert_nonnull(ev);
		g_assert_true(kvmdbg_event_get_vcpu(ev) == t->vcpu[i]);
	}
	*ret_event = ret == KVMDBG_EXIT_EVENT ? ev : NULL;
	return ret;
}

int kc_run(struct kc_test *t, unsigned int i, const struct kvmdbg_event **ret_event)
{
	for (unsigned int n = 0; n < KC_MAX_RESUMES; n++) {
		int ret = kc_run_once(t, i, ret_event);

		if (ret != KVMDBG_EXIT_RESUME)
			return ret;
	}
	g_test_message("vCPU %u: %u KVMDBG_EXIT_RESUME in a row, at pc 0x%" PRIx64, i,
		       KC_MAX_RESUMES, kc_arch.pc(&t->g, i));
	g_assert_not_reached();
	return -ELOOP;
}

const struct kvmdbg_event *kc_expect_event(struct kc_test *t, unsigned int i,
					   enum kvmdbg_event_type type, uint64_t pc)
{
	const struct kvmdbg_event *ev;
	int ret = kc_run(t, i, &ev);

	if (ret != KVMDBG_EXIT_EVENT || kvmdbg_event_get_type(ev) != type ||
	    kvmdbg_event_get_pc(ev) != pc) {
		g_autofree char *got = kc_result_str(t, i, ret, ev);

		g_test_message("vCPU %u: expected a %s event at pc 0x%" PRIx64 ", got %s", i,
			       kvmdbg_event_type_name(type), pc, got);
	}
	g_assert_cmpint(ret, ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpstr(kvmdbg_event_type_name(kvmdbg_event_get_type(ev)), ==,
			kvmdbg_event_type_name(type));
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, type);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, pc);
	return ev;
}

void kc_expect_exit(struct kc_test *t, unsigned int i,
		    bool (*match)(struct kc_guest *g, unsigned int i, uint64_t arg), uint64_t arg,
		    const char *what)
{
	const struct kvmdbg_event *ev;
	int ret = kc_run(t, i, &ev);

	if (ret != KVMDBG_EXIT_NOT_DEBUG || !match(&t->g, i, arg)) {
		g_autofree char *got = kc_result_str(t, i, ret, ev);

		g_test_message("vCPU %u: expected %s, got %s", i, what, got);
	}
	g_assert_cmpint(ret, ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(match(&t->g, i, arg));
}

bool kc_exit_completed(struct kc_test *t, unsigned int i, const char *what, uint64_t exit_pc,
		       uint64_t next_pc)
{
	uint64_t pc = kc_arch.pc(&t->g, i);

	if (pc != exit_pc && pc != next_pc)
		g_test_message("vCPU %u: after the %s at 0x%" PRIx64 " the guest is at 0x%" PRIx64,
			       i, what, exit_pc, pc);
	g_assert_true(pc == exit_pc || pc == next_pc);
	return pc == next_pc;
}

uint8_t *kc_memdup(const void *mem, size_t len)
{
	uint8_t *copy = g_malloc(len);

	memcpy(copy, mem, len);
	return copy;
}

void kc_assert_mem(struct kc_test *t, uint64_t gpa, const void *expect, size_t len)
{
	const uint8_t *want = expect;
	const uint8_t *have = kc_mem(&t->g, gpa);

	for (size_t k = 0; k < len; k++) {
		if (have[k] == want[k])
			continue;
		g_test_message("guest memory differs at gpa 0x%" PRIx64 ": 0x%02x, expected 0x%02x",
			       gpa + k, have[k], want[k]);
		g_assert_cmphex(have[k], ==, want[k]);
	}
}

int kc_probe_open(struct kc_probe *p)
{
	const char *err = NULL;
	int ret;

	ret = kc_guest_open(&p->g, &err);
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: %s: %s", err, strerror(-ret));
		return ret;
	}
	ret = kc_guest_add_vcpu(&p->g);
	if (ret < 0) {
		snprintf(p->why, p->size, "no usable KVM: cannot create a vCPU: %s",
			 strerror(-ret));
		kc_guest_close(&p->g);
		return ret;
	}
	return 0;
}

#define KC_PROBE_SECONDS 30

int kc_probe_run(struct kc_probe *p, const char *with)
{
	const char *sep = with ? ", " : "";
	int ret;

	/* generous: under TCG emulation with a loaded host a probe run has taken over 5 s */
	ret = kc_watchdog_start(&p->wd, KC_PROBE_SECONDS);
	if (ret < 0) {
		snprintf(p->why, p->size, "cannot arm the watchdog: %s", strerror(-ret));
		return ret;
	}
	ret = kc_guest_run(&p->g, 0);
	if (ret == -EINTR && kc_watchdog_expired(&p->wd))
		snprintf(p->why, p->size, "%s%s%sKVM_RUN did not return within %d s",
			 with ? "with " : "", with ? with : "", sep, KC_PROBE_SECONDS);
	else if (ret < 0)
		snprintf(p->why, p->size, "%s%s%sKVM_RUN failed: %s", with ? "with " : "",
			 with ? with : "", sep, strerror(-ret));
	kc_watchdog_stop(&p->wd);
	return ret;
}

int kc_probe_once(struct kc_probe_once *r, const char **ret_why)
{
	if (!r->done) {
		r->result = r->fn(r->why, sizeof(r->why));
		r->done = true;
		g_test_message("%s probe: %s", r->name, r->why);
	}
	*ret_why = r->why;
	return r->result;
}

struct kc_point kc_point(struct kvmdbg_vm *vm, uint64_t id)
{
	struct kvmdbg_point *p = NULL;
	struct kc_point r;

	g_assert_cmpint(kvmdbg_vm_get_point(vm, id, &p), ==, 0);
	r = (struct kc_point){
		.id = kvmdbg_point_get_id(p),
		.addr = kvmdbg_point_get_addr(p),
		.len = kvmdbg_point_get_len(p),
		.hits = kvmdbg_point_get_hit_count(p),
		.type = kvmdbg_point_get_type(p),
		.flags = kvmdbg_point_get_flags(p),
		.user_data = kvmdbg_point_get_user_data(p),
		.vcpu = kvmdbg_point_get_vcpu(p),
		.armed = kvmdbg_point_is_armed(p),
	};
	kvmdbg_point_free(p);
	return r;
}

uint64_t kc_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr)
{
	uint64_t id = 0;
	int ret = kvmdbg_vm_find(vm, type, addr, &id);

	if (ret == -ENOENT)
		return 0;
	g_assert_cmpint(ret, ==, 0);
	return id;
}
