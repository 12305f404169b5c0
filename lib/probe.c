// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Which accepted features the host really delivers.  A kernel can take a guest-debug request
 * and never act on it (this project's PVM development host takes USE_SW_BP and wedges at the
 * first int3, takes data watchpoints and never fires them; stock QEMU's nested SVM drops DR7).
 * Only running a guest shows it: kvmdbg_vm_probe() runs one tiny real-mode guest per feature
 * in a throwaway VM (lib/kernel.c's trial run) and checks that the exit came where it should.
 *
 * The guests, at guest-physical 0x1000 with CS = 0 (so the linear pc is the offset), each
 * ending in "out 0x10, al; hlt"; every interrupt vector points at "out 0x11, al; hlt" at
 * 0x2000, so that an exception the kernel hands to the guest instead (an int3, a #DB) ends in
 * an I/O exit too.  Real mode is the one mode that needs no tables, and on hosts that emulate
 * some modes and run others natively (PVM: guest user mode) it answers for emulated code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

#define CODE 0x1000
#define HANDLER 0x2000
#define DATA 0x800
#define PORT_END 0x10

#define X86_DR6_B0 0x1ull
#define X86_DR6_BS 0x4000ull

struct probe_guest {
	enum kvmdbg_feature feature;
	uint8_t code[8];
	uint32_t req;	   /* enum req besides ENABLE */
	uint8_t slot_kind; /* slot 0, or SLOT_OFF */
	uint64_t slot_addr;
	uint32_t exception; /* the exit that says "delivered" */
	uint64_t pc;
	uint64_t dr6_bit;
};

static const struct probe_guest guests[] = {
	{
		/* nop; nop; out: the step exit after the first nop */
		.feature = KVMDBG_FEATURE_SINGLE_STEP,
		.code = { 0x90, 0x90, 0xe6, PORT_END, 0xf4 },
		.req = REQ_STEP,
		.exception = 1,
		.pc = CODE + 1,
		.dr6_bit = X86_DR6_BS,
	},
	{
		/* nop; int3; out: a #BP exit at the int3 */
		.feature = KVMDBG_FEATURE_SW_BREAKPOINT,
		.code = { 0x90, 0xcc, 0xe6, PORT_END, 0xf4 },
		.req = REQ_SW_BP,
		.exception = 3,
		.pc = CODE + 1,
	},
	{
		/* nop; nop; out with DR0 on the second nop */
		.feature = KVMDBG_FEATURE_HW_BREAKPOINT,
		.code = { 0x90, 0x90, 0xe6, PORT_END, 0xf4 },
		.req = REQ_HW,
		.slot_kind = SLOT_EXEC,
		.slot_addr = CODE + 1,
		.exception = 1,
		.pc = CODE + 1,
		.dr6_bit = X86_DR6_B0,
	},
	{
		/* mov [DATA], al; nop; out with a 1-byte write watchpoint on DATA */
		.feature = KVMDBG_FEATURE_WATCH_WRITE,
		.code = { 0xa2, DATA & 0xff, DATA >> 8, 0x90, 0xe6, PORT_END, 0xf4 },
		.req = REQ_HW,
		.slot_kind = SLOT_WRITE,
		.slot_addr = DATA,
		.exception = 1,
		.pc = CODE + 3,
		.dr6_bit = X86_DR6_B0,
	},
	{
		/* mov al, [DATA]; nop; out with a 1-byte read-or-write watchpoint on DATA */
		.feature = KVMDBG_FEATURE_WATCH_ACCESS,
		.code = { 0xa0, DATA & 0xff, DATA >> 8, 0x90, 0xe6, PORT_END, 0xf4 },
		.req = REQ_HW,
		.slot_kind = SLOT_ACCESS,
		.slot_addr = DATA,
		.exception = 1,
		.pc = CODE + 3,
		.dr6_bit = X86_DR6_B0,
	},
};

static void build_memory(uint8_t *mem, const struct probe_guest *g)
{
	static const uint8_t handler[] = { 0xe6, PORT_END + 1, 0xf4 };

	memset(mem, 0, TRIAL_MEM);
	/* every real-mode vector (offset, segment) at the handler */
	for (unsigned int v = 0; v < 256; v++) {
		mem[4 * v] = HANDLER & 0xff;
		mem[4 * v + 1] = HANDLER >> 8;
	}
	memcpy(mem + HANDLER, handler, sizeof(handler));
	memcpy(mem + CODE, g->code, sizeof(g->code));
}

/* Run one guest: KVMDBG_SUPPORT_DELIVERED or _NOT_DELIVERED, or -errno. */
static int probe_one(int kvm_fd, const struct arch *arch, const struct probe_guest *g, uint8_t *mem)
{
	struct debug_state st;
	struct trial_exit ex;
	uint8_t image[MAX_GUEST_DEBUG];
	uint8_t aux[MAX_AUX];
	int ret;

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | g->req;
	if (g->slot_kind != SLOT_OFF)
		st.slots[BANK_BP][0] = (struct hw_slot){
			.kind = g->slot_kind,
			.addr = g->slot_addr,
			.len = 1,
		};
	arch->pack(arch, &st, arch_control(arch, st.req), image, aux, 0);
	build_memory(mem, g);
	/* a signal may interrupt KVM_RUN before the guest ran: try again, a few times */
	for (int tries = 0; tries < 3; tries++) {
		ret = kernel_trial_run(kvm_fd, mem, CODE, image, arch->guest_debug_size, &ex);
		if (ret < 0)
			return ret;
		if (ex.run_err != -EINTR)
			break;
	}
	if (ex.debug_err || ex.run_err || ex.reason != EXIT_REASON_DEBUG)
		return KVMDBG_SUPPORT_NOT_DELIVERED;
	if (ex.exception != g->exception || ex.pc != g->pc ||
	    (g->dr6_bit && !(ex.dr6 & g->dr6_bit)))
		return KVMDBG_SUPPORT_NOT_DELIVERED;
	return KVMDBG_SUPPORT_DELIVERED;
}

_public_ int kvmdbg_vm_probe(struct kvmdbg_vm *vm, int kvm_fd)
{
	uint8_t results[sizeof(vm->probed)];
	uint8_t *mem;
	int ret = 0;

	if (!vm || kvm_fd < 0)
		return -EINVAL;
	if (vm->arch != &arch_x86)
		return -EOPNOTSUPP;
	mem = calloc(1, TRIAL_MEM);
	if (!mem)
		return -ENOMEM;
	memset(results, 0, sizeof(results));
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++) {
		const struct probe_guest *g = &guests[i];

		/* what the kernel refuses anyway is not worth a guest */
		if (kvmdbg_vm_has_feature(vm, g->feature) != 1)
			continue;
		ret = probe_one(kvm_fd, vm->arch, g, mem);
		if (ret < 0)
			break;
		results[g->feature] = (uint8_t)ret;
	}
	free(mem);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&vm->lock);
	memcpy(vm->probed, results, sizeof(results));
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

_public_ int kvmdbg_vm_get_support(struct kvmdbg_vm *vm, enum kvmdbg_feature feature)
{
	int ret = kvmdbg_vm_has_feature(vm, feature);

	if (ret <= 0)
		return ret < 0 ? ret : KVMDBG_SUPPORT_NONE;
	pthread_mutex_lock(&vm->lock);
	ret = vm->probed[feature] ? vm->probed[feature] : KVMDBG_SUPPORT_ACCEPTED;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}
