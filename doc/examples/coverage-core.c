// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * coverage-core: the libkvmdbg half of a snapshot fuzzer's coverage: a one-shot software
 * breakpoint on every basic block, new coverage from the events, and the reset between
 * inputs from a RAM snapshot.
 *
 * The guest branches on one input byte.  The blocks are inserted in one call, and the VM does
 * without the signal guard (one vCPU on one thread).  Three inputs run; the program checks
 * which blocks each one newly covers.  The bookkeeping (breakpoints in and out of RAM, the
 * snapshot) is checked everywhere; running needs a kernel that reports int3 as
 * KVM_EXIT_DEBUG, and the program exits with 77 where the guest's own vector 3 gets it
 * instead.  doc/guide.md shows the parts between the snippet markers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define INPUT TINYVM_DATA

/* The guest: one input byte at INPUT, two paths, one end. */
__asm__(".pushsection .rodata.coverage_guest, \"a\"\n"
	".code16\n"
	"cov_guest:\n"
	"	mov " STR(INPUT) ", %al\n"
	"	cmp $0x41, %al\n"
	"	jne cov_other\n"
	"cov_a:\n"
	"	mov $1, %bl\n"
	"	jmp cov_end\n"
	"cov_other:\n"
	"	mov $2, %bl\n"
	"cov_end:\n"
	"	out %al, $" STR(TINYVM_DONE_PORT) "\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	"cov_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char cov_guest[], cov_a[], cov_other[], cov_end[], cov_guest_end[];

#define NR_BLOCKS 4
#define BLOCK(label) tinyvm_addr((uint16_t)((label) - cov_guest))

/* snippet: cov-insert */
/* One one-shot software breakpoint per basic block; then the snapshot, breakpoints in it. */
static int insert_coverage(struct vmm *v, const uint64_t *blocks, size_t n, uint8_t *snapshot)
{
	size_t failed = n;
	int ret;

	/* One vCPU thread, no signal handler that waits: no signal masking on each exit. */
	ret = kvmdbg_vm_set_signal_guard(v->dbg, false);
	if (ret < 0)
		return ret;
	/* No paging: addresses are guest-physical already; no vCPU call per breakpoint. */
	ret = kvmdbg_vm_set_memory_ops(v->dbg, NULL, NULL, kvmdbg_translate_identity, NULL);
	if (ret < 0)
		return ret;
	/* All of them or none; one translation per page, the VM's lock once per 4096 points. */
	ret = kvmdbg_vm_insert_many(v->dbg, KVMDBG_POINT_SW_BREAK, blocks, n, KVMDBG_POINT_ONESHOT,
				    NULL, NULL, &failed);
	if (ret < 0) {
		if (failed < n)
			fprintf(stderr, "block 0x%" PRIx64 ": %s\n", blocks[failed],
				strerror(-ret));
		return ret;
	}
	memcpy(snapshot, v->ram, v->ram_size);
	return 0;
}
/* snippet end */

/* snippet: cov-run */
/* Run one input; every block it reaches for the first time stops once. */
static int run_input(struct vmm *v, uint8_t *snapshot, unsigned int *ret_new)
{
	const struct kvmdbg_event *ev;
	int ret;

	*ret_new = 0;
	while ((ret = run_until_event(v, &ev)) == 1) {
		uint64_t addr;

		if (kvmdbg_event_get_type(ev) != KVMDBG_EVENT_SW_BREAKPOINT)
			return -EPROTO;	/* a crash report, in a real fuzzer */
		addr = kvmdbg_event_get_point_addr(ev);
		/* The original byte is back in RAM: copy it into the snapshot, so the next
		 * reset does not bring this breakpoint back; then forget the point. */
		memcpy(snapshot + addr, v->ram + addr, 1);
		ret = kvmdbg_vm_remove(v->dbg, KVMDBG_POINT_SW_BREAK, addr);
		if (ret < 0)
			return ret;
		(*ret_new)++;
	}
	return ret;
}
/* snippet end */

/* snippet: cov-reset */
/* Between inputs: RAM from the snapshot; registers back to the start. */
static int reset(struct vmm *v, const uint8_t *snapshot, uint8_t input)
{
	memcpy(v->ram, snapshot, v->ram_size);
	v->ram[INPUT] = input;
	/* Registers first: kvmdbg_vcpu_pre_run() comes after them in run_until_event(). */
	return tinyvm_start(&v->t, 0);
}
/* snippet end */

static int fail(const char *what)
{
	fprintf(stderr, "coverage-core: %s\n", what);
	return 1;
}

/* Where the kernel leaves int3 to the guest, the guest's vector 3 stub reports it. */
static bool int3_reached_guest(struct vmm *v)
{
	return tinyvm_exit_is_out(&v->t, TINYVM_TRAP_PORT);
}

int main(void)
{
	const uint64_t blocks[NR_BLOCKS] = { BLOCK(cov_guest), BLOCK(cov_a), BLOCK(cov_other),
					     BLOCK(cov_end) };
	static const struct {
		uint8_t input;
		unsigned int new_blocks;
	} inputs[] = {
		{ 'A', 3 },	/* start, the 'A' path, the end */
		{ 'B', 1 },	/* the other path only */
		{ 'A', 0 },	/* nothing new */
	};
	uint8_t *snapshot = NULL;
	unsigned int found;
	struct vmm v;
	int ret;

	alarm(30);
	ret = vmm_open(&v, "coverage-core", cov_guest, (size_t)(cov_guest_end - cov_guest));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	snapshot = malloc(v.ram_size);
	if (!snapshot) {
		ret = fail("out of memory");
		goto out;
	}

	ret = insert_coverage(&v, blocks, NR_BLOCKS, snapshot);
	if (ret < 0) {
		fprintf(stderr, "insert: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	/* Bookkeeping any host can check: int3 (0xcc) at every block, in RAM and snapshot. */
	for (int i = 0; i < NR_BLOCKS; i++) {
		if (v.ram[blocks[i]] != 0xcc || snapshot[blocks[i]] != 0xcc) {
			ret = fail("a breakpoint is not in guest memory");
			goto out;
		}
	}
	if (kvmdbg_vm_get_point_count(v.dbg) != NR_BLOCKS) {
		ret = fail("not one point per block");
		goto out;
	}

	for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
		ret = reset(&v, snapshot, inputs[k].input);
		if (ret < 0) {
			ret = fail("cannot reset the vCPU");
			goto out;
		}
		ret = run_input(&v, snapshot, &found);
		if (ret == -EPROTO && k == 0 && int3_reached_guest(&v)) {
			/* The probe: the first int3 went to the guest, not to us. */
			printf("coverage-core: skipped: this kernel leaves int3 to the guest "
			       "(no KVM_EXIT_DEBUG for software breakpoints)\n");
			ret = TINYVM_EXIT_SKIP;
			goto out;
		}
		if (ret < 0) {
			fprintf(stderr, "run: %s (%s)\n", strerror(-ret), tinyvm_exit_name(&v.t));
			ret = 1;
			goto out;
		}
		printf("input '%c': %u new blocks\n", inputs[k].input, found);
		if (found != inputs[k].new_blocks) {
			ret = fail("unexpected coverage");
			goto out;
		}
	}
	/* Every block covered: no breakpoint left, guest code as it was. */
	if (kvmdbg_vm_get_point_count(v.dbg) != 0 ||
	    memcmp(v.ram + TINYVM_CODE, cov_guest, (size_t)(cov_guest_end - cov_guest)) != 0) {
		ret = fail("breakpoints left behind");
		goto out;
	}
	ret = 0;

out:
	vmm_close(&v);
	free(snapshot);
	return ret;
}
