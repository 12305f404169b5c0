// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmdbg-coverage: which basic blocks of a guest each input runs, collected with
 * one-shot breakpoints the way a coverage-guided fuzzer does it.
 *
 * The guest (generated at build time by gen_guest.py) is a real-mode program of a few
 * thousand basic blocks whose branches depend on the bytes of an input.  Between
 * inputs it waits at an "out" to COV_PORT_READY, where this program writes the next
 * input into guest memory and lets it run on: no register is written, nothing in the
 * vCPU is reset.
 *
 * The fuzzer's flow, with software breakpoints (--mode=sw):
 *
 *   1. insert a one-shot breakpoint (KVMDBG_POINT_ONESHOT) at the start of every block,
 *      with the block's index as the point's user_data;
 *   2. run an input: each block the guest reaches for the first time stops it once;
 *      the event names the point, the point names the block.  The breakpoint is gone
 *      after that, so a block costs one exit however often it runs, and a hit costs no
 *      allocation and no ioctl besides the KVM_RUN that reported it;
 *   3. run the next input: only blocks no input reached before stop it, so what it
 *      reports is its new coverage;
 *   4. reset, and repeat: kvmdbg_vm_rearm() puts every fired breakpoint back, or
 *      (--reset=snapshot) guest RAM is copied back from a snapshot taken with the
 *      breakpoints in it and kvmdbg_vm_mark_all_armed() tells the library.
 *
 * Some KVMs (PVM) accept software breakpoints but never report them.  The example
 * probes first, in a fresh VM, and where the host does not deliver them it says so and
 * runs the same flow with what the host does deliver:
 *
 *   --mode=hw    one-shot hardware breakpoints, as many blocks at a time as there are
 *                debug registers (4 on x86): every input runs once per batch of blocks;
 *   --mode=step  single-step, every step's pc looked up in a table of block starts; a
 *                block counts once between resets, as if it had a one-shot breakpoint.
 *
 * All three report the same thing: the blocks new to each input, round after round.
 *
 * Exit status: 0 success, 1 error (or the mode asked for does not work on this host),
 * 77 ("skipped") when there is no usable KVM.
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
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <kvmdbg/kvmdbg.h>

#include "coverage-layout.h"

#define EXIT_SKIP 77
/* Bounds: one input or one probe needs far less; more than one exit per instruction. */
#define RUN_TIMEOUT_SEC 10
#define MAX_EXITS_PER_INPUT (4 * COV_CODE_MAX)
/* Most rounds x inputs. */
#define MAX_RUNS 65536
/* Most hardware breakpoints used at a time (x86 has 4). */
#define MAX_BATCH 8
#define NO_RESULT UINT32_MAX
#define NO_RESET UINT64_MAX

/* The generated guest (gen_guest.py). */
extern const unsigned char cov_guest_start[], cov_guest_end[];
extern const uint32_t cov_nr_blocks, cov_input_len, cov_block_offsets[];

enum mode {
	MODE_AUTO,
	MODE_SW,
	MODE_HW,
	MODE_STEP,
};

static const char *const mode_names[] = {
	[MODE_AUTO] = "auto",
	[MODE_SW] = "sw",
	[MODE_HW] = "hw",
	[MODE_STEP] = "step",
};

enum reset {
	RESET_REARM,
	RESET_SNAPSHOT,
};

struct options {
	enum mode mode;
	enum reset reset;
	unsigned int inputs;
	unsigned int rounds;
	uint64_t seed;
	bool fresh;
	bool list;
	bool probe_only;
};

/* A VM with the coverage guest loaded and libkvmdbg attached. */
struct vmm {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	uint8_t *ram;
	struct kvm_run *run;
	size_t run_size;
	struct kvmdbg_vm *dbg;
	struct kvmdbg_vcpu *vcpu;
};

/* What the run loop counts. */
struct stats {
	/* KVM_RUN calls */
	uint64_t runs;
	/* KVM_SET_GUEST_DEBUG calls (kvmdbg_vcpu_pre_run() returned 1) */
	uint64_t set_debug;
	/* debug events, and those that found a block new since the last reset */
	uint64_t events;
	uint64_t hits;
	/* inputs run (hw mode: each input once per batch), and runs left out because
	 * the whole batch had fired */
	uint64_t input_runs;
	uint64_t skipped;
	/* time spent running inputs */
	uint64_t ns;
};

struct cov {
	const struct options *opt;
	enum mode mode;
	struct vmm vmm;
	unsigned int nr_blocks;
	size_t code_size;
	size_t input_len;
	/* uint64_t words in a bitmap of blocks */
	size_t words;
	/* opt->inputs inputs of input_len bytes */
	uint8_t *inputs;
	/* the blocks seen since the last reset */
	uint64_t *seen;
	/* per round and input: the blocks new to that input (bitmaps), the guest's result
	 * (or NO_RESULT), the points armed again right before it (or NO_RESET) */
	uint64_t *sets;
	uint32_t *results;
	uint64_t *rearmed;
	/* step mode: code offset -> block index, or -1 */
	int32_t *block_at;
	/* sw mode: the breakpoint of every block, and with --reset=snapshot guest RAM as
	 * it was with every breakpoint in it */
	uint64_t *points; /* ids */
	uint8_t *snapshot;
	/* the input being run */
	unsigned int round;
	unsigned int input;
	struct stats st;
};

static volatile sig_atomic_t run_timed_out;
static struct kvm_run *volatile alarm_run;

static void on_alarm(int sig)
{
	run_timed_out = 1;
	/* should the alarm come just before KVM_RUN, KVM_RUN still returns at once */
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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64, as gen_guest.py has it. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Input number index of a seed's series: splitmix64 output from (seed << 32) ^ index. */
static void make_input(uint64_t seed, unsigned int index, uint8_t *buf, size_t len)
{
	uint64_t state = (seed << 32) ^ index;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t word = splitmix64(&state);

		for (size_t b = 0; b < 8 && i + b < len; b++)
			buf[i + b] = (uint8_t)(word >> (8 * b));
	}
}

static uint64_t block_addr(unsigned int block)
{
	return COV_CODE_BASE + cov_block_offsets[block];
}

static size_t run_index(const struct cov *c, unsigned int round, unsigned int input)
{
	return (size_t)round * c->opt->inputs + input;
}

static uint64_t *set_of(const struct cov *c, unsigned int round, unsigned int input)
{
	return c->sets + run_index(c, round, input) * c->words;
}

static unsigned int count_bits(const uint64_t *set, size_t words)
{
	unsigned int n = 0;

	for (size_t i = 0; i < words; i++)
		n += (unsigned int)__builtin_popcountll(set[i]);
	return n;
}

/* In how many of the runs so far a block was reported: its point's expected hit count. */
static uint64_t times_reported(const struct cov *c, unsigned int block)
{
	uint64_t n = 0;

	for (size_t i = 0; i < (size_t)c->opt->rounds * c->opt->inputs; i++)
		n += (c->sets[i * c->words + block / 64] >> (block % 64)) & 1;
	return n;
}

static int identity_translate(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	/* real mode has no paging: linear addresses are physical */
	*ret_gpa = gva;
	return 0;
}

/*
 * Create a VM with the guest loaded, its vCPU in real mode at the guest's first
 * instruction, and libkvmdbg attached.  Returns 0, EXIT_SKIP when there is no usable KVM
 * (the reason is printed), or a negative errno (printed).
 */
static int vmm_open(struct vmm *v)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = COV_RAM_SIZE,
	};
	struct kvm_regs regs = {
		.rip = 0,
		.rsp = COV_STACK_TOP,
		.rflags = 0x2, /* bit 1 is always set; interrupts off */
	};
	size_t code_size = (size_t)(cov_guest_end - cov_guest_start);
	struct kvm_sregs sregs;
	int ret;

	*v = (struct vmm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	v->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm_fd < 0) {
		fprintf(stderr, "skip: cannot open /dev/kvm: %s\n", strerror(errno));
		return EXIT_SKIP;
	}
	ret = ioctl(v->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		fprintf(stderr, "skip: /dev/kvm has API version %d, not %d\n", ret,
			KVM_API_VERSION);
		return EXIT_SKIP;
	}
	v->vm_fd = ioctl(v->kvm_fd, KVM_CREATE_VM, 0);
	if (v->vm_fd < 0) {
		fprintf(stderr, "skip: KVM_CREATE_VM: %s\n", strerror(errno));
		return EXIT_SKIP;
	}
	/* real mode needs it on Intel without unrestricted guest; harmless elsewhere */
	(void)ioctl(v->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	v->ram = mmap(NULL, COV_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (v->ram == MAP_FAILED) {
		v->ram = NULL;
		return check(-errno, "mmap guest RAM");
	}
	/* every interrupt vector v leads to a stub that reports v on COV_PORT_FAULT */
	for (unsigned int vec = 0; vec < 256; vec++) {
		uint8_t *stub = v->ram + COV_FAULT_STUBS + COV_FAULT_STUB_SIZE * vec;
		const uint8_t code[] = {
			0xb0, (uint8_t)vec,   /* mov $vec, %al */
			0xe6, COV_PORT_FAULT, /* out %al, $COV_PORT_FAULT */
			0xf4,		      /* 1: hlt */
			0xeb, 0xfd,	      /* jmp 1b */
		};
		uint16_t entry[2] = {
			(uint16_t)(COV_FAULT_STUBS + COV_FAULT_STUB_SIZE * vec), 0
		};

		memcpy(stub, code, sizeof(code));
		memcpy(v->ram + COV_IVT + 4 * vec, entry, sizeof(entry));
	}
	memcpy(v->ram + COV_CODE_BASE, cov_guest_start, code_size);

	region.userspace_addr = (uintptr_t)v->ram;
	if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return check(-errno, "KVM_SET_USER_MEMORY_REGION");
	v->vcpu_fd = ioctl(v->vm_fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu_fd < 0)
		return check(-errno, "KVM_CREATE_VCPU");
	ret = ioctl(v->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return check(-errno, "KVM_GET_VCPU_MMAP_SIZE");
	v->run_size = (size_t)ret;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu_fd,
		      0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return check(-errno, "mmap kvm_run");
	}

	/* real mode: the code segment at COV_CODE_BASE, every other segment at 0 */
	if (ioctl(v->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return check(-errno, "KVM_GET_SREGS");
	sregs.cs.base = COV_CODE_BASE;
	sregs.cs.selector = COV_CODE_BASE >> 4;
	sregs.ds.base = sregs.es.base = sregs.fs.base = sregs.gs.base = sregs.ss.base = 0;
	sregs.ds.selector = sregs.es.selector = sregs.fs.selector = 0;
	sregs.gs.selector = sregs.ss.selector = 0;
	sregs.idt.base = COV_IVT;
	sregs.idt.limit = 0x3ff;
	if (ioctl(v->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return check(-errno, "KVM_SET_SREGS");
	if (ioctl(v->vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return check(-errno, "KVM_SET_REGS");

	/* the debugger: guest RAM, identity translation, the vCPU */
	ret = kvmdbg_vm_new(v->vm_fd, &v->dbg);
	if (check(ret, "kvmdbg_vm_new") < 0)
		return ret;
	ret = kvmdbg_vm_add_memory(v->dbg, 0, COV_RAM_SIZE, v->ram);
	if (check(ret, "kvmdbg_vm_add_memory") < 0)
		return ret;
	/* no paging, so no page walk: an insert then makes no system call at all */
	ret = kvmdbg_vm_set_memory_ops(v->dbg, NULL, NULL, identity_translate, NULL);
	if (check(ret, "kvmdbg_vm_set_memory_ops") < 0)
		return ret;
	ret = kvmdbg_vcpu_new(v->dbg, v->vcpu_fd, v->run, &v->vcpu);
	if (check(ret, "kvmdbg_vcpu_new") < 0)
		return ret;
	if (kvmdbg_vm_has_feature(v->dbg, KVMDBG_FEATURE_GUEST_DEBUG) != 1) {
		fprintf(stderr,
			"skip: this KVM has no guest debugging (KVM_SET_GUEST_DEBUG)\n");
		return EXIT_SKIP;
	}
	return 0;
}

static void vmm_close(struct vmm *v)
{
	if (alarm_run == v->run)
		alarm_run = NULL;
	kvmdbg_vcpu_free(v->vcpu);
	kvmdbg_vm_free(v->dbg);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->vcpu_fd >= 0)
		close(v->vcpu_fd);
	if (v->ram)
		munmap(v->ram, COV_RAM_SIZE);
	if (v->vm_fd >= 0)
		close(v->vm_fd);
	if (v->kvm_fd >= 0)
		close(v->kvm_fd);
	*v = (struct vmm){ .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
}

/* "io out port 0x13 (0x03)" and the like, for messages. */
static const char *describe_exit(const struct vmm *v, char *buf, size_t size)
{
	const struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(buf, size, "io %s port 0x%x (0x%02x)",
			 run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			 run->io.port, *((const uint8_t *)run + run->io.data_offset));
		break;
	case KVM_EXIT_HLT:
		snprintf(buf, size, "hlt");
		break;
	case KVM_EXIT_SHUTDOWN:
		snprintf(buf, size, "shutdown (triple fault)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, "internal error, suberror %u",
			 run->internal.suberror);
		break;
	default:
		snprintf(buf, size, "exit reason %u", run->exit_reason);
		break;
	}
	return buf;
}

static bool exit_is_out(const struct vmm *v, uint16_t port)
{
	return v->run->exit_reason == KVM_EXIT_IO &&
	       v->run->io.direction == KVM_EXIT_IO_OUT && v->run->io.port == port;
}

/*
 * One round of the run loop as kvmdbg.h documents it.  Returns what
 * kvmdbg_vcpu_handle_exit() returns, or a negative errno (printed).
 */
static int run_once(struct vmm *v, struct stats *st, const struct kvmdbg_event **ret_ev)
{
	int ret;

	ret = kvmdbg_vcpu_pre_run(v->vcpu);
	if (check(ret, "kvmdbg_vcpu_pre_run") < 0)
		return ret;
	st->set_debug += (unsigned int)ret; /* 1: it called KVM_SET_GUEST_DEBUG */
	ret = ioctl(v->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
	st->runs++;
	ret = kvmdbg_vcpu_handle_exit(v->vcpu, ret, ret_ev);
	if (ret == -EINTR && run_timed_out) {
		fprintf(stderr, "KVM_RUN: the guest did not stop within %d s\n",
			RUN_TIMEOUT_SEC);
		return -ETIMEDOUT;
	}
	return check(ret, "KVM_RUN");
}

/* Record that a block was reached, unless it was already since the last reset. */
static int record(struct cov *c, unsigned int block)
{
	uint64_t bit = 1ull << (block % 64);
	uint64_t *seen;

	if (block >= c->nr_blocks) {
		fprintf(stderr, "an event for block %u of %u\n", block, c->nr_blocks);
		return -EPROTO;
	}
	seen = &c->seen[block / 64];
	if (*seen & bit) {
		/* stepping, a block is seen each time it runs: count it once */
		if (c->mode == MODE_STEP)
			return 0;
		fprintf(stderr,
			"round %u input %u: the one-shot breakpoint of block %u fired "
			"twice\n",
			c->round + 1, c->input, block);
		return -EPROTO;
	}
	*seen |= bit;
	set_of(c, c->round, c->input)[block / 64] |= bit;
	c->st.hits++;
	return 0;
}

/* The hot path: a debug event.  No allocation, no system call. */
static int on_event(struct cov *c, const struct kvmdbg_event *ev)
{
	static const enum kvmdbg_event_type wanted[] = {
		[MODE_SW] = KVMDBG_EVENT_SW_BREAKPOINT,
		[MODE_HW] = KVMDBG_EVENT_HW_BREAKPOINT,
		[MODE_STEP] = KVMDBG_EVENT_STEP,
	};
	enum kvmdbg_event_type type = kvmdbg_event_get_type(ev);
	uint64_t off;

	c->st.events++;
	if (type != wanted[c->mode]) {
		uint32_t exception = 0;
		uint64_t status = 0;

		kvmdbg_event_get_raw_exception(ev, &exception);
		kvmdbg_event_get_raw_status(ev, &status);
		fprintf(stderr,
			"round %u input %u: unexpected %s event at pc 0x%" PRIx64
			" (exception %u, debug status 0x%" PRIx64 ")\n",
			c->round + 1, c->input, kvmdbg_event_type_name(type),
			kvmdbg_event_get_pc(ev), exception, status);
		return -EPROTO;
	}
	if (c->mode != MODE_STEP) {
		/* the point that fired carries its block's index, copied into the event */
		return record(c, (unsigned int)(uintptr_t)kvmdbg_event_get_user_data(ev));
	}
	/* a step: is the next instruction the start of a block? */
	off = kvmdbg_event_get_pc(ev) - COV_CODE_BASE;
	if (off < c->code_size && c->block_at[off] >= 0)
		return record(c, (unsigned int)c->block_at[off]);
	return 0;
}

/*
 * Run the vCPU until the guest is ready for the next input.  Returns 0, or a negative
 * errno (printed).
 */
static int run_to_ready(struct cov *c)
{
	struct vmm *v = &c->vmm;
	char buf[80];
	int ret = 0;

	alarm_run = v->run;
	alarm(RUN_TIMEOUT_SEC);
	for (unsigned int n = 0;; n++) {
		const struct kvmdbg_event *ev;

		if (n == MAX_EXITS_PER_INPUT) {
			fprintf(stderr, "the guest still runs after %u exits\n", n);
			ret = -ELOOP;
			break;
		}
		ret = run_once(v, &c->st, &ev);
		if (ret < 0)
			break;
		if (ret == KVMDBG_EXIT_EVENT) {
			ret = on_event(c, ev);
			if (ret < 0)
				break;
			continue;
		}
		if (ret == KVMDBG_EXIT_RESUME)
			continue;

		/* KVMDBG_EXIT_NOT_DEBUG: the guest's own exits */
		if (exit_is_out(v, COV_PORT_READY)) {
			ret = 0;
			break;
		}
		if (exit_is_out(v, COV_PORT_FAULT))
			fprintf(stderr, "the guest took exception vector %u itself\n",
				*((const uint8_t *)v->run + v->run->io.data_offset));
		else
			fprintf(stderr, "unexpected exit: %s\n",
				describe_exit(v, buf, sizeof(buf)));
		ret = -EIO;
		break;
	}
	alarm(0);
	return ret;
}

/* Run one input: write it into guest memory and let the guest run to its end. */
static int run_input(struct cov *c, unsigned int round, unsigned int input)
{
	uint32_t *result = &c->results[run_index(c, round, input)];
	uint64_t start = now_ns();
	uint16_t value;
	int ret;

	c->round = round;
	c->input = input;
	memcpy(c->vmm.ram + COV_INPUT, c->inputs + input * c->input_len, c->input_len);
	ret = run_to_ready(c);
	c->st.ns += now_ns() - start;
	c->st.input_runs++;
	if (ret < 0) {
		fprintf(stderr, "round %u input %u failed\n", round + 1, input);
		return ret;
	}
	memcpy(&value, c->vmm.ram + COV_RESULT, sizeof(value));
	if (*result != NO_RESULT && *result != value) {
		fprintf(stderr,
			"round %u input %u: the guest's result was 0x%04x, now 0x%04x\n",
			round + 1, input, *result, value);
		return -EPROTO;
	}
	*result = value;
	return 0;
}

/* Whether the breakpoints are reset before this input (every round, or every input). */
static bool resets_before(const struct cov *c, unsigned int round, unsigned int input)
{
	return input == 0 ? round > 0 : c->opt->fresh;
}

static void note_rearmed(struct cov *c, unsigned int round, unsigned int input, int n)
{
	uint64_t *slot = &c->rearmed[run_index(c, round, input)];

	*slot = (*slot == NO_RESET ? 0 : *slot) + (unsigned int)n;
}

/*
 * Software breakpoints: one one-shot breakpoint per block, inserted once; every fired one
 * armed again at each reset.
 */
static int cover_sw(struct cov *c)
{
	struct vmm *v = &c->vmm;
	uint64_t start;
	int ret;

	start = now_ns();
	for (unsigned int b = 0; b < c->nr_blocks; b++) {
		ret = kvmdbg_vm_insert(v->dbg, KVMDBG_POINT_SW_BREAK, block_addr(b), 0,
				       KVMDBG_POINT_ONESHOT, (void *)(uintptr_t)b,
				       &c->points[b]);
		if (ret < 0) {
			fprintf(stderr, "kvmdbg_vm_insert at block %u: %s\n", b,
				strerror(-ret));
			return ret;
		}
	}
	printf("inserted %u one-shot software breakpoints in %.1f ms\n", c->nr_blocks,
	       (double)(now_ns() - start) / 1e6);
	if (c->opt->reset == RESET_SNAPSHOT) {
		/* the fuzzer's snapshot: guest RAM with every breakpoint written in it */
		c->snapshot = malloc(COV_RAM_SIZE);
		if (!c->snapshot)
			return check(-ENOMEM, "snapshot");
		memcpy(c->snapshot, v->ram, COV_RAM_SIZE);
	}

	for (unsigned int r = 0; r < c->opt->rounds; r++) {
		for (unsigned int k = 0; k < c->opt->inputs; k++) {
			if (resets_before(c, r, k)) {
				if (c->opt->reset == RESET_SNAPSHOT) {
					memcpy(v->ram, c->snapshot, COV_RAM_SIZE);
					ret = kvmdbg_vm_mark_all_armed(v->dbg);
					check(ret, "kvmdbg_vm_mark_all_armed");
				} else {
					ret = kvmdbg_vm_rearm(v->dbg);
					check(ret, "kvmdbg_vm_rearm");
				}
				if (ret < 0)
					return ret;
				note_rearmed(c, r, k, ret);
				memset(c->seen, 0, c->words * sizeof(*c->seen));
			}
			ret = run_input(c, r, k);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/*
 * Hardware breakpoints: there are a few debug registers, so the blocks are covered in
 * batches of that many.  For each batch the same rounds of inputs run as in the sw mode,
 * with the same resets; an input whose run could fire nothing (the whole batch has fired
 * since the last reset) is left out.
 */
/* A snapshot of a point: whether it is armed, and its hit count. */
static int point_state(struct cov *c, uint64_t id, bool *ret_armed, uint64_t *ret_hits)
{
	struct kvmdbg_point *p;
	int ret = kvmdbg_vm_get_point(c->vmm.dbg, id, &p);

	if (ret < 0)
		return ret;
	if (ret_armed)
		*ret_armed = kvmdbg_point_is_armed(p);
	if (ret_hits)
		*ret_hits = kvmdbg_point_get_hit_count(p);
	kvmdbg_point_free(p);
	return 0;
}

static int hw_run_batch(struct cov *c, const uint64_t *batch, unsigned int first,
			unsigned int n)
{
	int ret;

	for (unsigned int r = 0; r < c->opt->rounds; r++) {
		for (unsigned int k = 0; k < c->opt->inputs; k++) {
			unsigned int armed = 0;

			if (resets_before(c, r, k)) {
				ret = kvmdbg_vm_rearm(c->vmm.dbg);
				if (check(ret, "kvmdbg_vm_rearm") < 0)
					return ret;
				note_rearmed(c, r, k, ret);
				for (unsigned int b = first; b < first + n; b++)
					c->seen[b / 64] &= ~(1ull << (b % 64));
			}
			for (unsigned int i = 0; i < n; i++) {
				bool a;

				ret = point_state(c, batch[i], &a, NULL);
				if (check(ret, "kvmdbg_vm_get_point") < 0)
					return ret;
				armed += a;
			}
			/* nothing left to fire (but every input runs at least once) */
			if (!armed && c->results[run_index(c, r, k)] != NO_RESULT) {
				c->st.skipped++;
				continue;
			}
			ret = run_input(c, r, k);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* Insert one-shot hardware breakpoints at blocks first .. first + n - 1. */
static int hw_insert_batch(struct cov *c, uint64_t *batch, unsigned int first, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int b = first + i;
		int ret;

		ret = kvmdbg_vm_insert(c->vmm.dbg, KVMDBG_POINT_HW_BREAK, block_addr(b),
				       0, KVMDBG_POINT_ONESHOT, (void *)(uintptr_t)b,
				       &batch[i]);
		if (ret < 0) {
			fprintf(stderr, "kvmdbg_vm_insert at block %u: %s\n", b,
				strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/* Check the batch's hit counters against the events, and remove it. */
static int hw_remove_batch(struct cov *c, const uint64_t *batch, unsigned int first,
			   unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int b = first + i;
		uint64_t hits;
		int ret;

		ret = point_state(c, batch[i], NULL, &hits);
		if (check(ret, "kvmdbg_vm_get_point") < 0)
			return ret;
		if (hits != times_reported(c, b)) {
			fprintf(stderr,
				"block %u: hit count %" PRIu64 ", %" PRIu64 " events\n",
				b, hits, times_reported(c, b));
			return -EPROTO;
		}
		ret = kvmdbg_vm_remove(c->vmm.dbg, KVMDBG_POINT_HW_BREAK, block_addr(b));
		if (check(ret, "kvmdbg_vm_remove") < 0)
			return ret;
	}
	return 0;
}

static int cover_hw(struct cov *c)
{
	uint64_t batch[MAX_BATCH];
	int slots = kvmdbg_vm_get_hw_slots(c->vmm.dbg, false);
	unsigned int size;
	int ret;

	if (slots <= 0)
		return check(slots < 0 ? slots : -EOPNOTSUPP, "kvmdbg_vm_get_hw_slots");
	size = slots < MAX_BATCH ? (unsigned int)slots : MAX_BATCH;
	printf("%d hardware breakpoint slots: %u batches of one-shot breakpoints\n",
	       slots, (c->nr_blocks + size - 1) / size);

	for (unsigned int first = 0; first < c->nr_blocks; first += size) {
		unsigned int n =
			c->nr_blocks - first < size ? c->nr_blocks - first : size;

		ret = hw_insert_batch(c, batch, first, n);
		if (ret == 0)
			ret = hw_run_batch(c, batch, first, n);
		if (ret == 0)
			ret = hw_remove_batch(c, batch, first, n);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/*
 * Single-step: every instruction stops the guest; a table from code offset to block
 * index finds the block starts.  A block counts once between resets, as if it had a
 * one-shot breakpoint.
 */
static int cover_step(struct cov *c)
{
	int ret;

	for (size_t off = 0; off < c->code_size; off++)
		c->block_at[off] = -1;
	for (unsigned int b = 0; b < c->nr_blocks; b++)
		c->block_at[cov_block_offsets[b]] = (int32_t)b;

	ret = kvmdbg_vcpu_set_single_step(c->vmm.vcpu, true);
	if (check(ret, "kvmdbg_vcpu_set_single_step") < 0)
		return ret;
	for (unsigned int r = 0; r < c->opt->rounds; r++) {
		for (unsigned int k = 0; k < c->opt->inputs; k++) {
			if (resets_before(c, r, k))
				memset(c->seen, 0, c->words * sizeof(*c->seen));
			ret = run_input(c, r, k);
			if (ret < 0)
				return ret;
		}
	}
	return check(kvmdbg_vcpu_set_single_step(c->vmm.vcpu, false),
		     "kvmdbg_vcpu_set_single_step");
}

/*
 * Whether this host's KVM delivers the exits a mode needs: in a fresh VM, arm the
 * guest's first block (or single-step) and run one input.  Always in real mode: an int3
 * in an emulated protected-mode guest wedges some KVMs (PVM) for good.  Returns 1, or 0
 * with the finding in why, or a negative errno (printed).
 */
static int probe(enum mode mode, char *why, size_t size)
{
	static const enum kvmdbg_feature features[] = {
		[MODE_SW] = KVMDBG_FEATURE_SW_BREAKPOINT,
		[MODE_HW] = KVMDBG_FEATURE_HW_BREAKPOINT,
		[MODE_STEP] = KVMDBG_FEATURE_SINGLE_STEP,
	};
	static const enum kvmdbg_event_type wanted[] = {
		[MODE_SW] = KVMDBG_EVENT_SW_BREAKPOINT,
		[MODE_HW] = KVMDBG_EVENT_HW_BREAKPOINT,
		[MODE_STEP] = KVMDBG_EVENT_STEP,
	};
	static const char *const what[] = {
		[MODE_SW] = "a software breakpoint (int3)",
		[MODE_HW] = "a hardware execute breakpoint",
		[MODE_STEP] = "single-step",
	};
	struct cov c = { .mode = mode };
	const struct kvmdbg_event *ev = NULL;
	struct stats st = { 0 };
	char buf[80];
	int ret;

	ret = vmm_open(&c.vmm);
	if (ret != 0) {
		ret = ret > 0 ? -ENODEV : ret;
		goto out;
	}
	if (kvmdbg_vm_has_feature(c.vmm.dbg, features[mode]) != 1) {
		snprintf(why, size, "the kernel does not offer %s", what[mode]);
		ret = 0;
		goto out;
	}
	/* up to the guest's first "ready", with nothing armed */
	alarm_run = c.vmm.run;
	alarm(RUN_TIMEOUT_SEC);
	ret = run_once(&c.vmm, &st, &ev);
	if (ret >= 0 &&
	    (ret != KVMDBG_EXIT_NOT_DEBUG || !exit_is_out(&c.vmm, COV_PORT_READY))) {
		fprintf(stderr, "probe: the guest did not start: %s\n",
			describe_exit(&c.vmm, buf, sizeof(buf)));
		ret = -EIO;
	}
	if (ret < 0)
		goto out;

	if (mode == MODE_STEP)
		ret = kvmdbg_vcpu_set_single_step(c.vmm.vcpu, true);
	else
		ret = kvmdbg_vm_insert(c.vmm.dbg,
				       mode == MODE_SW ? KVMDBG_POINT_SW_BREAK
						       : KVMDBG_POINT_HW_BREAK,
				       block_addr(0), 0, 0, NULL, NULL);
	if (ret < 0) {
		snprintf(why, size, "the library refuses %s: %s", what[mode],
			 strerror(-ret));
		ret = 0;
		goto out;
	}
	memset(c.vmm.ram + COV_INPUT, 0, COV_INPUT_MAX);
	for (int n = 0; n < 16; n++) {
		ret = run_once(&c.vmm, &st, &ev);
		if (ret != KVMDBG_EXIT_RESUME)
			break;
	}
	if (ret < 0)
		goto out;
	if (ret == KVMDBG_EXIT_EVENT && kvmdbg_event_get_type(ev) == wanted[mode] &&
	    (mode == MODE_STEP || kvmdbg_event_get_pc(ev) == block_addr(0))) {
		snprintf(why, size, "%s gave a %s event at pc 0x%" PRIx64, what[mode],
			 kvmdbg_event_type_name(wanted[mode]), kvmdbg_event_get_pc(ev));
		ret = 1;
	} else if (ret == KVMDBG_EXIT_EVENT) {
		snprintf(why, size, "%s gave a %s event at pc 0x%" PRIx64, what[mode],
			 kvmdbg_event_type_name(kvmdbg_event_get_type(ev)),
			 kvmdbg_event_get_pc(ev));
		ret = 0;
	} else if (exit_is_out(&c.vmm, COV_PORT_FAULT)) {
		snprintf(why, size,
			 "%s at the first block of a real-mode guest was not "
			 "reported: the guest took exception vector %u itself",
			 what[mode],
			 *((const uint8_t *)c.vmm.run + c.vmm.run->io.data_offset));
		ret = 0;
	} else if (exit_is_out(&c.vmm, COV_PORT_READY)) {
		snprintf(why, size,
			 "%s at the first block of a real-mode guest was not "
			 "reported: the guest ran a whole input",
			 what[mode]);
		ret = 0;
	} else {
		snprintf(why, size,
			 "%s at the first block of a real-mode guest was not "
			 "reported: the run ended in %s",
			 what[mode], describe_exit(&c.vmm, buf, sizeof(buf)));
		ret = 0;
	}
out:
	alarm(0);
	vmm_close(&c.vmm);
	return ret;
}

/* Probe a mode and print the finding.  1 if it works, 0 if not, or a negative errno. */
static int probe_and_say(enum mode mode)
{
	char why[256] = "";
	int ret = probe(mode, why, sizeof(why));

	if (ret >= 0)
		printf("probe %s: %s: %s\n", mode_names[mode], ret ? "yes" : "no", why);
	return ret;
}

/*
 * Every round after the first must report what the first did, and every reset must have
 * armed again exactly the points that had fired since the one before.
 */
static int check_consistency(struct cov *c)
{
	uint64_t *since = calloc(c->words, sizeof(*since));
	int ret = 0;

	if (!since)
		return check(-ENOMEM, "calloc");
	for (unsigned int r = 0; r < c->opt->rounds && !ret; r++) {
		for (unsigned int k = 0; k < c->opt->inputs && !ret; k++) {
			uint64_t rearmed = c->rearmed[run_index(c, r, k)];
			unsigned int fired = count_bits(since, c->words);

			if (rearmed != NO_RESET) {
				if (rearmed != fired) {
					fprintf(stderr,
						"before round %u input %u: %" PRIu64
						" points armed again, %u had fired\n",
						r + 1, k, rearmed, fired);
					ret = -EPROTO;
				}
				memset(since, 0, c->words * sizeof(*since));
			}
			for (size_t w = 0; w < c->words; w++)
				since[w] |= set_of(c, r, k)[w];
			if (r > 0 && (memcmp(set_of(c, r, k), set_of(c, 0, k),
					     c->words * sizeof(uint64_t)) ||
				      c->results[run_index(c, r, k)] !=
					      c->results[run_index(c, 0, k)])) {
				fprintf(stderr,
					"round %u input %u differs from round 1: the "
					"reset did not restore the breakpoints\n",
					r + 1, k);
				ret = -EPROTO;
			}
		}
	}
	free(since);
	if (ret || c->mode != MODE_SW)
		return ret;

	/* the library's hit counters agree with the events */
	for (unsigned int b = 0; b < c->nr_blocks; b++) {
		uint64_t hits;

		ret = point_state(c, c->points[b], NULL, &hits);
		if (check(ret, "kvmdbg_vm_get_point") < 0)
			return ret;
		if (hits != times_reported(c, b)) {
			fprintf(stderr,
				"block %u: hit count %" PRIu64 ", %" PRIu64 " events\n",
				b, hits, times_reported(c, b));
			return -EPROTO;
		}
	}
	return 0;
}

static void report(struct cov *c)
{
	const struct options *opt = c->opt;
	const struct stats *st = &c->st;
	double secs = (double)st->ns / 1e9;
	uint64_t *total = c->seen; /* free by now */

	for (unsigned int r = 0; r < opt->rounds; r++) {
		memset(total, 0, c->words * sizeof(*total));
		if (r > 0 && !opt->fresh) {
			uint64_t n = c->rearmed[run_index(c, r, 0)];

			if (c->mode == MODE_STEP)
				printf("reset: forget the blocks seen\n");
			else
				printf("reset: %s: %" PRIu64 " breakpoints armed again\n",
				       c->mode == MODE_SW && opt->reset == RESET_SNAPSHOT
					       ? "guest RAM restored from the snapshot, "
						 "kvmdbg_vm_mark_all_armed()"
					       : "kvmdbg_vm_rearm()",
				       n);
		}
		printf("round %u:\n", r + 1);
		for (unsigned int k = 0; k < opt->inputs; k++) {
			const uint64_t *set = set_of(c, r, k);
			unsigned int n = count_bits(set, c->words);

			for (size_t w = 0; w < c->words; w++)
				total[w] |= set[w];
			if (r > 0 && !opt->list)
				continue;
			if (k == 0 || opt->fresh)
				printf("  input %u: %u blocks hit", k, n);
			else
				printf("  input %u: %u new blocks", k, n);
			printf(", coverage %u/%u, guest result 0x%04x\n",
			       opt->fresh ? n : count_bits(total, c->words), c->nr_blocks,
			       c->results[run_index(c, r, k)]);
		}
		if (r > 0)
			printf("  every input: the same blocks as in round 1\n");
		printf("  round coverage: %u of %u blocks (%.1f%%)\n",
		       count_bits(total, c->words), c->nr_blocks,
		       100.0 * count_bits(total, c->words) / c->nr_blocks);
	}

	printf("\n%s mode: %" PRIu64 " input runs", mode_names[c->mode], st->input_runs);
	if (c->mode == MODE_HW)
		printf(" (%" PRIu64 " left out: their batch had fired)", st->skipped);
	printf(" in %.3f s\n", secs);
	printf("  %" PRIu64 " KVM exits: %.0f exits/s; %" PRIu64 " debug exits: %.0f/s\n",
	       st->runs, secs > 0 ? (double)st->runs / secs : 0.0, st->events,
	       secs > 0 ? (double)st->events / secs : 0.0);
	printf("  %" PRIu64 " blocks found (first hits since a reset), %" PRIu64
	       " KVM_SET_GUEST_DEBUG calls\n",
	       st->hits, st->set_debug);
	if (c->mode == MODE_SW)
		printf("  per hit: one KVM_RUN, no other ioctl, no allocation\n"
		       "  (the one-shot breakpoint takes itself out of guest memory)\n");
	else if (c->mode == MODE_HW)
		printf("  per hit: one KVM_RUN and one KVM_SET_GUEST_DEBUG (the\n"
		       "  fired slot goes off); one more per batch and per reset\n");
	else
		printf("  per instruction: one KVM_RUN; a block start is found by\n"
		       "  a table lookup\n");
}

static void list(const struct cov *c)
{
	printf("cov-mode %s\n", mode_names[c->mode]);
	printf("cov-blocks %u\n", c->nr_blocks);
	for (unsigned int r = 0; r < c->opt->rounds; r++) {
		for (unsigned int k = 0; k < c->opt->inputs; k++) {
			const uint64_t *set = set_of(c, r, k);

			printf("cov-input %u %u 0x%04x %u", r, k,
			       c->results[run_index(c, r, k)], count_bits(set, c->words));
			for (unsigned int b = 0; b < c->nr_blocks; b++)
				if (set[b / 64] >> (b % 64) & 1)
					printf(" %u", b);
			putchar('\n');
		}
	}
}

static int cov_alloc(struct cov *c)
{
	size_t runs = (size_t)c->opt->rounds * c->opt->inputs;

	c->nr_blocks = cov_nr_blocks;
	c->code_size = (size_t)(cov_guest_end - cov_guest_start);
	c->input_len = cov_input_len;
	c->words = (c->nr_blocks + 63) / 64;
	c->inputs = calloc(c->opt->inputs, c->input_len);
	c->seen = calloc(c->words, sizeof(*c->seen));
	c->sets = calloc(runs * c->words, sizeof(*c->sets));
	c->results = malloc(runs * sizeof(*c->results));
	c->rearmed = malloc(runs * sizeof(*c->rearmed));
	c->block_at = calloc(c->code_size, sizeof(*c->block_at));
	c->points = calloc(c->nr_blocks, sizeof(*c->points));
	if (!c->inputs || !c->seen || !c->sets || !c->results || !c->rearmed ||
	    !c->block_at || !c->points)
		return check(-ENOMEM, "allocating the coverage tables");
	for (size_t i = 0; i < runs; i++) {
		c->results[i] = NO_RESULT;
		c->rearmed[i] = NO_RESET;
	}
	for (unsigned int k = 0; k < c->opt->inputs; k++)
		make_input(c->opt->seed, k, c->inputs + k * c->input_len, c->input_len);
	return 0;
}

static void cov_free(struct cov *c)
{
	vmm_close(&c->vmm);
	free(c->inputs);
	free(c->seen);
	free(c->sets);
	free(c->results);
	free(c->rearmed);
	free(c->block_at);
	free(c->points);
	free(c->snapshot);
}

static void usage(const char *prog)
{
	printf("Usage: %s [OPTION]...\n"
	       "\n"
	       "Runs a generated real-mode guest of %u basic blocks on a series\n"
	       "of inputs and reports the blocks each input reaches first,\n"
	       "collected with one-shot breakpoints through libkvmdbg, the way a\n"
	       "coverage-guided fuzzer does it.\n"
	       "\n"
	       "  --mode=MODE   sw: one-shot software breakpoints on every block;\n"
	       "                hw: one-shot hardware breakpoints, a few blocks at\n"
	       "                a time; step: single-step and a table of block\n"
	       "                starts; auto (default): sw if this host's KVM\n"
	       "                reports software breakpoints, else hw, else step\n"
	       "  --inputs=N    inputs per round (default 8)\n"
	       "  --seed=S      the inputs' seed (default 1)\n"
	       "  --rounds=N    rounds, every breakpoint armed again between them\n"
	       "                (default 2)\n"
	       "  --reset=HOW   rearm (default): kvmdbg_vm_rearm(); snapshot (sw\n"
	       "                mode): copy guest RAM back from a snapshot that\n"
	       "                holds the breakpoints, kvmdbg_vm_mark_all_armed()\n"
	       "  --fresh       reset before every input: each reports all blocks\n"
	       "  --list        also print each input's new blocks, machine-readable\n"
	       "  --probe       only probe what this host's KVM delivers\n"
	       "  --help        show this help\n"
	       "\n"
	       "Exit status: 0 success, 1 error, 77 no usable KVM (skipped).\n",
	       prog, cov_nr_blocks);
}

/* Parse "--name=value" or "--name value"; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(argv[*i], name, len))
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return false;
	*ret = v;
	return true;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *val;
		uint64_t n;

		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(argv[0]);
			return 1;
		} else if (!strcmp(argv[i], "--fresh")) {
			opt->fresh = true;
		} else if (!strcmp(argv[i], "--list")) {
			opt->list = true;
		} else if (!strcmp(argv[i], "--probe")) {
			opt->probe_only = true;
		} else if ((val = opt_value(argc, argv, &i, "--mode"))) {
			for (n = 0; n < 4 && strcmp(val, mode_names[n]); n++)
				;
			if (n == 4)
				goto bad;
			opt->mode = (enum mode)n;
		} else if ((val = opt_value(argc, argv, &i, "--reset"))) {
			if (!strcmp(val, "rearm"))
				opt->reset = RESET_REARM;
			else if (!strcmp(val, "snapshot"))
				opt->reset = RESET_SNAPSHOT;
			else
				goto bad;
		} else if ((val = opt_value(argc, argv, &i, "--inputs"))) {
			if (!parse_uint(val, MAX_RUNS, &n) || !n)
				goto bad;
			opt->inputs = (unsigned int)n;
		} else if ((val = opt_value(argc, argv, &i, "--rounds"))) {
			if (!parse_uint(val, MAX_RUNS, &n) || !n)
				goto bad;
			opt->rounds = (unsigned int)n;
		} else if ((val = opt_value(argc, argv, &i, "--seed"))) {
			if (!parse_uint(val, UINT32_MAX, &opt->seed))
				goto bad;
		} else {
			goto bad;
		}
	}
	if ((uint64_t)opt->inputs * opt->rounds > MAX_RUNS) {
		fprintf(stderr, "at most %d inputs times rounds\n", MAX_RUNS);
		return -EINVAL;
	}
	return 0;
bad:
	fprintf(stderr, "bad option or value: '%s' (try --help)\n",
		argv[i < argc ? i : argc - 1]);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct options opt = { .mode = MODE_AUTO, .inputs = 8, .rounds = 2, .seed = 1 };
	struct cov c = { .opt = &opt,
			 .vmm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 } };
	struct sigaction sa = { 0 };
	int status = EXIT_FAILURE;
	int ret;

	ret = parse_options(argc, argv, &opt);
	if (ret)
		return ret > 0 ? EXIT_SUCCESS : EXIT_FAILURE;

	setvbuf(stdout, NULL, _IOLBF, 0); /* stdout and stderr in order in logs */
	/* no SA_RESTART: the alarm must make a stuck KVM_RUN return -EINTR */
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);

	printf("libkvmdbg %s coverage example\n", kvmdbg_version_string());
	printf("guest: %u basic blocks in %zu bytes of real-mode code at 0x%x, "
	       "inputs of %u bytes\n",
	       cov_nr_blocks, (size_t)(cov_guest_end - cov_guest_start), COV_CODE_BASE,
	       cov_input_len);
	if (cov_guest_end - cov_guest_start > COV_CODE_MAX ||
	    cov_input_len > COV_INPUT_MAX) {
		fprintf(stderr, "the generated guest does not fit its layout\n");
		return EXIT_FAILURE;
	}

	ret = cov_alloc(&c);
	if (ret < 0)
		goto cleanup;
	ret = vmm_open(&c.vmm);
	if (ret == EXIT_SKIP)
		status = EXIT_SKIP;
	if (ret != 0)
		goto cleanup;

	/* What does this host's KVM deliver?  Each probe runs in a VM of its own. */
	if (opt.probe_only) {
		for (enum mode m = MODE_SW; m <= MODE_STEP; m++)
			if (probe_and_say(m) < 0)
				goto cleanup;
		status = EXIT_SUCCESS;
		goto cleanup;
	}
	if (opt.mode == MODE_AUTO) {
		for (c.mode = MODE_SW; c.mode <= MODE_STEP; c.mode++) {
			ret = probe_and_say(c.mode);
			if (ret < 0)
				goto cleanup;
			if (ret == 1)
				break;
		}
		if (c.mode > MODE_STEP) {
			fprintf(stderr,
				"this KVM delivers none of the debug exits the example "
				"can use\n");
			goto cleanup;
		}
		if (c.mode != MODE_SW)
			printf("software breakpoints do not work on this host (see the "
			       "probe): the same flow with %s\n",
			       c.mode == MODE_HW
				       ? "one-shot hardware breakpoints, a few blocks "
					 "at a time (each input runs once per batch)"
				       : "single-step (an exit per instruction)");
	} else {
		c.mode = opt.mode;
		ret = probe_and_say(c.mode);
		if (ret < 0)
			goto cleanup;
		if (ret == 0) {
			fprintf(stderr,
				"--mode=%s does not work on this host (see the probe "
				"above); try --mode=auto\n",
				mode_names[c.mode]);
			goto cleanup;
		}
	}
	if (opt.reset == RESET_SNAPSHOT && c.mode != MODE_SW)
		printf("note: --reset=snapshot is for software breakpoints; %s mode "
		       "re-arms\n",
		       mode_names[c.mode]);
	printf("mode: %s, %u rounds of %u inputs (seed %" PRIu64 ")%s\n",
	       mode_names[c.mode], opt.rounds, opt.inputs, opt.seed,
	       opt.fresh ? ", reset before every input" : "");

	/* Up to the guest's first "ready" for an input, with nothing armed yet. */
	ret = run_to_ready(&c);
	if (ret < 0)
		goto cleanup;
	c.st = (struct stats){ 0 };

	if (c.mode == MODE_SW)
		ret = cover_sw(&c);
	else if (c.mode == MODE_HW)
		ret = cover_hw(&c);
	else
		ret = cover_step(&c);
	if (ret < 0)
		goto cleanup;
	ret = check_consistency(&c);
	if (ret < 0)
		goto cleanup;

	report(&c);
	if (opt.list)
		list(&c);
	status = EXIT_SUCCESS;

cleanup:
	cov_free(&c);
	return status;
}
