// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * spaces: a breakpoint that fires in one address space only, as a debugger of one process
 * wants it when other processes run the same shared code.
 *
 * The guest is two "processes" A and B: two top-level page tables (two CR3 values) over the
 * same mappings, so both run the routine at the same address.  It calls the routine in B, switches
 * to A, where the debugger stops it once and scopes a hardware breakpoint on the routine to
 * A's address space, then calls it in A, B and A.  The program checks that the breakpoint
 * stops the vCPU twice, both times in A, that B's call is stepped over unseen and counted,
 * and that the guest ran every call.  doc/guide.md shows the parts between the snippet
 * markers.  Exits with 77 when there is no usable KVM or hardware breakpoints are not
 * delivered here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmm.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Guest-physical: the two top-level page tables and the tables below, which they share. */
#define SPACE_A 0x4000
#define SPACE_B 0x5000
#define TABLES 0x6000
#define CALLS TINYVM_DATA	/* the routine counts its calls here */

/* The guest: the shared routine called in B, A, B, A. */
__asm__(".pushsection .rodata.spaces_guest, \"a\"\n"
	".code64\n"
	"sp_guest:\n"
	"	call sp_shared\n"		/* B, before the debugger looks */
	"	mov $" STR(SPACE_A) ", %eax\n"
	"	mov %rax, %cr3\n"
	"sp_in_a:\n"				/* the debugger stops A here */
	"	call sp_shared\n"
	"	mov $" STR(SPACE_B) ", %eax\n"
	"	mov %rax, %cr3\n"
	"	call sp_shared\n"
	"	mov $" STR(SPACE_A) ", %eax\n"
	"	mov %rax, %cr3\n"
	"	call sp_shared\n"
	"	out %al, $" STR(TINYVM_DONE_PORT) "\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	"sp_shared:\n"
	"	incl " STR(CALLS) "\n"
	"	ret\n"
	"sp_guest_end:\n"
	".popsection\n");

extern const unsigned char sp_guest[], sp_in_a[], sp_shared[], sp_guest_end[];

#define ADDR(label) tinyvm_addr((uint16_t)((label) - sp_guest))

/* snippet: space-insert */
/* Stopped in the process to debug: a breakpoint that fires in its address space only. */
static int break_in_this_process(struct vmm *v, uint64_t addr, uint64_t *ret_id)
{
	uint64_t space;
	int ret;

	/* x86: the page-table root in CR3 (under KPTI, a stop in user mode gives the user one) */
	ret = kvmdbg_vcpu_get_space(v->dbg_vcpu, &space);
	if (ret < 0)
		return ret;
	return kvmdbg_vm_insert_in_space(v->dbg, KVMDBG_POINT_HW_BREAK, addr, 0, 0, space, NULL,
					 ret_id);
}
/* snippet end */

/* snippet: space-report */
/* How often the point fired in its space, and how often another one ran through it. */
static void print_scoped(struct kvmdbg_vm *vm, uint64_t id)
{
	struct kvmdbg_point *p;
	uint64_t space;

	if (kvmdbg_vm_get_point(vm, id, &p) < 0)
		return;
	if (kvmdbg_point_get_space(p, &space) == 0)
		printf("0x%" PRIx64 " in space 0x%" PRIx64 ": %" PRIu64 " hits, %" PRIu64
		       " stepped over in other spaces\n", kvmdbg_point_get_addr(p), space,
		       kvmdbg_point_get_hit_count(p), kvmdbg_point_get_foreign_hits(p));
	kvmdbg_point_free(p);
}
/* snippet end */

static int fail(const char *what)
{
	fprintf(stderr, "spaces: %s\n", what);
	return 1;
}

/* The next stop must be the hardware breakpoint at addr, in address space A. */
static int expect_stop(struct vmm *v, uint64_t addr, const char *what)
{
	const struct kvmdbg_event *ev;
	uint64_t space = 0;
	int ret;

	ret = run_until_event(v, &ev);
	if (ret < 0) {
		fprintf(stderr, "spaces: %s: %s (%s)\n", what, strerror(-ret),
			tinyvm_exit_name(&v->t));
		return 1;
	}
	if (ret == 0 || kvmdbg_event_get_type(ev) != KVMDBG_EVENT_HW_BREAKPOINT ||
	    kvmdbg_event_get_pc(ev) != addr) {
		fprintf(stderr, "spaces: %s: expected a hardware breakpoint at 0x%" PRIx64 "\n",
			what, addr);
		return 1;
	}
	ret = kvmdbg_vcpu_get_space(v->dbg_vcpu, &space);
	if (ret < 0 || space != SPACE_A) {
		fprintf(stderr, "spaces: %s: in space 0x%" PRIx64 ", not A\n", what, space);
		return 1;
	}
	printf("%s: stopped at 0x%" PRIx64 " in space 0x%" PRIx64 "\n", what, addr, space);
	return 0;
}

int main(void)
{
	const struct kvmdbg_event *ev;
	struct kvmdbg_point *p = NULL;
	uint64_t id = 0;
	uint32_t calls;
	struct vmm v;
	int ret;

	alarm(30);
	ret = vmm_open(&v, "spaces", sp_guest, (size_t)(sp_guest_end - sp_guest));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	tinyvm_identity_map(&v.t, SPACE_A, TABLES);
	tinyvm_identity_map(&v.t, SPACE_B, TABLES);
	ret = tinyvm_start_paged(&v.t, 0, SPACE_B);
	if (ret < 0) {
		printf("spaces: skipped: cannot start the vCPU with paging: %s\n", strerror(-ret));
		ret = TINYVM_EXIT_SKIP;
		goto out;
	}

	/* The debugger's first stop, in process A: an ordinary breakpoint, once. */
	ret = kvmdbg_vm_insert(v.dbg, KVMDBG_POINT_HW_BREAK, ADDR(sp_in_a), 0,
			       KVMDBG_POINT_ONESHOT, NULL, NULL);
	if (ret < 0) {
		fprintf(stderr, "spaces: breakpoint: %s\n", strerror(-ret));
		ret = ret == -EOPNOTSUPP || ret == -ENOSPC ? TINYVM_EXIT_SKIP : 1;
		goto out;
	}
	ret = run_until_event(&v, &ev);
	if (ret == 0 || (ret > 0 && kvmdbg_event_get_type(ev) != KVMDBG_EVENT_HW_BREAKPOINT)) {
		printf("spaces: skipped: this kernel does not deliver hardware breakpoints "
		       "(the guest ran past one)\n");
		ret = TINYVM_EXIT_SKIP;
		goto out;
	}
	if (ret < 0) {
		fprintf(stderr, "spaces: run: %s (%s)\n", strerror(-ret), tinyvm_exit_name(&v.t));
		ret = 1;
		goto out;
	}
	if (kvmdbg_event_get_pc(ev) != ADDR(sp_in_a)) {
		ret = fail("the first stop is not in process A");
		goto out;
	}

	ret = break_in_this_process(&v, ADDR(sp_shared), &id);
	if (ret < 0) {
		fprintf(stderr, "spaces: scoped breakpoint: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}
	/* A's call stops; B's is stepped over unseen; A's second call stops. */
	if (expect_stop(&v, ADDR(sp_shared), "A's first call") ||
	    expect_stop(&v, ADDR(sp_shared), "A's second call")) {
		ret = 1;
		goto out;
	}
	ret = run_until_event(&v, &ev);
	if (ret != 0) {
		ret = fail("the guest did not finish after A's second call");
		goto out;
	}
	print_scoped(v.dbg, id);

	ret = kvmdbg_vm_get_point(v.dbg, id, &p);
	if (ret < 0) {
		ret = fail("no snapshot of the scoped point");
		goto out;
	}
	memcpy(&calls, v.ram + CALLS, sizeof(calls));
	if (kvmdbg_point_get_hit_count(p) != 2 || kvmdbg_point_get_foreign_hits(p) != 1 ||
	    calls != 4) {
		fprintf(stderr, "spaces: %" PRIu64 " hits, %" PRIu64 " foreign, %" PRIu32
			" calls; expected 2, 1, 4\n", kvmdbg_point_get_hit_count(p),
			kvmdbg_point_get_foreign_hits(p), calls);
		ret = 1;
		goto out;
	}
	ret = 0;

out:
	kvmdbg_point_free(p);
	vmm_close(&v);
	return ret;
}
