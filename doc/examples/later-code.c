// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * later-code: a software breakpoint in code that is not there yet, and kept there when the
 * guest loads that code again: KVMDBG_POINT_PENDING and KVMDBG_POINT_SELF_HEAL, planted and
 * healed at the stops where the guest's loader says it loaded code, with the pages KVM's
 * dirty log says the guest wrote.
 *
 * The guest is a loader in 64-bit mode: it maps a page that nothing mapped before, copies a
 * module there, calls its hook (where the debugger stops, as gdb stops at the dynamic
 * linker's), copies a second version of the module over the first, calls the hook again and
 * runs the module.  The program checks that the breakpoint at the module's entry cannot be
 * planted before the page is mapped, is planted at the first stop, planted again over the new
 * code at the second (the original bytes being the new code's), and leaves the new code
 * intact when it is removed.  Where the kernel reports int3 as KVM_EXIT_DEBUG it checks that
 * the breakpoint fires and that the guest runs the second version; elsewhere (a KVM that
 * emulates guest code) it exits with 77 after the other checks.  doc/guide.md shows the parts
 * between the snippet markers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vmm.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* Guest-physical: the page tables; the page the module goes to, unmapped at first. */
#define PML4 0x4000
#define TABLES 0x6000
#define MODULE 0xa000
#define MODULE_PTE TINYVM_PTE(TABLES, MODULE)
#define RAM_PAGES (TINYVM_RAM_SIZE / 4096)

/* The guest: map the module's page, load version 1, hook, load version 2, hook, run it. */
__asm__(".pushsection .rodata.later_guest, \"a\"\n"
	".code64\n"
	"lc_guest:\n"
	"	movq $(" STR(MODULE) " | 3), " STR(MODULE_PTE) "\n"
	"	lea lc_v1(%rip), %rsi\n"
	"	mov $" STR(MODULE) ", %edi\n"
	"	mov $(lc_v1_end - lc_v1), %ecx\n"
	"	cld\n"
	"	rep movsb\n"
	"	call lc_loaded\n"
	"	lea lc_v2(%rip), %rsi\n"
	"	mov $" STR(MODULE) ", %edi\n"
	"	mov $(lc_v2_end - lc_v2), %ecx\n"
	"	rep movsb\n"
	"	call lc_loaded\n"
	"	mov $" STR(MODULE) ", %eax\n"
	"	call *%rax\n"
	"	out %al, $" STR(TINYVM_DONE_PORT) "\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	"lc_loaded:\n"			/* the loader's hook: new code is in place */
	"	ret\n"
	"lc_v1:\n"
	"	mov $1, %eax\n"
	"	ret\n"
	"lc_v1_end:\n"
	"lc_v2:\n"
	"	nop\n"
	"	mov $2, %eax\n"
	"	ret\n"
	"lc_v2_end:\n"
	"lc_guest_end:\n"
	".popsection\n");

extern const unsigned char lc_guest[], lc_loaded[], lc_v1[], lc_v1_end[], lc_v2[], lc_v2_end[],
	lc_guest_end[];

#define ADDR(label) tinyvm_addr((uint16_t)((label) - lc_guest))

/* snippet: later-insert */
/* A breakpoint in code not loaded yet, kept when the guest loads other code over it. */
static int break_in_module(struct vmm *v, uint64_t addr, uint64_t *ret_id)
{
	return kvmdbg_vm_insert(v->dbg, KVMDBG_POINT_SW_BREAK, addr, 0,
				KVMDBG_POINT_PENDING | KVMDBG_POINT_SELF_HEAL, NULL, ret_id);
}
/* snippet end */

/* snippet: later-stop */
/* At a stop: plant what can be planted now, heal where the guest wrote since the last stop. */
static int at_stop(struct vmm *v, int *ret_planted, int *ret_healed)
{
	uint64_t dirty[(RAM_PAGES + 63) / 64] = { 0 };
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = dirty };
	int ret;

	/* pending breakpoints whose page the guest has mapped by now */
	ret = kvmdbg_vm_plant_pending(v->dbg);
	if (ret < 0)
		return ret;
	*ret_planted = ret;
	/* the pages the guest wrote since the last stop (the slot logs dirty pages) */
	if (ioctl(v->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
		return -errno;
	*ret_healed = 0;
	for (uint64_t page = 0; page < RAM_PAGES; page++) {
		if (!(dirty[page / 64] & (1ull << (page % 64))))
			continue;
		/* guest-physical: the slot starts at 0 */
		ret = kvmdbg_vm_heal(v->dbg, page * 4096, 4096);
		if (ret < 0)
			return ret;
		*ret_healed += ret;
	}
	return 0;
}
/* snippet end */

static int fail(const char *what)
{
	fprintf(stderr, "later-code: %s\n", what);
	return 1;
}

/* Log the dirty pages of the one memory slot from now on. */
static int log_dirty_pages(struct vmm *v)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0,
		.flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = 0,
		.memory_size = v->ram_size,
		.userspace_addr = (uint64_t)(uintptr_t)v->ram,
	};

	return ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -errno : 0;
}

/* What the snapshot of the point says, against what is expected. */
static int check_point(struct vmm *v, uint64_t id, bool pending, uint64_t heals)
{
	struct kvmdbg_point *p;
	bool ok;

	if (kvmdbg_vm_get_point(v->dbg, id, &p) < 0)
		return fail("no snapshot of the breakpoint");
	ok = kvmdbg_point_is_pending(p) == pending && kvmdbg_point_get_heal_count(p) == heals;
	kvmdbg_point_free(p);
	return ok ? 0 : fail("the point is not as expected");
}

/* RAM has int3 at the module's entry, and the guest's program sees the byte it loaded there. */
static int check_planted(struct vmm *v, uint8_t loaded)
{
	uint8_t byte = 0;

	if (v->ram[MODULE] != 0xcc)
		return fail("no int3 at the module's entry");
	if (kvmdbg_vm_read_memory(v->dbg, NULL, MODULE, &byte, 1) < 0 || byte != loaded)
		return fail("the original byte is not the loaded code's");
	return 0;
}

/* Run to the next stop, which must be the hook, and do what a debugger does there. */
static int stop_at_hook(struct vmm *v, int planted, int healed)
{
	const struct kvmdbg_event *ev;
	int got_planted, got_healed;
	int ret;

	ret = run_until_event(v, &ev);
	if (ret <= 0 || kvmdbg_event_get_type(ev) != KVMDBG_EVENT_HW_BREAKPOINT ||
	    kvmdbg_event_get_pc(ev) != ADDR(lc_loaded)) {
		fprintf(stderr, "later-code: expected the loader's hook (%s)\n",
			ret < 0 ? strerror(-ret) : tinyvm_exit_name(&v->t));
		return 1;
	}
	ret = at_stop(v, &got_planted, &got_healed);
	if (ret < 0) {
		fprintf(stderr, "later-code: at the hook: %s\n", strerror(-ret));
		return 1;
	}
	printf("at the hook: %d planted, %d healed\n", got_planted, got_healed);
	if (got_planted != planted || got_healed != healed)
		return fail("expected otherwise");
	return 0;
}

int main(void)
{
	const size_t v2_size = (size_t)(lc_v2_end - lc_v2);
	const struct kvmdbg_event *ev;
	bool fired = false;
	uint16_t ax = 0;
	uint64_t id = 0;
	struct vmm v;
	int ret;

	alarm(30);
	ret = vmm_open(&v, "later-code", lc_guest, (size_t)(lc_guest_end - lc_guest));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	tinyvm_identity_map(&v.t, PML4, TABLES);
	memset(v.ram + MODULE_PTE, 0, 8);	/* the loader maps it */
	ret = tinyvm_start_paged(&v.t, 0, PML4);
	if (ret == 0)
		ret = log_dirty_pages(&v);
	if (ret < 0) {
		printf("later-code: skipped: no paging or no dirty log here: %s\n", strerror(-ret));
		ret = TINYVM_EXIT_SKIP;
		goto out;
	}

	/* Not mapped yet: refused without KVMDBG_POINT_PENDING, kept with it. */
	ret = kvmdbg_vm_insert(v.dbg, KVMDBG_POINT_SW_BREAK, MODULE, 0, 0, NULL, NULL);
	if (ret != -EFAULT) {
		ret = fail("a breakpoint in an unmapped page was not refused");
		goto out;
	}
	ret = break_in_module(&v, MODULE, &id);
	if (ret < 0) {
		fprintf(stderr, "later-code: pending breakpoint: %s\n", strerror(-ret));
		ret = ret == -EOPNOTSUPP ? TINYVM_EXIT_SKIP : 1;
		goto out;
	}
	if (check_point(&v, id, true, 0) || v.ram[MODULE] != 0) {
		ret = 1;
		goto out;
	}
	/* The debugger's stop where the loader says it loaded code. */
	ret = kvmdbg_vm_insert(v.dbg, KVMDBG_POINT_HW_BREAK, ADDR(lc_loaded), 0, 0, NULL, NULL);
	if (ret < 0) {
		fprintf(stderr, "later-code: hook breakpoint: %s\n", strerror(-ret));
		ret = ret == -EOPNOTSUPP || ret == -ENOSPC ? TINYVM_EXIT_SKIP : 1;
		goto out;
	}

	/* Version 1 loaded: the pending breakpoint is planted over it. */
	if (stop_at_hook(&v, 1, 0) || check_point(&v, id, false, 0) ||
	    check_planted(&v, lc_v1[0])) {
		ret = 1;
		goto out;
	}
	/* Version 2 loaded over it: planted again, over the new code. */
	if (stop_at_hook(&v, 0, 1) || check_point(&v, id, false, 1) ||
	    check_planted(&v, lc_v2[0])) {
		ret = 1;
		goto out;
	}

	/* The module runs: the breakpoint at its entry stops it, then version 2 runs. */
	ret = run_until_event(&v, &ev);
	if (ret > 0 && kvmdbg_event_get_type(ev) == KVMDBG_EVENT_SW_BREAKPOINT &&
	    kvmdbg_event_get_point_id(ev) == id) {
		fired = true;
		ret = run_until_event(&v, &ev);
		if (ret != 0 || tinyvm_get_ax(&v.t, &ax) < 0 || ax != 2) {
			ret = fail("version 2 did not run to the end");
			goto out;
		}
	} else if (ret == -EPROTO && (v.run->exit_reason == KVM_EXIT_INTERNAL_ERROR ||
				      v.run->exit_reason == KVM_EXIT_SHUTDOWN)) {
		printf("later-code: this kernel does not report int3 as KVM_EXIT_DEBUG (%s)\n",
		       tinyvm_exit_name(&v.t));
	} else {
		fprintf(stderr, "later-code: expected the breakpoint at the module's entry (%s)\n",
			ret < 0 ? strerror(-ret) : tinyvm_exit_name(&v.t));
		ret = 1;
		goto out;
	}

	/* Removed: the module's code is version 2's, byte for byte. */
	ret = kvmdbg_vm_remove(v.dbg, KVMDBG_POINT_SW_BREAK, MODULE);
	if (ret != 0 || memcmp(v.ram + MODULE, lc_v2, v2_size) != 0) {
		ret = fail("removing the breakpoint did not leave version 2's code");
		goto out;
	}
	if (!fired) {
		printf("later-code: skipped: the breakpoint could not fire here; everything else "
		       "was checked\n");
		ret = TINYVM_EXIT_SKIP;
		goto out;
	}
	ret = 0;

out:
	vmm_close(&v);
	return ret;
}
