// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmdbg-demo: a first tour of libkvmdbg.
 *
 * This program is a tiny VMM.  It creates a KVM VM, loads a small real-mode guest that
 * is built into this file, attaches libkvmdbg to the VM and its vCPU, and then:
 *
 *   1. sets a breakpoint on a guest function (software where this host delivers software
 *      breakpoints, which kvmdbg_vm_probe() finds out, hardware elsewhere; --sw or --hw
 *      choose),
 *   2. runs the guest to it and prints the event,
 *   3. single-steps a few instructions,
 *   4. sets a write watchpoint on a guest variable,
 *   5. continues to the end and prints how often each point fired.
 *
 * The VMM stays in charge: it opens /dev/kvm, owns every file descriptor and calls
 * KVM_RUN itself.  libkvmdbg turns the debug state into KVM_SET_GUEST_DEBUG before each
 * run, and the exit after it into an event.
 *
 * Exit status: 0 on success, 1 on error, 77 ("skipped") when there is no usable KVM.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <kvmdbg/kvmdbg.h>

#define EXIT_SKIP 77

/* Guest memory.  Real mode with every segment base 0: linear = physical addresses. */
#define GUEST_RAM_SIZE	0x10000	/* 64 KiB at guest-physical 0; the IVT is at 0 */
#define GUEST_CODE	0x1000	/* the guest code is copied here and starts here */
#define GUEST_COUNTER	0x3000	/* u16, incremented by the main loop */
#define GUEST_TOTAL	0x3002	/* u16, add_bonus() adds the counter to it */
#define GUEST_STATUS	0x3004	/* u16, 0x600d at the end: the watched variable */
#define GUEST_STACK	0x8000
#define DONE_PORT	0x10	/* the guest writes here when it is done */
#define TRAP_PORT	0x11	/* ... and here when it takes an exception itself */

#define LOOP_COUNT	3
#define STEP_COUNT	4
#define MAX_EXITS	1000	/* a run of this demo needs a dozen or two */
#define RUN_TIMEOUT_SEC	5	/* a KVM_RUN longer than this means the guest is stuck */

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * The guest, assembled by the compiler as 16-bit code.  Jumps and calls are relative
 * and data addresses are constants, so the bytes run wherever they are copied.
 */
__asm__(
	".pushsection .rodata.kvmdbg_demo_guest, \"a\"\n"
	".globl guest_start, guest_add_bonus, guest_trap, guest_end\n"
	".hidden guest_start, guest_add_bonus, guest_trap, guest_end\n"
	".code16\n"
	"guest_start:\n"
	"	mov $" STR(LOOP_COUNT) ", %cx\n"
	"1:	incw " STR(GUEST_COUNTER) "\n"		/* counter++ */
	"	call guest_add_bonus\n"
	"	loop 1b\n"
	"	movw $0x600d, " STR(GUEST_STATUS) "\n"	/* the watched write */
	"	out %al, $" STR(DONE_PORT) "\n"
	"2:	hlt\n"
	"	jmp 2b\n"
	"guest_add_bonus:\n"				/* total += counter */
	"	mov " STR(GUEST_COUNTER) ", %ax\n"
	"	add %ax, " STR(GUEST_TOTAL) "\n"
	"	ret\n"
	"guest_trap:\n"				/* every interrupt vector */
	"	out %al, $" STR(TRAP_PORT) "\n"
	"3:	hlt\n"
	"	jmp 3b\n"
	"guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char guest_start[], guest_add_bonus[], guest_trap[], guest_end[];

/* The guest address of a label of the guest code. */
#define GUEST_ADDR(label) (GUEST_CODE + (uint64_t)((label) - guest_start))

struct demo {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	uint8_t *ram;
	struct kvm_run *run;
	size_t run_size;
	struct kvmdbg_vm *dbg_vm;
	struct kvmdbg_vcpu *dbg_vcpu;
	unsigned int exits;
};

/* What run_vcpu() stopped for. */
enum stop {
	STOP_EVENT,		/* a debug event from libkvmdbg */
	STOP_HALT,		/* the guest executed hlt */
	STOP_GUEST_TRAP,	/* the guest took an exception itself */
};

static volatile sig_atomic_t run_timed_out;
static struct kvm_run *volatile alarm_run;

static void on_alarm(int sig)
{
	run_timed_out = 1;
	/* Should the alarm come just before KVM_RUN, KVM_RUN still returns at once. */
	if (alarm_run)
		alarm_run->immediate_exit = 1;
}

/* Print "what: error" for a negative errno.  Returns ret unchanged. */
static int check(int ret, const char *what)
{
	if (ret < 0)
		fprintf(stderr, "%s: %s\n", what, strerror(-ret));
	return ret;
}

static int kvm_ioctl(int fd, unsigned long request, void *arg, const char *what)
{
	int ret = ioctl(fd, request, arg);

	return check(ret < 0 ? -errno : ret, what);
}

static uint16_t guest_read_u16(const struct demo *d, uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, d->ram + gpa, sizeof(v));
	return v;
}

static void guest_write_u16(struct demo *d, uint64_t gpa, uint16_t v)
{
	memcpy(d->ram + gpa, &v, sizeof(v));
}

/* What kvmdbg_vm_get_support() says of a feature, in words. */
static const char *support(struct kvmdbg_vm *vm, enum kvmdbg_feature feature)
{
	switch (kvmdbg_vm_get_support(vm, feature)) {
	case KVMDBG_SUPPORT_DELIVERED:
		return "yes";
	case KVMDBG_SUPPORT_NOT_DELIVERED:
		return "no (accepted, not delivered)";
	case KVMDBG_SUPPORT_ACCEPTED:
		return "accepted (not probed)";
	default:
		return "no";
	}
}

/* "<add_bonus+3>" for a pc inside the guest code, "" elsewhere. */
static const char *guest_symbol(uint64_t pc)
{
	static const struct {
		const char *name;
		const unsigned char *label;
	} labels[] = {
		{ "main", guest_start },
		{ "add_bonus", guest_add_bonus },
		{ "trap", guest_trap },
	};
	static char buf[48];
	const char *name = NULL;
	uint64_t base = 0;

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (pc >= GUEST_ADDR(labels[i].label) && pc < GUEST_ADDR(guest_end)) {
			name = labels[i].name;
			base = GUEST_ADDR(labels[i].label);
		}
	}
	if (!name)
		return "";
	if (pc == base)
		snprintf(buf, sizeof(buf), "<%s>", name);
	else
		snprintf(buf, sizeof(buf), "<%s+%" PRIu64 ">", name, pc - base);
	return buf;
}

static const char *point_type_name(enum kvmdbg_point_type type)
{
	static const char *const names[] = {
		[KVMDBG_POINT_SW_BREAK] = "sw-break",
		[KVMDBG_POINT_HW_BREAK] = "hw-break",
		[KVMDBG_POINT_WATCH_WRITE] = "watch-write",
		[KVMDBG_POINT_WATCH_READ] = "watch-read",
		[KVMDBG_POINT_WATCH_ACCESS] = "watch-access",
	};

	return (unsigned int)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

static void print_event(const struct kvmdbg_event *ev)
{
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	/* what an event says about its point is a copy: valid even if the point is gone */
	bool point = kvmdbg_event_get_point_id(ev) != 0;
	uint64_t pc = kvmdbg_event_get_pc(ev);
	int slot = kvmdbg_event_get_slot(ev);
	uint64_t data_addr;

	printf("[vcpu0] %-14s pc=0x%016" PRIx64 " %-*s", kvmdbg_event_type_name(type), pc,
	       point || slot >= 0 ? 15 : 0, guest_symbol(pc));
	if (slot >= 0)
		printf(" slot=%d", slot);
	if (point)
		printf(" point=%s@0x%" PRIx64 " hits=%" PRIu64,
		       point_type_name(kvmdbg_event_get_point_type(ev)),
		       kvmdbg_event_get_point_addr(ev), kvmdbg_event_get_hit_count(ev));
	if (kvmdbg_event_get_data_addr(ev, &data_addr) == 0)
		printf(" data=0x%" PRIx64, data_addr);
	putchar('\n');
}

/*
 * The run loop, as kvmdbg.h documents it.  Runs until libkvmdbg reports an event or the
 * guest stops; ordinary exits (the guest's port I/O) are handled here, as in any VMM.
 * Returns an enum stop, or a negative errno after printing why.
 */
static int run_vcpu(struct demo *d, const struct kvmdbg_event **ret_ev)
{
	struct kvm_run *run = d->run;

	for (;;) {
		int ret;

		if (++d->exits > MAX_EXITS) {
			fprintf(stderr, "still running after %d exits\n", MAX_EXITS);
			return -ETIMEDOUT;
		}

		ret = check(kvmdbg_vcpu_pre_run(d->dbg_vcpu), "kvmdbg_vcpu_pre_run");
		if (ret < 0)
			return ret;

		alarm(RUN_TIMEOUT_SEC);
		ret = ioctl(d->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		alarm(0);

		ret = kvmdbg_vcpu_handle_exit(d->dbg_vcpu, ret, ret_ev);
		if (ret == -EINTR && run_timed_out) {
			fprintf(stderr, "KVM_RUN: no exit in %d s\n", RUN_TIMEOUT_SEC);
			return -ETIMEDOUT;
		}
		if (check(ret, "KVM_RUN") < 0)
			return ret;
		if (ret == KVMDBG_EXIT_EVENT)
			return STOP_EVENT;
		if (ret == KVMDBG_EXIT_RESUME)
			continue;

		/* KVMDBG_EXIT_NOT_DEBUG: handled as if the library were not there. */
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			return STOP_HALT;
		case KVM_EXIT_IO:
			if (run->io.port == DONE_PORT) {
				printf("[vcpu0] guest says it is done\n");
				continue;
			}
			if (run->io.port == TRAP_PORT)
				return STOP_GUEST_TRAP;
			fprintf(stderr, "unexpected I/O on port 0x%x\n", run->io.port);
			return -EIO;
		case KVM_EXIT_INTERNAL_ERROR:
			fprintf(stderr, "KVM internal error, suberror %u\n",
				run->internal.suberror);
			return -EIO;
		default:
			fprintf(stderr, "unexpected exit reason %u\n", run->exit_reason);
			return -EIO;
		}
	}
}

/*
 * Open /dev/kvm and build the VM: guest RAM with the guest code, one vCPU in real mode
 * at the guest's first instruction.  Returns 0, EXIT_SKIP when KVM is missing or
 * unusable, or a negative errno.
 */
static int setup_vm(struct demo *d)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = GUEST_RAM_SIZE,
	};
	struct kvm_regs regs = {
		.rip = GUEST_CODE,
		.rsp = GUEST_STACK,
		.rflags = 0x2,	/* bit 1 is always set; interrupts off */
	};
	struct kvm_sregs sregs;
	int ret;

	d->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (d->kvm_fd < 0) {
		fprintf(stderr, "skip: cannot open /dev/kvm: %s\n", strerror(errno));
		return EXIT_SKIP;
	}
	ret = ioctl(d->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		fprintf(stderr, "skip: /dev/kvm has API version %d, not %d\n", ret,
			KVM_API_VERSION);
		return EXIT_SKIP;
	}
	d->vm_fd = ioctl(d->kvm_fd, KVM_CREATE_VM, 0);
	if (d->vm_fd < 0) {
		fprintf(stderr, "skip: KVM_CREATE_VM: %s\n", strerror(errno));
		return EXIT_SKIP;
	}

	d->ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (d->ram == MAP_FAILED) {
		d->ram = NULL;
		return check(-errno, "mmap guest RAM");
	}
	memcpy(d->ram + GUEST_CODE, guest_start, (size_t)(guest_end - guest_start));
	/* The real-mode interrupt vector table: every vector is 0000:guest_trap. */
	for (int v = 0; v < 256; v++) {
		guest_write_u16(d, 4 * v, (uint16_t)GUEST_ADDR(guest_trap));
		guest_write_u16(d, 4 * v + 2, 0);
	}
	region.userspace_addr = (uintptr_t)d->ram;
	ret = kvm_ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &region,
			"KVM_SET_USER_MEMORY_REGION");
	if (ret < 0)
		return ret;

	ret = kvm_ioctl(d->vm_fd, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	if (ret < 0)
		return ret;
	d->vcpu_fd = ret;
	ret = kvm_ioctl(d->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	if (ret < 0)
		return ret;
	d->run_size = (size_t)ret;
	d->run = mmap(NULL, d->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, d->vcpu_fd,
		      0);
	if (d->run == MAP_FAILED) {
		d->run = NULL;
		return check(-errno, "mmap kvm_run");
	}

	/* Every segment at base 0: guest-linear addresses equal guest-physical ones. */
	ret = kvm_ioctl(d->vcpu_fd, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS");
	if (ret < 0)
		return ret;
	sregs.cs.base = sregs.ds.base = sregs.es.base = 0;
	sregs.fs.base = sregs.gs.base = sregs.ss.base = 0;
	sregs.cs.selector = sregs.ds.selector = sregs.es.selector = 0;
	sregs.fs.selector = sregs.gs.selector = sregs.ss.selector = 0;
	ret = kvm_ioctl(d->vcpu_fd, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS");
	if (ret < 0)
		return ret;
	return kvm_ioctl(d->vcpu_fd, KVM_SET_REGS, &regs, "KVM_SET_REGS");
}

static void usage(const char *prog)
{
	printf("Usage: %s [--sw | --hw] [--help]\n"
	       "\n"
	       "Runs a tiny built-in real-mode guest under KVM and debugs it with\n"
	       "libkvmdbg: a breakpoint, single-steps, a write watchpoint, hit counts.\n"
	       "The breakpoint is a software one where this host delivers them (the\n"
	       "library's probe finds out), else a hardware one.\n"
	       "\n"
	       "  --sw    use a software breakpoint (int3 in guest memory) whatever the\n"
	       "          probe says; some KVMs (PVM) accept it but never report it\n"
	       "  --hw    use a hardware breakpoint (a debug register)\n"
	       "  --help  show this help\n"
	       "\n"
	       "Exit status: 0 success, 1 error, 77 no usable KVM (skipped).\n", prog);
}

int main(int argc, char **argv)
{
	struct demo d = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	int bp_type = -1; /* enum kvmdbg_point_type, or -1: the best this host delivers */
	uint64_t func = GUEST_ADDR(guest_add_bonus);
	uint64_t bp = 0, wp = 0;
	struct kvmdbg_point *info;
	const struct kvmdbg_event *ev;
	struct sigaction sa = { 0 };
	bool watch_fired = false;
	int status = EXIT_FAILURE;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--sw")) {
			bp_type = KVMDBG_POINT_SW_BREAK;
		} else if (!strcmp(argv[i], "--hw")) {
			bp_type = KVMDBG_POINT_HW_BREAK;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(argv[0]);
			return EXIT_SUCCESS;
		} else {
			fprintf(stderr, "unknown option '%s' (try --help)\n", argv[i]);
			return EXIT_FAILURE;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);	/* stdout and stderr in order in logs */
	/* No SA_RESTART: the alarm must make a stuck KVM_RUN return -EINTR. */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	printf("libkvmdbg %s demo\n", kvmdbg_version_string());
	ret = setup_vm(&d);
	if (ret == EXIT_SKIP)
		status = EXIT_SKIP;
	if (ret != 0)
		goto cleanup;
	alarm_run = d.run;

	/* Attach the debugger: the VM, its RAM (for software breakpoints), the vCPU. */
	ret = kvmdbg_vm_new(d.vm_fd, &d.dbg_vm);
	if (check(ret, "kvmdbg_vm_new") < 0)
		goto cleanup;
	ret = kvmdbg_vm_add_memory(d.dbg_vm, 0, GUEST_RAM_SIZE, d.ram);
	if (check(ret, "kvmdbg_vm_add_memory") < 0)
		goto cleanup;
	ret = kvmdbg_vcpu_new(d.dbg_vm, d.vcpu_fd, d.run, &d.dbg_vcpu);
	if (check(ret, "kvmdbg_vcpu_new") < 0)
		goto cleanup;
	if (kvmdbg_vm_has_feature(d.dbg_vm, KVMDBG_FEATURE_GUEST_DEBUG) != 1) {
		fprintf(stderr, "skip: this KVM has no guest debugging\n");
		status = EXIT_SKIP;
		goto cleanup;
	}
	/*
	 * What the kernel accepts is not always what it delivers (a nested or paravirtual
	 * KVM may take software breakpoints and never report the guest's int3): the probe
	 * runs a tiny guest per feature in a throwaway VM and finds out.
	 */
	ret = kvmdbg_vm_probe(d.dbg_vm, d.kvm_fd);
	if (check(ret, "kvmdbg_vm_probe") < 0)
		goto cleanup;
	printf("this host delivers: single-step %s, sw breakpoints %s, "
	       "hw breakpoints %s (%d slots), write watchpoints %s\n",
	       support(d.dbg_vm, KVMDBG_FEATURE_SINGLE_STEP),
	       support(d.dbg_vm, KVMDBG_FEATURE_SW_BREAKPOINT),
	       support(d.dbg_vm, KVMDBG_FEATURE_HW_BREAKPOINT),
	       kvmdbg_vm_get_hw_slots(d.dbg_vm, false),
	       support(d.dbg_vm, KVMDBG_FEATURE_WATCH_WRITE));
	if (bp_type < 0)
		bp_type = kvmdbg_vm_get_support(d.dbg_vm, KVMDBG_FEATURE_SW_BREAKPOINT) ==
					  KVMDBG_SUPPORT_DELIVERED
				  ? KVMDBG_POINT_SW_BREAK
				  : KVMDBG_POINT_HW_BREAK;

	/* 1. A breakpoint on add_bonus(). */
	ret = kvmdbg_vm_insert(d.dbg_vm, (enum kvmdbg_point_type)bp_type, func, 0, 0, NULL, &bp);
	if (check(ret, "kvmdbg_vm_insert (breakpoint)") < 0)
		goto cleanup;
	printf("\n1. %s breakpoint at 0x%" PRIx64 " <add_bonus>\n",
	       bp_type == KVMDBG_POINT_HW_BREAK ? "hardware" : "software", func);

	/* 2. Run to it. */
	printf("2. run\n");
	ret = run_vcpu(&d, &ev);
	if (ret == STOP_GUEST_TRAP && bp_type == KVMDBG_POINT_SW_BREAK) {
		printf("the guest took the breakpoint exception itself: this KVM accepts\n"
		       "software breakpoints but does not report them (the probe says: %s);\n"
		       "run without --sw\n",
		       support(d.dbg_vm, KVMDBG_FEATURE_SW_BREAKPOINT));
		status = EXIT_SKIP;
		goto cleanup;
	}
	if (ret == STOP_GUEST_TRAP || ret == STOP_HALT)
		fprintf(stderr, "the guest %s before the breakpoint\n",
			ret == STOP_HALT ? "halted" : "took an exception");
	if (ret != STOP_EVENT)
		goto cleanup;
	print_event(ev);

	/* 3. Single-step; the first step also takes the vCPU past the breakpoint. */
	printf("3. single-step %d instructions\n", STEP_COUNT);
	ret = kvmdbg_vcpu_set_single_step(d.dbg_vcpu, true);
	if (check(ret, "kvmdbg_vcpu_set_single_step") < 0)
		goto cleanup;
	for (int i = 0; i < STEP_COUNT; i++) {
		ret = run_vcpu(&d, &ev);
		if (ret >= 0 && ret != STOP_EVENT)
			fprintf(stderr, "the guest stopped while single-stepping\n");
		if (ret != STOP_EVENT)
			goto cleanup;
		print_event(ev);
	}
	ret = kvmdbg_vcpu_set_single_step(d.dbg_vcpu, false);
	if (check(ret, "kvmdbg_vcpu_set_single_step") < 0)
		goto cleanup;

	/* 4. A write watchpoint on the status variable. */
	ret = kvmdbg_vm_insert(d.dbg_vm, KVMDBG_POINT_WATCH_WRITE, GUEST_STATUS, 2, 0,
			       NULL, &wp);
	if (ret == -EOPNOTSUPP)
		printf("4. this kernel has no write watchpoints\n");
	else if (check(ret, "kvmdbg_vm_insert (watchpoint)") < 0)
		goto cleanup;
	else
		printf("4. write watchpoint on the variable at 0x%x\n", GUEST_STATUS);

	/* 5. Continue to the end; each run steps over the breakpoint it stopped at. */
	printf("5. continue to the end\n");
	for (;;) {
		ret = run_vcpu(&d, &ev);
		if (ret == STOP_HALT)
			break;
		if (ret == STOP_GUEST_TRAP)
			fprintf(stderr, "the guest took an unexpected exception\n");
		if (ret != STOP_EVENT)
			goto cleanup;
		print_event(ev);
		if (kvmdbg_event_get_type(ev) == KVMDBG_EVENT_WATCHPOINT)
			watch_fired = true;
	}
	printf("[vcpu0] guest halted\n");
	if (wp && !watch_fired)
		printf("note: the watchpoint did not fire: this KVM accepts data watchpoints\n"
		       "      but does not deliver them (the probe says: %s);\n"
		       "      a standard KVM reports the write.\n",
		       support(d.dbg_vm, KVMDBG_FEATURE_WATCH_WRITE));

	printf("\nsummary after %u exits:\n", d.exits);
	/* a snapshot of a point, which the caller owns */
	if (kvmdbg_vm_get_point(d.dbg_vm, bp, &info) == 0) {
		printf("  %-12s at 0x%04" PRIx64 "  hits=%" PRIu64 "\n",
		       point_type_name(kvmdbg_point_get_type(info)), kvmdbg_point_get_addr(info),
		       kvmdbg_point_get_hit_count(info));
		kvmdbg_point_free(info);
	}
	if (wp && kvmdbg_vm_get_point(d.dbg_vm, wp, &info) == 0) {
		printf("  %-12s at 0x%04" PRIx64 "  hits=%" PRIu64 "\n", "watch-write",
		       kvmdbg_point_get_addr(info), kvmdbg_point_get_hit_count(info));
		kvmdbg_point_free(info);
	}
	printf("  guest: counter=%u total=%u status=0x%x\n",
	       guest_read_u16(&d, GUEST_COUNTER), guest_read_u16(&d, GUEST_TOTAL),
	       guest_read_u16(&d, GUEST_STATUS));

	/* Debugging must not change what the guest computes: 1 + 2 + 3. */
	if (guest_read_u16(&d, GUEST_COUNTER) != LOOP_COUNT ||
	    guest_read_u16(&d, GUEST_TOTAL) != LOOP_COUNT * (LOOP_COUNT + 1) / 2 ||
	    guest_read_u16(&d, GUEST_STATUS) != 0x600d) {
		fprintf(stderr, "the guest's results are wrong\n");
		goto cleanup;
	}
	status = EXIT_SUCCESS;

cleanup:
	alarm_run = NULL;
	kvmdbg_vcpu_free(d.dbg_vcpu);
	kvmdbg_vm_free(d.dbg_vm);
	if (d.run)
		munmap(d.run, d.run_size);
	if (d.vcpu_fd >= 0)
		close(d.vcpu_fd);
	if (d.ram)
		munmap(d.ram, GUEST_RAM_SIZE);
	if (d.vm_fd >= 0)
		close(d.vm_fd);
	if (d.kvm_fd >= 0)
		close(d.kvm_fd);
	return status;
}
