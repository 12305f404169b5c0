// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What this host's KVM really delivers.  kvmdbg_vm_has_feature() says what the kernel
 * accepts; some KVMs (a nested or paravirtual one such as PVM) accept a feature and never
 * report it. Each probe runs a tiny real-mode guest in a VM of its own, with the feature
 * set through libkvmdbg, and looks at what happens:
 *
 *	0x1000	nop
 *	0x1001	nop		<- breakpoints; the first step ends here
 *	0x1002	mov %ax, 0x3000		<- a write watchpoint on 0x3000
 *	0x1005	mov 0x3004, %ax		<- an access watchpoint on 0x3004
 *	0x1008	out %al, $0x10		the end
 *	0x100a	hlt
 *
 * Every interrupt vector leads to "out %al, $0x11; hlt", so an int3 that KVM does not
 * report shows up as the guest's own exception.  Real mode, because an int3 that KVM
 * neither reports nor can emulate wedges a protected-mode vCPU on some hosts, while in
 * real mode it simply goes to the guest's vector table.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stub.h"

#define PROBE_RAM 0x10000
#define PROBE_CODE 0x1000
#define PROBE_BP (PROBE_CODE + 1)
#define PROBE_HANDLER 0x1100
#define PROBE_WRITE_DATA 0x3000
#define PROBE_READ_DATA 0x3004
#define PROBE_PORT_END 0x10
#define PROBE_PORT_TRAP 0x11
#define PROBE_MAX_EXITS 16
#define PROBE_TIMEOUT_SEC 2

enum probe_kind {
	PROBE_STEP,
	PROBE_HW_BREAK,
	PROBE_SW_BREAK,
	PROBE_WATCH_WRITE,
	PROBE_WATCH_ACCESS,
};

static const char *const probe_names[] = {
	[PROBE_STEP] = "single-step",
	[PROBE_HW_BREAK] = "a hardware breakpoint",
	[PROBE_SW_BREAK] = "a software breakpoint (int3)",
	[PROBE_WATCH_WRITE] = "a write watchpoint",
	[PROBE_WATCH_ACCESS] = "an access watchpoint",
};

struct probe_vm {
	int vm_fd;
	int vcpu_fd;
	uint8_t *ram;
	struct kvm_run *run;
	size_t run_size;
	struct kvmdbg_vm *dbg;
	struct kvmdbg_vcpu *vcpu;
};

static struct kvm_run *volatile alarm_run;

static void on_alarm(int sig)
{
	(void)sig;
	if (alarm_run)
		alarm_run->immediate_exit = 1;
}

static void probe_close(struct probe_vm *p)
{
	kvmdbg_vcpu_free(p->vcpu);
	kvmdbg_vm_free(p->dbg);
	if (p->run)
		munmap(p->run, p->run_size);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->ram)
		munmap(p->ram, PROBE_RAM);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
}

static int probe_open(struct probe_vm *p, int kvm_fd)
{
	static const uint8_t code[] = {
		0x90,			    /* nop */
		0x90,			    /* nop */
		0xa3, 0x00,	      0x30, /* mov %ax, 0x3000 */
		0xa1, 0x04,	      0x30, /* mov 0x3004, %ax */
		0xe6, PROBE_PORT_END,	    /* out %al, $0x10 */
		0xf4,			    /* hlt */
	};
	static const uint8_t handler[] = { 0xe6, PROBE_PORT_TRAP, 0xf4 };
	struct kvm_userspace_memory_region region = { .memory_size = PROBE_RAM };
	struct kvm_regs regs = { .rip = PROBE_CODE, .rsp = 0x8000, .rflags = 0x2 };
	struct kvm_sregs sregs;
	int size;

	memset(p, 0, sizeof(*p));
	p->vm_fd = p->vcpu_fd = -1;
	p->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (p->vm_fd < 0)
		return -errno;
	/* real mode on Intel hosts without unrestricted guests needs it */
	(void)ioctl(p->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	p->ram = mmap(NULL, PROBE_RAM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->ram == MAP_FAILED) {
		p->ram = NULL;
		return -errno;
	}
	memcpy(p->ram + PROBE_CODE, code, sizeof(code));
	memcpy(p->ram + PROBE_HANDLER, handler, sizeof(handler));
	for (unsigned int v = 0; v < 256; v++) {
		uint16_t entry[2] = { PROBE_HANDLER, 0 };

		memcpy(p->ram + 4 * v, entry, sizeof(entry));
	}
	region.userspace_addr = (uintptr_t)p->ram;
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	p->vcpu_fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0UL);
	if (p->vcpu_fd < 0)
		return -errno;
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return size < 0 ? -errno : -EPROTO;
	p->run_size = (size_t)size;
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu_fd,
		      0);
	if (p->run == MAP_FAILED) {
		p->run = NULL;
		return -errno;
	}
	/* real mode, every segment at base 0: linear addresses are physical ones */
	if (ioctl(p->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	sregs.cs.base = sregs.ds.base = sregs.es.base = 0;
	sregs.fs.base = sregs.gs.base = sregs.ss.base = 0;
	sregs.cs.selector = sregs.ds.selector = sregs.es.selector = 0;
	sregs.fs.selector = sregs.gs.selector = sregs.ss.selector = 0;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	if (kvmdbg_vm_new(p->vm_fd, &p->dbg) < 0 ||
	    kvmdbg_vm_add_memory(p->dbg, 0, PROBE_RAM, p->ram) < 0 ||
	    kvmdbg_vcpu_new(p->dbg, p->vcpu_fd, p->run, &p->vcpu) < 0)
		return -ENOMEM;
	return 0;
}

/* Set the feature up in a fresh probe VM; 0, or -errno with *why said. */
static int probe_arm(struct probe_vm *p, enum probe_kind kind, char *why, size_t size)
{
	int ret;

	switch (kind) {
	case PROBE_STEP:
		ret = kvmdbg_vcpu_set_single_step(p->vcpu, true);
		break;
	case PROBE_HW_BREAK:
		ret = kvmdbg_vm_insert(p->dbg, KVMDBG_POINT_HW_BREAK, PROBE_BP, 1, 0,
				       NULL, NULL);
		break;
	case PROBE_SW_BREAK:
		ret = kvmdbg_vm_insert(p->dbg, KVMDBG_POINT_SW_BREAK, PROBE_BP, 1, 0,
				       NULL, NULL);
		break;
	case PROBE_WATCH_WRITE:
		ret = kvmdbg_vm_insert(p->dbg, KVMDBG_POINT_WATCH_WRITE, PROBE_WRITE_DATA,
				       2, 0, NULL, NULL);
		break;
	default:
		ret = kvmdbg_vm_insert(p->dbg, KVMDBG_POINT_WATCH_ACCESS, PROBE_READ_DATA,
				       2, 0, NULL, NULL);
		break;
	}
	if (ret == -EOPNOTSUPP)
		snprintf(why, size, "the kernel does not offer %s (libkvmdbg: %s)",
			 probe_names[kind], strerror(-ret));
	else if (ret < 0)
		snprintf(why, size, "cannot set %s up: %s", probe_names[kind],
			 strerror(-ret));
	return ret;
}

static bool expected_event(enum probe_kind kind, const struct kvmdbg_event *ev)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t pc = kvmdbg_event_get_pc(ev);

	switch (kind) {
	case PROBE_STEP:
		return type == KVMDBG_EVENT_STEP && pc == PROBE_BP;
	case PROBE_HW_BREAK:
		return type == KVMDBG_EVENT_HW_BREAKPOINT && pc == PROBE_BP;
	case PROBE_SW_BREAK:
		return type == KVMDBG_EVENT_SW_BREAKPOINT && pc == PROBE_BP;
	default:
		return type == KVMDBG_EVENT_WATCHPOINT;
	}
}

static bool guest_out(const struct probe_vm *p, uint16_t port)
{
	return p->run->exit_reason == KVM_EXIT_IO && p->run->io.port == port;
}

/* Run the probe guest until the first event or its end; 1 if delivered, 0 if not. */
static int probe_run(struct probe_vm *p, enum probe_kind kind, char *why, size_t size)
{
	const char *what = probe_names[kind];
	int ret = 0;

	alarm_run = p->run;
	for (int n = 0; n < PROBE_MAX_EXITS; n++) {
		const struct kvmdbg_event *ev;
		int run;

		ret = kvmdbg_vcpu_pre_run(p->vcpu);
		if (ret < 0) {
			snprintf(why, size, "kvmdbg_vcpu_pre_run: %s", strerror(-ret));
			ret = 0;
			goto out;
		}
		alarm(PROBE_TIMEOUT_SEC);
		run = ioctl(p->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		alarm(0);
		ret = kvmdbg_vcpu_handle_exit(p->vcpu, run, &ev);
		if (ret == KVMDBG_EXIT_RESUME)
			continue;
		if (ret == KVMDBG_EXIT_EVENT) {
			const char *name =
				kvmdbg_event_type_name(kvmdbg_event_get_type(ev));
			uint64_t pc = kvmdbg_event_get_pc(ev);

			ret = expected_event(kind, ev);
			snprintf(why, size, "%s %sgave a %s event at 0x%" PRIx64, what,
				 ret ? "in a real-mode guest " : "", name, pc);
			goto out;
		}
		if (ret < 0) {
			snprintf(why, size, "KVM_RUN %s",
				 ret == -EINTR ? "did not return in time"
					       : strerror(-ret));
			ret = 0;
			goto out;
		}
		/* an exit of the guest's own: the feature did not stop it */
		ret = 0;
		if (guest_out(p, PROBE_PORT_END))
			snprintf(why, size,
				 "KVM accepts %s but did not report it: "
				 "the guest ran to its end",
				 what);
		else if (guest_out(p, PROBE_PORT_TRAP))
			snprintf(why, size,
				 "KVM accepts %s but did not report it: "
				 "the guest's own exception handler ran",
				 what);
		else
			snprintf(why, size, "%s ended in KVM exit reason %u", what,
				 p->run->exit_reason);
		goto out;
	}
	snprintf(why, size, "%s: the probe guest did not stop", what);
	ret = 0;
out:
	alarm_run = NULL;
	return ret;
}

static bool probe(int kvm_fd, enum probe_kind kind, char *why, size_t size)
{
	struct probe_vm p;
	int ret;

	ret = probe_open(&p, kvm_fd);
	if (ret < 0) {
		snprintf(why, size, "cannot build a probe VM: %s", strerror(-ret));
		probe_close(&p);
		return false;
	}
	ret = probe_arm(&p, kind, why, size);
	if (ret == 0)
		ret = probe_run(&p, kind, why, size);
	probe_close(&p);
	return ret == 1;
}

int probe_host(struct caps *caps, char *why, size_t size)
{
	struct sigaction sa, old;
	struct probe_vm p;
	int kvm_fd, ret;

	memset(caps, 0, sizeof(*caps));
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		snprintf(why, size, "cannot open /dev/kvm: %s", strerror(errno));
		return EXIT_SKIP;
	}
	/* no SA_RESTART: the alarm makes a KVM_RUN that hangs fail with EINTR */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old);

	ret = probe_open(&p, kvm_fd);
	if (ret == 0)
		caps->hw_slots = kvmdbg_vm_get_hw_slots(p.dbg, false);
	probe_close(&p);
	if (ret < 0) {
		snprintf(why, size, "cannot build a VM: %s", strerror(-ret));
		ret = EXIT_SKIP;
		goto out;
	}
	caps->step = probe(kvm_fd, PROBE_STEP, caps->why_step, sizeof(caps->why_step));
	caps->hw_break = probe(kvm_fd, PROBE_HW_BREAK, caps->why_hw_break,
			       sizeof(caps->why_hw_break));
	caps->sw_break = probe(kvm_fd, PROBE_SW_BREAK, caps->why_sw_break,
			       sizeof(caps->why_sw_break));
	caps->watch_write = probe(kvm_fd, PROBE_WATCH_WRITE, caps->why_watch_write,
				  sizeof(caps->why_watch_write));
	caps->watch_access = probe(kvm_fd, PROBE_WATCH_ACCESS, caps->why_watch_access,
				   sizeof(caps->why_watch_access));
	ret = 0;
out:
	sigaction(SIGALRM, &old, NULL);
	close(kvm_fd);
	return ret;
}
