/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 and ppc64 guest harness of the kvm suite, the parts both share: raw ioctls only (see
 * rguest.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "rguest.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

uint64_t rg_prog_addr(const struct rg_prog *prog, unsigned int label)
{
	if (label >= prog->nr_offs)
		abort();
	return RG_CODE + prog->offs[label];
}

size_t rg_prog_size(const struct rg_prog *prog)
{
	return (size_t)(prog->end - prog->start);
}

int rg_open(struct rguest *g, const char **ret_why)
{
	size_t stub = (size_t)(rg_arch_stub_end - rg_arch_stub);
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
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, (unsigned long)rg_arch_vm_type());
	if (g->vm_fd < 0) {
		ret = -errno;
#if defined(__powerpc64__)
		*ret_why = "KVM_CREATE_VM(KVM_VM_PPC_PR) failed (the harness runs KVM-PR guests)";
#else
		*ret_why = "KVM_CREATE_VM failed";
#endif
		goto fail;
	}
	g->mem = mmap(NULL, RG_MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g->mem == MAP_FAILED) {
		g->mem = NULL;
		ret = -errno;
		*ret_why = "cannot map guest memory";
		goto fail;
	}
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = RG_MEM_BASE,
		.memory_size = RG_MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)g->mem,
	};
	if (ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		*ret_why = "KVM_SET_USER_MEMORY_REGION failed";
		goto fail;
	}
	if (stub > RG_VECTOR_STRIDE)
		abort();
	for (uint64_t v = 0; v < RG_VECTORS_SIZE; v += RG_VECTOR_STRIDE)
		memcpy(rg_mem(g, RG_VECTORS + v), rg_arch_stub, stub);
	return 0;

fail:
	rg_close(g);
	return ret;
}

int rg_add_vcpu(struct rguest *g)
{
	struct rg_vcpu *v;
	int size, ret;

	if (g->nr_vcpus >= RG_MAX_VCPUS)
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
	ret = rg_arch_init_vcpu(g, g->nr_vcpus);
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

void rg_close(struct rguest *g)
{
	for (unsigned int i = 0; i < g->nr_vcpus; i++) {
		munmap(g->vcpus[i].run, g->vcpus[i].run_size);
		close(g->vcpus[i].fd);
	}
	g->nr_vcpus = 0;
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->mem)
		munmap(g->mem, RG_MEM_SIZE);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	g->mem = NULL;
	g->vm_fd = -1;
	g->kvm_fd = -1;
}

void rg_load(struct rguest *g, const struct rg_prog *prog)
{
	size_t size = rg_prog_size(prog);

	if (size > RG_CODE_MAX)
		abort();
	memcpy(rg_mem(g, RG_CODE), prog->start, size);
}

int rg_settle(struct rguest *g, unsigned int i)
{
	struct kvm_run *run = g->vcpus[i].run;
	int ret;

	if (run->exit_reason != KVM_EXIT_MMIO)
		return 0;
	run->immediate_exit = 1;
	ret = ioctl(g->vcpus[i].fd, KVM_RUN, 0) < 0 ? -errno : 0;
	run->immediate_exit = 0;
	if (ret != -EINTR)
		return ret < 0 ? ret : -EPROTO;
	/* settled: a second call does nothing */
	run->exit_reason = KVM_EXIT_INTR;
	return 0;
}

int rg_enter(struct rguest *g, unsigned int i, uint64_t pc)
{
	int ret = rg_settle(g, i);

	if (ret < 0)
		return ret;
	return rg_arch_enter(g, i, pc);
}

uint64_t rg_pc(struct rguest *g, unsigned int i)
{
	uint64_t pc;

	return rg_get_pc(g, i, &pc) < 0 ? ~0ull : pc;
}

uint64_t rg_gpr(struct rguest *g, unsigned int i, unsigned int n)
{
	uint64_t val = 0;

	g_assert_cmpint(rg_get_gpr(g, i, n, &val), ==, 0);
	return val;
}

int rg_get_one_reg(struct rguest *g, unsigned int i, uint64_t id, uint64_t *ret_val)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	/* the 32-bit registers the suite reads land in the low half (little-endian hosts) */
	if (ioctl(g->vcpus[i].fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	*ret_val = val;
	return 0;
}

int rg_set_one_reg(struct rguest *g, unsigned int i, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(g->vcpus[i].fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int rg_set_debug(struct rguest *g, unsigned int i, const struct kvm_guest_debug *dbg)
{
	return ioctl(g->vcpus[i].fd, KVM_SET_GUEST_DEBUG, dbg) < 0 ? -errno : 0;
}

int rg_run(struct rguest *g, unsigned int i)
{
	return ioctl(g->vcpus[i].fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

const char *rg_exit_str(struct rguest *g, unsigned int i, char *buf, size_t size)
{
	const struct kvm_run *run = g->vcpus[i].run;
	uint64_t pc = rg_pc(g, i);

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		snprintf(buf, size, "mmio %s of %u bytes at 0x%llx, pc 0x%llx",
			 run->mmio.is_write ? "write" : "read", run->mmio.len,
			 (unsigned long long)run->mmio.phys_addr, (unsigned long long)pc);
		break;
	case KVM_EXIT_DEBUG:
#if defined(__aarch64__)
		snprintf(buf, size, "debug exit, esr 0x%x (class 0x%x), far 0x%llx, pc 0x%llx",
			 run->debug.arch.hsr, run->debug.arch.hsr >> 26,
			 (unsigned long long)run->debug.arch.far, (unsigned long long)pc);
#else
		snprintf(buf, size, "debug exit, status 0x%x, address 0x%llx, pc 0x%llx",
			 run->debug.arch.status, (unsigned long long)run->debug.arch.address,
			 (unsigned long long)pc);
#endif
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, "internal error, suberror %u, pc 0x%llx",
			 run->internal.suberror, (unsigned long long)pc);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, "entry failure 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf, size, "system event %u", run->system_event.type);
		break;
	default:
		snprintf(buf, size, "exit reason %u, pc 0x%llx", run->exit_reason,
			 (unsigned long long)pc);
		break;
	}
	return buf;
}

bool rg_exit_is_mmio(struct rguest *g, unsigned int i, uint64_t port)
{
	const struct kvm_run *run = g->vcpus[i].run;

	return run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write && run->mmio.len == 4 &&
	       run->mmio.phys_addr == RG_MMIO + port;
}

static void do_nothing(int sig)
{
	(void)sig;
}

void rg_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = do_nothing;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the point is that KVM_RUN returns -EINTR. */
	sa.sa_flags = 0;
	sigaction(RG_SIG_WATCHDOG, &sa, NULL);
}

int rg_watchdog_start(struct rg_watchdog *w, unsigned int seconds)
{
	struct sigevent sev;
	struct itimerspec its;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = RG_SIG_WATCHDOG;
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

bool rg_watchdog_expired(const struct rg_watchdog *w)
{
	struct timespec now;

	if (!w->armed)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > w->deadline.tv_sec ||
	       (now.tv_sec == w->deadline.tv_sec && now.tv_nsec >= w->deadline.tv_nsec);
}

void rg_watchdog_stop(struct rg_watchdog *w)
{
	if (!w->armed)
		return;
	timer_delete(w->timer);
	w->armed = false;
}
