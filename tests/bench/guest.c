// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A real-mode guest built with raw ioctls (no libkvmdbg), as tests/kvm does it: one 64 KiB
 * memory slot at guest-physical 0, one vCPU with CS.base 0, so that IP, linear address and
 * guest-physical address are one number.  Real mode because this host's KVM (PVM) emulates it,
 * and emulated code is where single-step and hardware breakpoints exit at all
 * (research/host-kvm.md); it needs no tables either.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench.h"

/* inc %ax; jmp to the inc: every step exit alternates between the two */
static const uint8_t step_loop[] = { 0x40, 0xeb, 0xfd };
/* nop; nop; hlt: a probe that did not get its debug exit ends at the hlt, not in a loop */
static const uint8_t probe[] = { 0x90, 0x90, 0xf4 };

int guest_open(struct guest *g, const char **ret_why)
{
	struct kvm_userspace_memory_region region;
	int size, ret;

	memset(g, 0, sizeof(*g));
	g->kvm_fd = g->vm_fd = g->vcpu_fd = -1;
	g->run = MAP_FAILED;
	g->mem = MAP_FAILED;

	g->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (g->kvm_fd < 0) {
		ret = -errno;
		*ret_why = errno == ENOENT ? "no /dev/kvm" : "/dev/kvm cannot be opened";
		goto fail;
	}
	if (ioctl(g->kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		ret = -EINVAL;
		*ret_why = "/dev/kvm has another KVM API version";
		goto fail;
	}
	g->vm_fd = ioctl(g->kvm_fd, KVM_CREATE_VM, 0);
	if (g->vm_fd < 0) {
		ret = -errno;
		*ret_why = "KVM_CREATE_VM failed";
		goto fail;
	}
	g->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0);
	if (g->mem == MAP_FAILED) {
		ret = -errno;
		*ret_why = "no memory for the guest";
		goto fail;
	}
	memcpy(g->mem + GUEST_STEP_LOOP, step_loop, sizeof(step_loop));
	memcpy(g->mem + GUEST_PROBE, probe, sizeof(probe));
	/* Intel without unrestricted guest runs real mode through a TSS KVM keeps here */
	(void)ioctl(g->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	region = (struct kvm_userspace_memory_region){
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)g->mem,
	};
	if (ioctl(g->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		ret = -errno;
		*ret_why = "KVM_SET_USER_MEMORY_REGION failed";
		goto fail;
	}
	g->vcpu_fd = ioctl(g->vm_fd, KVM_CREATE_VCPU, 0);
	if (g->vcpu_fd < 0) {
		ret = -errno;
		*ret_why = "KVM_CREATE_VCPU failed";
		goto fail;
	}
	size = ioctl(g->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(*g->run)) {
		ret = size < 0 ? -errno : -EINVAL;
		*ret_why = "KVM_GET_VCPU_MMAP_SIZE failed";
		goto fail;
	}
	g->run_size = (size_t)size;
	g->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, g->vcpu_fd, 0);
	if (g->run == MAP_FAILED) {
		ret = -errno;
		*ret_why = "the vCPU's kvm_run cannot be mapped";
		goto fail;
	}
	return 0;

fail:
	guest_close(g);
	return ret;
}

void guest_close(struct guest *g)
{
	if (g->run != MAP_FAILED && g->run)
		munmap(g->run, g->run_size);
	if (g->vcpu_fd >= 0)
		close(g->vcpu_fd);
	if (g->mem != MAP_FAILED && g->mem)
		munmap(g->mem, GUEST_MEM_SIZE);
	if (g->vm_fd >= 0)
		close(g->vm_fd);
	if (g->kvm_fd >= 0)
		close(g->kvm_fd);
	memset(g, 0, sizeof(*g));
	g->kvm_fd = g->vm_fd = g->vcpu_fd = -1;
}

int guest_enter(struct guest *g, uint16_t ip)
{
	struct kvm_segment seg = {
		.limit = 0xffff,
		.type = 3,
		.present = 1,
		.s = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(g->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
	sregs.cs = seg;
	sregs.cs.type = 0xb;
	sregs.cr0 = 0x30; /* ET, NE; PE off: real mode */
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(g->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rflags = 0x2;
	regs.rsp = 0xf000;
	if (ioctl(g->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	return 0;
}

int guest_run(struct guest *g)
{
	return ioctl(g->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

int guest_set_debug(struct guest *g, uint32_t control, uint64_t dr0, uint64_t dr7)
{
	struct kvm_guest_debug dbg;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	dbg.arch.debugreg[0] = dr0;
	dbg.arch.debugreg[7] = dr7;
	return ioctl(g->vcpu_fd, KVM_SET_GUEST_DEBUG, &dbg) < 0 ? -errno : 0;
}

const char *guest_exit_str(struct guest *g, char *buf, size_t size)
{
	const struct kvm_run *run = g->run;

	switch (run->exit_reason) {
	case KVM_EXIT_DEBUG:
		snprintf(buf, size, "KVM_EXIT_DEBUG exception %u pc 0x%llx dr6 0x%llx",
			 run->debug.arch.exception, (unsigned long long)run->debug.arch.pc,
			 (unsigned long long)run->debug.arch.dr6);
		break;
	case KVM_EXIT_HLT:
		snprintf(buf, size, "KVM_EXIT_HLT (the guest ran past the point)");
		break;
	case KVM_EXIT_INTR:
		snprintf(buf, size, "no exit within the watchdog's time");
		break;
	default:
		snprintf(buf, size, "exit reason %u", run->exit_reason);
		break;
	}
	return buf;
}

static void on_alarm(int sig)
{
	(void)sig;
}

void guest_watchdog(unsigned int seconds)
{
	static bool installed;
	struct itimerval it = { .it_value = { .tv_sec = seconds } };

	if (!installed) {
		/* no SA_RESTART: the signal makes a KVM_RUN that never exits return -EINTR */
		struct sigaction sa = { .sa_handler = on_alarm };

		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		installed = true;
	}
	/* then every 100 ms, so that a KVM_RUN entered after the first one is cut short too */
	if (seconds)
		it.it_interval.tv_usec = 100000;
	setitimer(ITIMER_REAL, &it, NULL);
}
