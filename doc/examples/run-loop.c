// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * run-loop: a VMM's run loop with libkvmdbg: capabilities, probed on a real guest, a VM-wide
 * hardware breakpoint in a loop, its events, and the error convention.  doc/guide.md shows the
 * parts between the snippet markers; the program checks what it sees and exits with 1 on a
 * mismatch, 77 when there is no usable KVM or no delivered hardware breakpoint.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm.h"

#define LOOPS 3
#define STR_(x) #x
#define STR(x) STR_(x)

/* The guest: ax counts LOOPS iterations of a loop, then the guest reports it is done. */
__asm__(".pushsection .rodata.run_loop_guest, \"a\"\n"
	".code16\n"
	"loop_guest:\n"
	"	mov $" STR(LOOPS) ", %cx\n"
	"	xor %ax, %ax\n"
	"loop_guest_body:\n"
	"	inc %ax\n"
	"	loop loop_guest_body\n"
	"	out %al, $" STR(TINYVM_DONE_PORT) "\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	"loop_guest_end:\n"
	".code64\n"
	".popsection\n");

extern const unsigned char loop_guest[], loop_guest_body[], loop_guest_end[];

/* snippet: lib-caps */
static void print_caps(struct kvmdbg_vm *vm, int kvm_fd)
{
	static const struct {
		enum kvmdbg_feature feature;
		const char *name;
	} features[] = {
		{ KVMDBG_FEATURE_SINGLE_STEP, "single-step" },
		{ KVMDBG_FEATURE_SW_BREAKPOINT, "software breakpoints" },
		{ KVMDBG_FEATURE_HW_BREAKPOINT, "hardware breakpoints" },
		{ KVMDBG_FEATURE_WATCH_WRITE, "write watchpoints" },
		{ KVMDBG_FEATURE_WATCH_READ, "read watchpoints" },
		{ KVMDBG_FEATURE_WATCH_ACCESS, "read-or-write watchpoints" },
		{ KVMDBG_FEATURE_STEP_BLOCK_IRQ, "no interrupts while stepping" },
		{ KVMDBG_FEATURE_REINJECT, "hand guest exceptions back" },
	};
	static const char *const support[] = {
		[KVMDBG_SUPPORT_NONE] = "no",
		[KVMDBG_SUPPORT_ACCEPTED] = "accepted (not probed)",
		[KVMDBG_SUPPORT_NOT_DELIVERED] = "accepted, but not delivered here",
		[KVMDBG_SUPPORT_DELIVERED] = "yes, seen working",
	};
	uint32_t mask = 0;
	int ret;

	/* Opt-in (x86): a tiny guest per feature in a throwaway VM; this VM is not touched. */
	ret = kvmdbg_vm_probe(vm, kvm_fd);
	if (ret < 0)
		printf("not probed (%s): what the kernel accepts only\n", strerror(-ret));
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		ret = kvmdbg_vm_get_support(vm, features[i].feature);
		printf("%-30s %s\n", features[i].name, ret < 0 ? strerror(-ret) : support[ret]);
	}
	printf("%-30s %d breakpoints, %d watchpoints\n", "hardware slots",
	       kvmdbg_vm_get_hw_slots(vm, false), kvmdbg_vm_get_hw_slots(vm, true));
	kvmdbg_vm_get_control_mask(vm, &mask);
	printf("%-30s 0x%" PRIx32 "\n", "KVM_SET_GUEST_DEBUG control", mask);
}
/* snippet end */

/* snippet: lib-event */
static void print_event(const struct kvmdbg_event *ev)
{
	uint64_t data_addr;

	printf("%s at 0x%" PRIx64, kvmdbg_event_type_name(kvmdbg_event_get_type(ev)),
	       kvmdbg_event_get_pc(ev));
	/* what the event says of its point is a copy: true even after the point is gone */
	if (kvmdbg_event_get_point_id(ev))
		printf(", point 0x%" PRIx64 " hit %" PRIu64 " times",
		       kvmdbg_event_get_point_addr(ev), kvmdbg_event_get_hit_count(ev));
	if (kvmdbg_event_get_slot(ev) >= 0)
		printf(", slot %d", kvmdbg_event_get_slot(ev));
	if (kvmdbg_event_get_data_addr(ev, &data_addr) == 0)
		printf(", data 0x%" PRIx64, data_addr);
	printf("\n");
}
/* snippet end */

/* snippet: lib-errors */
/* What the error codes mean: nothing was changed by a call that failed. */
static void show_errors(struct kvmdbg_vm *vm, uint64_t code_addr, uint64_t data_addr)
{
	int ret;

	ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_READ, data_addr, 2, 0, NULL, NULL);
	if (ret == -EOPNOTSUPP)	/* x86 has no read-only watchpoints */
		printf("read watchpoint: %s\n", strerror(-ret));
	ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_WATCH_WRITE, data_addr + 1, 2, 0, NULL, NULL);
	if (ret == -EINVAL)	/* 2 bytes must be 2-byte aligned */
		printf("misaligned watchpoint: %s\n", strerror(-ret));
	ret = kvmdbg_vm_insert(vm, KVMDBG_POINT_HW_BREAK, code_addr, 1, 0, NULL, NULL);
	if (ret == -EEXIST)	/* one point per type and address */
		printf("second breakpoint at 0x%" PRIx64 ": %s\n", code_addr, strerror(-ret));
}
/* snippet end */

/* What the sample expects: LOOPS stops at the breakpoint, nothing else. */
static uint64_t expected_point;
static unsigned int stops;
static bool unexpected;

static void report(const struct kvmdbg_event *ev)
{
	print_event(ev);
	stops++;
	if (kvmdbg_event_get_type(ev) != KVMDBG_EVENT_HW_BREAKPOINT ||
	    kvmdbg_event_get_point_id(ev) != expected_point ||
	    kvmdbg_event_get_pc(ev) != kvmdbg_event_get_point_addr(ev) ||
	    kvmdbg_event_get_hit_count(ev) != stops)
		unexpected = true;
}

/* The VMM's own exit handling: 1 to run on, 0 when the guest is done. */
static int handle(struct vmm *v)
{
	if (tinyvm_exit_is_out(&v->t, TINYVM_DONE_PORT))
		return 0;
	fprintf(stderr, "run-loop: unexpected %s\n", tinyvm_exit_name(&v->t));
	unexpected = true;
	return 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "run-loop: %s\n", what);
	return 1;
}

int main(void)
{
	const uint64_t body = tinyvm_addr((uint16_t)(loop_guest_body - loop_guest));
	const struct kvmdbg_event *ev;
	struct kvmdbg_vcpu *vcpu;
	uint64_t point;
	struct vmm v;
	int vcpu_fd;
	uint16_t ax;
	int ret;

	alarm(30);
	ret = vmm_open(&v, "run-loop", loop_guest, (size_t)(loop_guest_end - loop_guest));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	vcpu = v.dbg_vcpu;
	vcpu_fd = v.vcpu_fd;
	print_caps(v.dbg, v.t.kvm_fd);
	if (kvmdbg_vm_has_feature(v.dbg, KVMDBG_FEATURE_HW_BREAKPOINT) != 1 ||
	    kvmdbg_vm_get_support(v.dbg, KVMDBG_FEATURE_HW_BREAKPOINT) ==
		    KVMDBG_SUPPORT_NOT_DELIVERED) {
		printf("run-loop: skipped: no hardware breakpoints delivered here\n");
		vmm_close(&v);
		return TINYVM_EXIT_SKIP;
	}

	/* snippet: lib-insert */
	ret = kvmdbg_vm_insert(v.dbg, KVMDBG_POINT_HW_BREAK, body, 1, 0, NULL, &point);
	if (ret < 0) {
		fprintf(stderr, "breakpoint at 0x%" PRIx64 ": %s\n", body, strerror(-ret));
		goto out;
	}
	/* snippet end */
	expected_point = point;

	/* Each iteration stops at the breakpoint; running again steps over it. */
	/* snippet: man-loop */
	for (;;) {
		ret = kvmdbg_vcpu_pre_run(vcpu);
		if (ret < 0)
			break;
		ret = ioctl(vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		ret = kvmdbg_vcpu_handle_exit(vcpu, ret, &ev);
		if (ret < 0)
			break;
		if (ret == KVMDBG_EXIT_EVENT)
			report(ev);	/* a debug event */
		else if (ret == KVMDBG_EXIT_NOT_DEBUG && !handle(&v))
			break;		/* the VMM's own exit said: done */
	}
	/* snippet end */
	if (ret < 0) {
		fprintf(stderr, "run: %s\n", strerror(-ret));
		goto out;
	}
	if (unexpected || stops != LOOPS || tinyvm_get_ax(&v.t, &ax) < 0 || ax != LOOPS) {
		ret = fail("not one stop per iteration");
		goto out;
	}
	printf("the guest ended after %u stops with ax = %u\n", stops, ax);

	show_errors(v.dbg, body, TINYVM_DATA);
	if (kvmdbg_vm_get_point_count(v.dbg) != 1) {
		ret = fail("a failed insert changed the point table");
		goto out;
	}
	ret = kvmdbg_vm_remove(v.dbg, KVMDBG_POINT_HW_BREAK, body);
	if (ret != 0) {
		ret = fail("cannot remove the breakpoint");
		goto out;
	}
	ret = 0;

out:
	vmm_close(&v);
	return ret < 0 ? 1 : ret;
}
