// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A model of upstream KVM's guest debugging (see model.h).
 *
 * Sources: Linux 6.1 to 7.2 (torvalds/linux), read through the project's search tools; the
 * research notes in shared/research/ (upstream-kvm-locations.md has the line numbers of 7.2.13).
 * Every rule says "checked:" where it was or can be compared with a real kernel: this host's
 * /dev/kvm (a PVM build: what it shares with upstream, host-kvm.md), the vm tier's kvm_amd and
 * arm64 machines (authentic-kvm.md), or "not checked against a real kernel".
 *
 * The model is written from the kernel, never from the library: it has its own byte-order
 * helpers and its own layouts, so that a wrong layout in the library shows up as a mismatch.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "arch/arch.h"
#include "fake-kernel.h"
#include "model.h"
#include "u64map.h"

/* ------------------------------------------------------------------ common definitions */

/* include/uapi/linux/kvm.h: exit reasons, the same on every architecture. */
#define EXIT_IO 2
#define EXIT_DEBUG 4
#define EXIT_HLT 5
#define EXIT_MMIO 6
#define EXIT_INTR 10
#define EXIT_S390_SIEIC 13

/* struct kvm_run: immediate_exit u8 @1, exit_reason u32 @8, flags u16 @14 (every arch). */
#define RUN_IMMEDIATE_EXIT 1
#define RUN_EXIT_REASON 8
#define RUN_FLAGS 14
/* the exit union: @32, on s390 @48 (psw_mask @32 and psw_addr @40 come first) */
#define RUN_UNION 32
#define S390_RUN_PSW_MASK 32
#define S390_RUN_PSW_ADDR 40
#define S390_RUN_UNION 48
#define RUN_UNION_SIZE 256

/* capability numbers (include/uapi/linux/kvm.h) */
#define CAP_SET_GUEST_DEBUG 23
#define CAP_PPC_BOOKE_SREGS 62
#define CAP_HW_BPS 119
#define CAP_HW_WPS 120
#define CAP_S390_USER_INSTR0 130
#define CAP_PPC_SSTEP 176
#define CAP_SET_GUEST_DEBUG2 195

/* ONE_REG ids (arch uapi headers) */
#define REG_ARM64_PC 0x6030000000100040ull
#define REG_RISCV_PC 0x8030000002000000ull
#define REG_PPC_DEBUG_INST 0x102000000000008bull

#define MAX_INSNS 12000
#define MAX_VCPUS 8
#define MAX_PAGES 64

struct model_vcpu {
	struct model *m;
	int fd;
	uint8_t *run;
	uint64_t pc;
	uint32_t guest_debug;
	uint64_t retired;
	struct model_exit exit;
	bool signal;
	unsigned int exceptions;
	unsigned int sgd_calls;

	/* a userspace exit the next KVM_RUN completes first */
	enum { PEND_NONE = 0, PEND_MMIO_STORE, PEND_MMIO_LOAD, PEND_PIO_OUT, PEND_PIO_OUTS } pend;
	uint8_t pend_len;

	/* x86 */
	uint64_t eff_db[4];
	uint64_t dr7;
	uint64_t singlestep_rip;
	bool hw_tf;
	bool rf;
	uint32_t inject; /* KVM_GUESTDBG_INJECT_* queued */

	/* arm64 */
	uint64_t bcr[16], bvr[16], wcr[16], wvr[16];

	/* ppc */
	struct { uint64_t addr; uint32_t type; } bp[16];
	uint32_t dbcr0_ic; /* BookE: DBCR0.IC single-step */

	/* s390 */
	struct { uint64_t addr, phys, len; uint8_t type; uint8_t old[100]; } s390_bp[50];
	unsigned int s390_nr;
	uint64_t s390_last_bp;
};

struct model {
	enum model_arch arch;
	bool be;
	uint64_t ram_gpa;
	size_t ram_size;
	uint8_t *ram;
	struct u64map insns; /* pc -> index + 1 */
	struct model_insn *prog;
	unsigned int nr_prog;
	uint64_t page_size;
	struct { uint64_t va, pa; } pages[MAX_PAGES];
	unsigned int nr_pages;
	struct model_vcpu *vcpus[MAX_VCPUS];
	unsigned int nr_vcpus;
	unsigned int hw_bps, hw_wps;
	bool user_instr0_offered, user_instr0;
	bool x86_emulate_all;
	bool ppc_problem_state;
	unsigned int budget;
	uint64_t garbage;
	unsigned int errors;
	char error[512];
	uint32_t store_seq;
};

static void put_n(uint8_t *p, uint64_t v, int n, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_n(const uint8_t *p, int n, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

static void model_err(struct model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void model_err(struct model *m, const char *fmt, ...)
{
	va_list ap;

	m->errors++;
	if (m->errors > 1)
		return; /* keep the first: it is the cause */
	va_start(ap, fmt);
	vsnprintf(m->error, sizeof(m->error), fmt, ap);
	va_end(ap);
}

static uint64_t next_garbage(struct model *m)
{
	/* splitmix64 */
	uint64_t z = (m->garbage += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * Every exit first fills the exit union with garbage, so that no decoder can lean on a field
 * the kernel did not write: KVM never clears the union between exits (what an earlier exit, an
 * MMIO exit for one, left there stays).  checked: this host's /dev/kvm leaves earlier exits'
 * bytes (host-kvm.md: dr7 reads 0, which the kernel wrote); ppc PR's stale address on a step
 * exit was seen in the vm tier (authentic-kvm.md).
 */
static void fill_garbage(struct model_vcpu *v)
{
	size_t off = v->m->arch == MODEL_S390 ? S390_RUN_UNION : RUN_UNION;

	for (size_t i = 0; i < RUN_UNION_SIZE; i += 8) {
		uint64_t g = next_garbage(v->m);

		memcpy(v->run + off + i, &g, 8);
	}
}

static void set_exit_reason(struct model_vcpu *v, uint32_t reason)
{
	put_n(v->run + RUN_EXIT_REASON, reason, 4, v->m->be);
}

/* ------------------------------------------------------------------ memory and program */

int model_translate(struct model *m, uint64_t gva, uint64_t *gpa)
{
	uint64_t page = gva & ~(m->page_size - 1);

	for (unsigned int i = 0; i < m->nr_pages; i++) {
		if (m->pages[i].va == page) {
			*gpa = m->pages[i].pa + (gva - page);
			return 0;
		}
	}
	*gpa = gva;
	return 0;
}

int model_translate_cb(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	return model_translate(user_data, gva, ret_gpa);
}

static uint8_t *ram_at(struct model *m, uint64_t gpa)
{
	if (gpa < m->ram_gpa || gpa - m->ram_gpa >= m->ram_size)
		return NULL;
	return m->ram + (gpa - m->ram_gpa);
}

/* Guest-virtual bytes, page by page (an instruction may cross onto another physical page). */
static bool read_virt(struct model *m, uint64_t va, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t gpa;
		uint8_t *p;

		model_translate(m, va + i, &gpa);
		p = ram_at(m, gpa);
		if (!p)
			return false;
		buf[i] = *p;
	}
	return true;
}

static bool write_virt(struct model *m, uint64_t va, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t gpa;
		uint8_t *p;

		model_translate(m, va + i, &gpa);
		p = ram_at(m, gpa);
		if (!p)
			return false;
		*p = buf[i];
	}
	return true;
}

void model_guest_write(struct model *m, uint64_t gpa, const void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t *p = ram_at(m, gpa + i);

		if (p)
			*p = ((const uint8_t *)buf)[i];
	}
}

unsigned int model_default_len(struct model *m, enum model_kind kind)
{
	switch (m->arch) {
	case MODEL_X86:
		switch (kind) {
		case MI_NOP:
		case MI_BRK:
		case MI_HALT:
		case MI_ICEBP:
		case MI_OUTS:
			return 1;
		case MI_OUT:
		case MI_JUMP:
			return 2;
		case MI_MOV_DR:
			return 3;
		default:
			return 4;
		}
	case MODEL_S390:
		/* 2, 4 or 6 bytes: bcr 0,0 is 2; st/l are 4; brc is 4 */
		return kind == MI_NOP ? 2 : 4;
	case MODEL_RISCV:
		return 4;
	default:
		return 4;
	}
}

/* A byte that is never a breakpoint instruction's first byte on any architecture. */
static uint8_t filler(uint64_t pc, unsigned int i)
{
	uint8_t b = (uint8_t)((pc * 131 + i * 29 + 7) & 0x7f) | 0x10;

	return b == 0x00 || b == 0x83 || b == 0x73 ? 0x11 : b;
}

static void encode(struct model *m, struct model_insn *in)
{
	unsigned int len = in->len;
	uint32_t w = 0;

	memset(in->enc, 0, sizeof(in->enc));
	for (unsigned int i = 0; i < len; i++)
		in->enc[i] = filler(in->pc, i);
	switch (m->arch) {
	case MODEL_X86: {
		static const uint8_t op[] = {
			[MI_NOP] = 0x90, [MI_STORE] = 0x89, [MI_LOAD] = 0x8b,
			[MI_MMIO_STORE] = 0x88, [MI_MMIO_LOAD] = 0x8a, [MI_OUT] = 0xe6,
			[MI_OUTS] = 0x6e, [MI_JUMP] = 0xeb,
			[MI_BRK] = 0xcc, [MI_HALT] = 0xf4, [MI_ICEBP] = 0xf1, [MI_MOV_DR] = 0x0f,
		};

		in->enc[0] = op[in->kind];
		if (in->kind == MI_MOV_DR && len > 1)
			in->enc[1] = 0x23;
		return;
	}
	case MODEL_ARM64:
		switch (in->kind) {
		case MI_NOP: w = 0xd503201f; break;
		case MI_STORE: case MI_MMIO_STORE:
			w = in->size == 16 ? 0xa9000000u : 0xf9000000u; break;
		case MI_LOAD: case MI_MMIO_LOAD: w = 0xf9400000u; break;
		case MI_JUMP: w = 0x14000000u; break;
		case MI_BRK: w = 0xd4200000u | (uint32_t)in->imm << 5; break;
		default: w = 0xd503207fu; break; /* wfi */
		}
		w |= (in->kind == MI_BRK || in->kind == MI_NOP) ? 0 : (uint32_t)(in->pc & 0x3e0);
		put_n(in->enc, w, 4, false);
		return;
	case MODEL_PPC_PR:
	case MODEL_PPC_HV:
	case MODEL_PPC_BOOKE:
		switch (in->kind) {
		case MI_NOP: w = 0x60000000u; break;
		case MI_STORE: case MI_MMIO_STORE: w = 0x90000000u; break;
		case MI_LOAD: case MI_MMIO_LOAD: w = 0x80000000u; break;
		case MI_JUMP: w = 0x48000000u; break;
		default: w = 0x4c000124u; break;
		}
		w |= (uint32_t)(in->pc & 0xfffc);
		put_n(in->enc, w, 4, true);
		return;
	case MODEL_S390:
		/* bcr 0,0 / st / l / brc: first bytes never 00 00 nor 83 */
		in->enc[0] = in->kind == MI_NOP ? 0x07 : in->kind == MI_STORE ? 0x50 :
			     in->kind == MI_LOAD ? 0x58 : 0xa7;
		return;
	case MODEL_RISCV:
		if (in->kind == MI_BRK) {
			if (len == 2)
				put_n(in->enc, 0x9002, 2, false);
			else
				put_n(in->enc, 0x00100073, 4, false);
			return;
		}
		/* 32-bit instructions end in 0b11, compressed ones do not */
		if (len == 2)
			in->enc[0] = (uint8_t)((in->enc[0] & ~3u) | 1u);
		else
			in->enc[0] = (uint8_t)(in->enc[0] | 3u);
		if (len == 4 && in->enc[0] == 0x73)
			in->enc[0] = 0x13; /* never SYSTEM (ebreak's major opcode) */
		return;
	}
}

uint64_t model_add(struct model *m, const struct model_insn *in0)
{
	struct model_insn in = *in0;
	uint64_t gpa;

	if (!in.len)
		in.len = (uint8_t)model_default_len(m, in.kind);
	if (in.kind == MI_BRK && m->arch == MODEL_RISCV && in.imm == 2)
		in.len = 2;
	g_assert_cmpuint(m->nr_prog, <, MAX_INSNS);
	g_assert_null(u64map_get(&m->insns, in0->pc));
	encode(m, &in);
	m->prog[m->nr_prog] = in;
	u64map_put(&m->insns, in.pc, (void *)(uintptr_t)(m->nr_prog + 1));
	m->nr_prog++;
	for (unsigned int i = 0; i < in.len; i++) {
		model_translate(m, in.pc + i, &gpa);
		g_assert_nonnull(ram_at(m, gpa));
		*ram_at(m, gpa) = in.enc[i];
	}
	return in.pc + in.len;
}

uint64_t model_simple(struct model *m, uint64_t pc, enum model_kind kind, uint64_t addr)
{
	struct model_insn in = { .pc = pc, .kind = (uint8_t)kind, .addr = addr, .size = 4 };

	return model_add(m, &in);
}

uint64_t model_nop(struct model *m, uint64_t pc)
{
	return model_simple(m, pc, MI_NOP, 0);
}

uint64_t model_store(struct model *m, uint64_t pc, uint64_t addr, uint8_t size)
{
	struct model_insn in = { .pc = pc, .kind = MI_STORE, .addr = addr, .size = size };

	return model_add(m, &in);
}

uint64_t model_load(struct model *m, uint64_t pc, uint64_t addr, uint8_t size)
{
	struct model_insn in = { .pc = pc, .kind = MI_LOAD, .addr = addr, .size = size };

	return model_add(m, &in);
}

uint64_t model_jump(struct model *m, uint64_t pc, uint64_t target)
{
	return model_simple(m, pc, MI_JUMP, target);
}

const struct model_insn *model_insn_at(struct model *m, uint64_t pc)
{
	uintptr_t i = (uintptr_t)u64map_get(&m->insns, pc);

	return i ? &m->prog[i - 1] : NULL;
}

/* ------------------------------------------------------------------ x86 (VMX / SVM) */

#define X86_ENABLE 0x1u
#define X86_SINGLESTEP 0x2u
#define X86_USE_SW_BP 0x10000u
#define X86_USE_HW_BP 0x20000u
#define X86_INJECT_DB 0x40000u
#define X86_INJECT_BP 0x80000u
#define X86_DR6_ACTIVE_LOW 0xffff0ff0ull
#define X86_DR6_BD (1ull << 13)
#define X86_DR6_BS (1ull << 14)
#define X86_DR7_GD (1ull << 13)
#define X86_DR7_DEFAULT 0x400ull

/*
 * Which kinds KVM's instruction emulator runs on VMX/SVM: MMIO accesses (an EPT/NPT
 * misconfig or fault, x86_emulate_instruction) and string I/O; a plain `out` takes the fast PIO
 * path (kvm_fast_pio), which is not the emulator.  With "emulate all" (invalid guest state, or
 * this host's PVM) every instruction is emulated.  checked: "emulate all" is what this host
 * does at CPL0 (host-kvm.md: insn_emulation grows by one per instruction); which kinds VMX/SVM
 * emulate is not checked against a real kernel.
 */
static bool x86_emulated(struct model *m, const struct model_insn *in)
{
	if (m->x86_emulate_all)
		return true;
	return in->kind == MI_MMIO_STORE || in->kind == MI_MMIO_LOAD || in->kind == MI_OUTS;
}

/*
 * __kvm_set_rflags() (arch/x86/kvm/x86.c, regs.c in 7.2): TF goes into the hardware RFLAGS only
 * while guest_debug has SINGLESTEP and the linear RIP equals singlestep_rip.  Every writer of
 * RFLAGS goes through it: KVM_SET_REGS (__set_regs -> kvm_set_rflags), KVM_SET_GUEST_DEBUG, and
 * the emulator's writeback (x86_emulate_instruction).  checked: vm tier kvm_amd single-step
 * (authentic-kvm.md); this host's PVM emulates every instruction and hides it (host-kvm.md).
 */
static void x86_set_rflags(struct model_vcpu *v)
{
	v->hw_tf = (v->guest_debug & X86_SINGLESTEP) && v->pc == v->singlestep_rip;
}

/*
 * kvm_arch_vcpu_ioctl_set_guest_debug() (x86.c): no check of the control bits (x86 has no
 * valid mask in the ioctl); INJECT_* with an exception pending is -EBUSY; without ENABLE the
 * state is 0; USE_HW_BP loads eff_db/guest_debug_dr7 from debugreg[0..3,7], else the guest's
 * own (0, DR7 0x400); SINGLESTEP captures singlestep_rip = the linear RIP now; then RFLAGS is
 * re-set (TF recomputed).  checked: accepting unknown bits on this host (host-kvm.md);
 * singlestep_rip capture on kvm_amd (authentic-kvm.md).
 */
static int x86_set_guest_debug(struct model_vcpu *v, const uint8_t *b, size_t size)
{
	uint32_t control;

	if (size != 72)
		return -EINVAL;
	control = (uint32_t)get_n(b, 4, false);
	if (control & (X86_INJECT_DB | X86_INJECT_BP)) {
		if (v->inject)
			return -EBUSY;
		v->inject = control & (X86_INJECT_DB | X86_INJECT_BP);
	}
	v->guest_debug = control & X86_ENABLE ? control : 0;
	if (v->guest_debug & X86_USE_HW_BP) {
		for (int i = 0; i < 4; i++)
			v->eff_db[i] = get_n(b + 8 + 8 * i, 8, false);
		v->dr7 = get_n(b + 8 + 56, 8, false);
	} else {
		memset(v->eff_db, 0, sizeof(v->eff_db));
		v->dr7 = X86_DR7_DEFAULT;
	}
	if (v->guest_debug & X86_SINGLESTEP)
		v->singlestep_rip = v->pc;
	x86_set_rflags(v);
	return 0;
}

/* DR7 fields of slot n: enabled (Ln or Gn), R/W and LEN (Intel SDM vol. 3, 18.2.4). */
static bool x86_slot(const struct model_vcpu *v, int n, unsigned int *rw, uint64_t *len)
{
	static const uint64_t lens[4] = { 1, 2, 8, 4 };

	if (!(v->dr7 & (3ull << (2 * n))))
		return false;
	*rw = (unsigned int)(v->dr7 >> (16 + 4 * n)) & 3;
	*len = lens[(v->dr7 >> (18 + 4 * n)) & 3];
	return true;
}

/*
 * The #DB and #BP exits (vmx.c handle_exception_nmi, svm.c db_interception/bp_interception):
 * #BP writes only exit_reason, pc (linear RIP, at the int3) and exception 3: dr6 and dr7 keep
 * whatever was there; #DB writes dr6 = exit qualification | DR6_ACTIVE_LOW (0xffff0ff0), dr7 =
 * the guest DR7 in the VMCS, pc and exception 1.  checked: #DB dr6 values and pc on this host
 * (host-kvm.md, except dr7 which PVM reports 0); int3 exit pc on kvm_amd (authentic-kvm.md).
 */
static void x86_exit_bp(struct model_vcpu *v)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_DEBUG);
	put_n(v->run + RUN_UNION, 3, 4, false);
	put_n(v->run + RUN_UNION + 8, v->pc, 8, false);
}

static void x86_exit_db(struct model_vcpu *v, uint64_t cause, bool with_dr7)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_DEBUG);
	put_n(v->run + RUN_UNION, 1, 4, false);
	put_n(v->run + RUN_UNION + 8, v->pc, 8, false);
	put_n(v->run + RUN_UNION + 16, cause | X86_DR6_ACTIVE_LOW, 8, false);
	/*
	 * kvm_inject_emulated_db() / kvm_vcpu_do_singlestep() (x86.c, the emulator's step and code
	 * breakpoint exits) write dr6, pc and exception but not dr7.
	 */
	if (with_dr7)
		put_n(v->run + RUN_UNION + 24, v->dr7, 8, false);
}

/*
 * Hardware execute breakpoints (DR0-3, R/W 00): a fault before the instruction, pc = RIP, DR6.Bn
 * for each enabled matching slot only; RFLAGS.RF suppresses it for one instruction, except in
 * KVM's emulator while USE_HW_BP is on (kvm_is_code_breakpoint_inhibited(), x86.c: it returns
 * false first thing when guest_debug has USE_HW_BP).  Without RF the breakpoint fires again on
 * every KVM_RUN.  checked: re-fire without RF on this host and kvm_amd; RF honoured natively on
 * kvm_amd (authentic-kvm.md); RF ignored under emulation on this host (host-kvm.md).
 */
static uint64_t x86_exec_hit(struct model_vcpu *v)
{
	uint64_t hit = 0;

	if (!(v->guest_debug & X86_USE_HW_BP))
		return 0;
	if (v->rf && !v->m->x86_emulate_all)
		return 0;
	for (int n = 0; n < 4; n++) {
		unsigned int rw;
		uint64_t len;

		if (x86_slot(v, n, &rw, &len) && rw == 0 && v->eff_db[n] == v->pc)
			hit |= 1ull << n;
	}
	return hit;
}

/* Data breakpoints: R/W 01 writes, 11 reads or writes; a trap after the access. */
static uint64_t x86_data_hit(struct model_vcpu *v, uint64_t a, uint64_t size, bool write)
{
	uint64_t hit = 0;

	if (!(v->guest_debug & X86_USE_HW_BP))
		return 0;
	for (int n = 0; n < 4; n++) {
		unsigned int rw;
		uint64_t len, base;

		if (!x86_slot(v, n, &rw, &len) || rw == 0 || rw == 2 || (rw == 1 && !write))
			continue;
		base = v->eff_db[n] & ~(len - 1);
		if (a < base + len && base < a + size)
			hit |= 1ull << n;
	}
	return hit;
}

/*
 * The emulator's end of an instruction (x86_emulate_instruction writeback, x86.c): RIP is
 * written, then RFLAGS through __kvm_set_rflags() with the emulator's TF-less flags, so TF is
 * gone unless RIP is still singlestep_rip; then "if (r && (ctxt->tf || guest_debug &
 * SINGLESTEP)) kvm_vcpu_do_singlestep()": an emulated instruction that completes in the kernel
 * ends with a step exit whenever SINGLESTEP is on, TF or not.  Returns true for that exit.
 * checked: on this host every instruction is emulated and steps (host-kvm.md).
 */
static bool x86_emulator_writeback(struct model_vcpu *v, uint64_t next, bool completes)
{
	v->pc = next;
	x86_set_rflags(v);
	v->rf = false;
	if (completes && (v->guest_debug & X86_SINGLESTEP)) {
		x86_exit_db(v, X86_DR6_BS, false);
		v->exit.kind = ME_STEP;
		return true;
	}
	return false;
}

static void x86_mmio_exit(struct model_vcpu *v, const struct model_insn *in, bool write)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_MMIO);
	put_n(v->run + RUN_UNION, in->addr, 8, false);
	memset(v->run + RUN_UNION + 8, write ? 0x5a : 0, 8);
	put_n(v->run + RUN_UNION + 16, in->size > 8 ? 8 : in->size, 4, false);
	v->run[RUN_UNION + 20] = write;
	v->exit.kind = ME_MMIO;
	v->exit.write = write;
}

static void x86_io_exit(struct model_vcpu *v, const struct model_insn *in)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_IO);
	v->run[RUN_UNION] = 1; /* KVM_EXIT_IO_OUT */
	v->run[RUN_UNION + 1] = 1;
	put_n(v->run + RUN_UNION + 2, in->addr & 0xffff, 2, false);
	put_n(v->run + RUN_UNION + 4, 1, 4, false);
	put_n(v->run + RUN_UNION + 8, 0x1000, 8, false);
	v->exit.kind = ME_IO;
}

/*
 * The start of KVM_RUN (kvm_arch_vcpu_ioctl_run, x86.c): a pending userspace exit is completed
 * first (complete_userspace_io), and only then immediate_exit gives -EINTR, so a completion that
 * ends in a step exit returns 0 even with immediate_exit set.
 *  - complete_emulated_mmio: a store has nothing left to do ("FIXME: return into emulator if
 *    single-stepping"): an MMIO store that exits to userspace is never reported as a step; a
 *    load re-enters the emulator (complete_emulated_io), which retires it and may step.
 *  - complete_fast_pio_out: kvm_skip_emulated_instruction(), which steps when the hardware
 *    RFLAGS has TF.
 *  - string I/O out: x86_emulate_instruction's "FIXME: return into emulator if single-stepping"
 *    for pio.count: no step; the writeback already ran.
 * checked: the OUT case on this host, whose PVM emulates the OUT (no step for it, host-kvm.md);
 * the others not checked against a real kernel.
 */
static int x86_complete(struct model_vcpu *v, bool *exited)
{
	const struct model_insn *in = model_insn_at(v->m, v->pc);
	int pend = v->pend;

	*exited = false;
	v->pend = PEND_NONE;
	switch (pend) {
	case PEND_MMIO_LOAD:
		v->retired++;
		v->exit.retired++;
		*exited = x86_emulator_writeback(v, v->pc + (in ? in->len : 0), true);
		break;
	case PEND_PIO_OUT:
		v->pc += in ? in->len : 0;
		v->retired++;
		v->exit.retired++;
		if (v->hw_tf) {
			/* kvm_skip_emulated_instruction -> kvm_vcpu_do_singlestep: no dr7 */
			x86_exit_db(v, X86_DR6_BS, false);
			v->exit.kind = ME_STEP;
			*exited = true;
		}
		break;
	default:
		break;
	}
	return 0;
}

/*
 * One x86 instruction.  Returns true when it exited (v->exit set and kvm_run written).  Data
 * watchpoints (x86_data_hit): R/W 01 fires on writes, 11 on reads and writes, after the access
 * (Intel SDM vol. 3 18.2.4-5); checked: a 4-byte write watchpoint on kvm_amd in the vm tier
 * (authentic-kvm.md), never on this host (host-kvm.md: 0 hits in 86 cases).
 */
static bool x86_step(struct model_vcpu *v)
{
	struct model *m = v->m;
	const struct model_insn *in = model_insn_at(m, v->pc);
	uint8_t cur[16];
	uint64_t hit, next, data = 0;
	bool emulated;

	/* an exception queued by KVM_SET_GUEST_DEBUG is delivered at entry: the guest takes it */
	if (v->inject) {
		v->exceptions++;
		if (in && in->kind == MI_ICEBP && (v->inject & X86_INJECT_DB))
			v->pc += 1; /* the guest's #DB handler returns past the icebp (a trap) */
		if (in && in->kind == MI_BRK && (v->inject & X86_INJECT_BP))
			v->pc += 1; /* #BP is a trap: the handler returns past the int3 */
		v->inject = 0;
		return false;
	}
	hit = x86_exec_hit(v);
	if (hit) {
		x86_exit_db(v, hit, !m->x86_emulate_all);
		v->exit.kind = ME_HW_BP;
		v->exit.slot_mask = hit;
		v->exit.slot = __builtin_ctzll(hit);
		return true;
	}
	if (!in) {
		model_err(m, "x86: no instruction at pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (!read_virt(m, v->pc, cur, in->len)) {
		model_err(m, "x86: pc 0x%" G_GINT64_MODIFIER "x not in RAM", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	/*
	 * int3 (0xcc): with USE_SW_BP the #BP is intercepted (update_exception_bitmap) and exits
	 * with pc at the int3, the instruction not retired; without it the guest takes #BP.
	 * checked: kvm_amd in the vm tier (authentic-kvm.md); never on this host (host-kvm.md).
	 */
	if (cur[0] == 0xcc) {
		bool own = in->kind == MI_BRK;

		if (v->guest_debug & X86_USE_SW_BP) {
			x86_exit_bp(v);
			v->exit.kind = ME_BP_INSN;
			v->exit.own = own;
			return true;
		}
		if (!own)
			model_err(m, "x86: the guest took #BP at a debugger's int3 at pc 0x%"
				  G_GINT64_MODIFIER "x (USE_SW_BP off)", v->pc);
		v->exceptions++;
		v->pc += 1;
		v->rf = false;
		return false;
	}
	if (memcmp(cur, in->enc, in->len)) {
		model_err(m, "x86: memory at pc 0x%" G_GINT64_MODIFIER "x is not the program's "
			  "instruction (%02x %02x %02x, expected %02x %02x %02x)", v->pc, cur[0],
			  in->len > 1 ? cur[1] : 0, in->len > 2 ? cur[2] : 0, in->enc[0],
			  in->len > 1 ? in->enc[1] : 0, in->len > 2 ? in->enc[2] : 0);
		v->exit.kind = ME_ERROR;
		return true;
	}
	emulated = x86_emulated(m, in);
	next = v->pc + in->len;
	switch (in->kind) {
	case MI_ICEBP:
		/*
		 * icebp/int1: #DB with no cause bit in DR6; with SINGLESTEP or USE_HW_BP the #DB
		 * exits (pc at the icebp), else the guest takes it (vmx.c: is_icebp, skip).
		 * checked: not against a real kernel.
		 */
		if (v->guest_debug & (X86_SINGLESTEP | X86_USE_HW_BP)) {
			x86_exit_db(v, 0, true);
			v->exit.kind = ME_GUEST_DB;
			return true;
		}
		v->exceptions++;
		v->pc = next;
		return false;
	case MI_MOV_DR:
		/*
		 * DR7.GD: the mov faults before it runs with DR6.BD (vmx.c handle_dr: with
		 * USE_HW_BP, dr6 = DR6_BD | DR6_ACTIVE_LOW, dr7, pc, exception 1).  The #DB clears
		 * GD.  checked: not against a real kernel.
		 */
		if ((v->guest_debug & X86_USE_HW_BP) && (v->dr7 & X86_DR7_GD)) {
			v->dr7 &= ~X86_DR7_GD;
			x86_exit_db(v, X86_DR6_BD, true);
			v->exit.kind = ME_DEBUG_REG;
			return true;
		}
		break;
	case MI_MMIO_STORE:
		/* emulated; it exits to userspace after the writeback (RIP moved, TF gone) */
		v->retired++;
		v->exit.retired++;
		x86_emulator_writeback(v, next, false);
		x86_mmio_exit(v, in, true);
		v->pend = PEND_MMIO_STORE;
		return true;
	case MI_MMIO_LOAD:
		/* emulated; no writeback until the data comes back on the next KVM_RUN */
		x86_mmio_exit(v, in, false);
		v->pend = PEND_MMIO_LOAD;
		return true;
	case MI_OUT:
		x86_io_exit(v, in);
		v->pend = PEND_PIO_OUT;
		return true;
	case MI_OUTS:
		v->retired++;
		v->exit.retired++;
		x86_emulator_writeback(v, next, false);
		x86_io_exit(v, in);
		v->pend = PEND_PIO_OUTS;
		return true;
	case MI_HALT:
		v->pc = next;
		v->retired++;
		v->exit.retired++;
		fill_garbage(v);
		set_exit_reason(v, EXIT_HLT);
		v->exit.kind = ME_HALT;
		return true;
	case MI_STORE:
		if (in->flags & MIF_SAME_VALUE) {
			read_virt(m, in->addr, cur, in->size);
		} else {
			for (unsigned int i = 0; i < in->size; i++)
				cur[i] = (uint8_t)(++m->store_seq * 7 + i);
		}
		if (!write_virt(m, in->addr, cur, in->size))
			model_err(m, "x86: store outside RAM at 0x%" G_GINT64_MODIFIER "x",
				  in->addr);
		data = x86_data_hit(v, in->addr, in->size, true);
		break;
	case MI_LOAD:
		data = x86_data_hit(v, in->addr, in->size, false);
		break;
	case MI_JUMP:
		next = in->addr;
		break;
	default:
		break;
	}
	v->retired++;
	v->exit.retired++;
	if (emulated) {
		/* data breakpoints are not checked by the emulator (kvm_inject_emulated_db) */
		return x86_emulator_writeback(v, next, true);
	}
	v->pc = next;
	v->rf = false; /* the processor clears RF after an instruction completes */
	/*
	 * Natively: a data breakpoint traps after the access (DR6.Bn), and TF traps after the
	 * instruction (DR6.BS); both in one #DB.  TF stays in the hardware RFLAGS.  checked:
	 * write watchpoint pc after the store, DR6.B1 on kvm_amd (authentic-kvm.md).
	 */
	if (data || v->hw_tf) {
		x86_exit_db(v, data | (v->hw_tf ? X86_DR6_BS : 0), true);
		v->exit.kind = data ? ME_WATCH : ME_STEP;
		v->exit.step_too = data && v->hw_tf;
		v->exit.slot_mask = data;
		v->exit.slot = data ? __builtin_ctzll(data) : -1;
		v->exit.access_addr = in->addr;
		v->exit.access_len = in->size;
		v->exit.write = in->kind == MI_STORE;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ arm64 */

#define ARM64_ENABLE 0x1u
#define ARM64_SINGLESTEP 0x2u
#define ARM64_USE_SW_BP 0x10000u
#define ARM64_USE_HW 0x20000u
#define ARM64_VALID_MASK 0x30003u
#define ARM64_IL (1u << 25)

/*
 * kvm_arch_vcpu_ioctl_set_guest_debug() (arch/arm64/kvm/guest.c): control bits outside
 * KVM_GUESTDBG_VALID_MASK (0x30003) are -EINVAL; with ENABLE the control is stored and, with
 * USE_HW, the dbg_b/w registers are copied (kvm_arm_copy_debug...); without ENABLE debugging
 * is off.  checked: vm tier arm64 (authentic-kvm.md) for the accepted values; the refusal not
 * checked against a real kernel.
 */
static int arm64_set_guest_debug(struct model_vcpu *v, const uint8_t *b, size_t size)
{
	uint32_t control;

	if (size != 520)
		return -EINVAL;
	control = (uint32_t)get_n(b, 4, false);
	if (control & ~ARM64_VALID_MASK)
		return -EINVAL;
	if (!(control & ARM64_ENABLE)) {
		v->guest_debug = 0;
		return 0;
	}
	v->guest_debug = control;
	if (control & ARM64_USE_HW) {
		for (int i = 0; i < 16; i++) {
			v->bcr[i] = get_n(b + 8 + 8 * i, 8, false);
			v->bvr[i] = get_n(b + 136 + 8 * i, 8, false);
			v->wcr[i] = get_n(b + 264 + 8 * i, 8, false);
			v->wvr[i] = get_n(b + 392 + 8 * i, 8, false);
		}
	}
	return 0;
}

/*
 * kvm_handle_guest_debug() (arch/arm64/kvm/handle_exit.c): exit_reason DEBUG, hsr = ESR low
 * half, hsr_high = the high half with flags |= KVM_DEBUG_ARCH_HSR_HIGH_VALID (kvm_run.flags is
 * cleared at each KVM_RUN), and far only for EC 0x34 (watchpoint); far is stale otherwise and
 * the pc is not in the exit.  checked: vm tier arm64 (authentic-kvm.md: "far valid only for
 * watchpoint exits").
 */
static void arm64_exit(struct model_vcpu *v, uint32_t ec, uint32_t iss, bool far, uint64_t addr)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_DEBUG);
	put_n(v->run + RUN_FLAGS, get_n(v->run + RUN_FLAGS, 2, false) | 1, 2, false);
	put_n(v->run + RUN_UNION, ec << 26 | ARM64_IL | iss, 4, false);
	put_n(v->run + RUN_UNION + 4, 0, 4, false);
	if (far)
		put_n(v->run + RUN_UNION + 8, addr, 8, false);
}

/* Hardware breakpoints: DBGBCRn.E with DBGBVRn = pc, n < KVM_CAP_GUEST_DEBUG_HW_BPS; EC 0x30. */
static int arm64_bp_hit(struct model_vcpu *v)
{
	if (!(v->guest_debug & ARM64_USE_HW))
		return -1;
	for (unsigned int n = 0; n < v->m->hw_bps; n++)
		if ((v->bcr[n] & 1) && (v->bvr[n] & ~3ull) == v->pc)
			return (int)n;
	return -1;
}

/*
 * Watchpoints (Arm ARM D2.10): DBGWCRn.E, LSC (bit 3 load, bit 4 store), BAS selects bytes of
 * the doubleword at DBGWVRn; the exception is taken before the access executes (EC 0x34,
 * ISS.WnR).  FAR: an address of the access, which may lie below the watched range: the model
 * reports the access's lowest address rounded down to a doubleword (an STP x0, x1, [x2] with
 * x2 = watched - 8 gives FAR = x2).  checked: a plain store's FAR on the vm tier arm64 (TCG);
 * the below-range FAR not checked against a real kernel (the architecture allows it).
 */
static int arm64_wp_hit(struct model_vcpu *v, uint64_t a, uint64_t size, bool write)
{
	if (!(v->guest_debug & ARM64_USE_HW))
		return -1;
	for (unsigned int n = 0; n < v->m->hw_wps; n++) {
		uint64_t wcr = v->wcr[n], base = v->wvr[n] & ~7ull;
		unsigned int bas = (unsigned int)(wcr >> 5) & 0xff;

		if (!(wcr & 1) || !((wcr >> 3) & (write ? 2 : 1)))
			continue;
		for (unsigned int i = 0; i < 8; i++)
			if ((bas & (1u << i)) && base + i >= a && base + i < a + size)
				return (int)n;
	}
	return -1;
}

static bool arm64_step(struct model_vcpu *v)
{
	struct model *m = v->m;
	const struct model_insn *in = model_insn_at(m, v->pc);
	uint8_t cur[4];
	uint32_t w;
	int n;

	n = arm64_bp_hit(v);
	if (n >= 0) {
		arm64_exit(v, 0x30, 0x22, false, 0);
		v->exit.kind = ME_HW_BP;
		v->exit.slot = n;
		v->exit.slot_mask = 1ull << n;
		return true;
	}
	if (!in || !read_virt(m, v->pc, cur, 4)) {
		model_err(m, "arm64: no instruction at pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	w = (uint32_t)get_n(cur, 4, false);
	/*
	 * BRK #imm (0xd4200000 | imm << 5): with USE_SW_BP every BRK exits, EC 0x3c, ISS = imm, pc
	 * at the BRK (kvm_arm_setup_debug traps debug exceptions; handle_exit.c).  checked: vm tier
	 * arm64 (authentic-kvm.md).
	 */
	if ((w & 0xffe0001fu) == 0xd4200000u) {
		bool own = in->kind == MI_BRK;

		if (v->guest_debug & ARM64_USE_SW_BP) {
			arm64_exit(v, 0x3c, (w >> 5) & 0xffff, false, 0);
			v->exit.kind = ME_BP_INSN;
			v->exit.own = own;
			return true;
		}
		if (!own)
			model_err(m, "arm64: the guest took a debugger's BRK at pc 0x%"
				  G_GINT64_MODIFIER "x (USE_SW_BP off)", v->pc);
		v->exceptions++;
		v->pc += 4;
		return false;
	}
	if (memcmp(cur, in->enc, 4)) {
		model_err(m, "arm64: memory at pc 0x%" G_GINT64_MODIFIER "x is not the program's "
			  "instruction (%08x)", v->pc, w);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (in->kind == MI_STORE || in->kind == MI_LOAD) {
		bool write = in->kind == MI_STORE;

		n = arm64_wp_hit(v, in->addr, in->size, write);
		if (n >= 0) {
			uint64_t far = in->addr & ~7ull;

			arm64_exit(v, 0x34, (write ? 1u << 6 : 0) | 0x22, true, far);
			v->exit.kind = ME_WATCH;
			v->exit.slot = n;
			v->exit.slot_mask = 1ull << n;
			v->exit.far = far;
			v->exit.access_addr = in->addr;
			v->exit.access_len = in->size;
			v->exit.write = write;
			return true;
		}
		for (unsigned int i = 0; write && i < in->size; i++) {
			uint8_t d = (uint8_t)(++m->store_seq * 7 + i);

			write_virt(m, in->addr + i, &d, 1);
		}
	}
	if (in->kind == MI_MMIO_STORE || in->kind == MI_MMIO_LOAD) {
		/*
		 * io_mem_abort (arch/arm64/kvm/mmio.c): KVM_EXIT_MMIO; the instruction completes
		 * on the next KVM_RUN (kvm_handle_mmio_return: pc += 4), before immediate_exit is
		 * looked at; a pc written in between is skipped by 4.  checked: vm tier arm64
		 * (authentic-kvm.md).
		 */
		fill_garbage(v);
		set_exit_reason(v, EXIT_MMIO);
		put_n(v->run + RUN_UNION, in->addr, 8, false);
		put_n(v->run + RUN_UNION + 16, in->size > 8 ? 8 : in->size, 4, false);
		v->run[RUN_UNION + 20] = in->kind == MI_MMIO_STORE;
		v->pend = in->kind == MI_MMIO_STORE ? PEND_MMIO_STORE : PEND_MMIO_LOAD;
		v->exit.kind = ME_MMIO;
		return true;
	}
	v->pc = in->kind == MI_JUMP ? in->addr : v->pc + 4;
	v->retired++;
	v->exit.retired++;
	/*
	 * Software step (MDSCR_EL1.SS, PSTATE.SS set at each entry by kvm_arm_setup_debug): one
	 * instruction, then EC 0x32.  checked: vm tier arm64 (authentic-kvm.md).
	 */
	if (v->guest_debug & ARM64_SINGLESTEP) {
		arm64_exit(v, 0x32, 0x22, false, 0);
		v->exit.kind = ME_STEP;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ powerpc */

#define PPC_ENABLE 0x1u
#define PPC_SINGLESTEP 0x2u
#define PPC_USE_SW_BP 0x10000u
#define PPC_USE_HW_BP 0x20000u
#define PPC_BREAKPOINT 0x2u
#define PPC_WATCH_WRITE 0x4u
#define PPC_WATCH_READ 0x8u
#define PPC_BOOK3S_DEBUG_INST 0x00dddd00u
#define PPC_BOOKE_DEBUG_INST 0x7c00021cu /* ehpriv; the exact operand not checked */

static uint32_t ppc_debug_inst(struct model *m)
{
	return m->arch == MODEL_PPC_BOOKE ? PPC_BOOKE_DEBUG_INST : PPC_BOOK3S_DEBUG_INST;
}

/*
 * Book3S (kvm_arch_vcpu_ioctl_set_guest_debug -> kvmppc_core_set_guest_debug, book3s.c): the
 * control word is stored as is, ENABLE or not, nothing validated; HV acts on USE_SW_BP alone
 * (book3s_hv.c), PR on SINGLESTEP alone (book3s_pr.c).  BookE (booke.c): without ENABLE
 * debugging is off; SINGLESTEP sets DBCR0.IC; with USE_HW_BP the first IAC + DAC entries of
 * bp[] are loaded (2 + 2 on e500), type 0 skipped, unknown types or too many -EINVAL.
 * checked: Book3S PR on the vm tier ppc64 (authentic-kvm.md); HV and BookE not checked against a
 * real kernel.
 */
static int ppc_set_guest_debug(struct model_vcpu *v, const uint8_t *b, size_t size)
{
	uint32_t control;
	unsigned int iac = 0, dac = 0;

	if (size != 264)
		return -EINVAL;
	control = (uint32_t)get_n(b, 4, true);
	if (v->m->arch != MODEL_PPC_BOOKE) {
		v->guest_debug = control;
		return 0;
	}
	memset(v->bp, 0, sizeof(v->bp));
	if (!(control & PPC_ENABLE)) {
		v->guest_debug = 0;
		return 0;
	}
	v->guest_debug = control;
	if (!(control & PPC_USE_HW_BP))
		return 0;
	for (int i = 0; i < 4; i++) {
		uint64_t addr = get_n(b + 8 + 16 * i, 8, true);
		uint32_t type = (uint32_t)get_n(b + 16 + 16 * i, 4, true);

		if (!type)
			continue;
		if (type & ~(PPC_BREAKPOINT | PPC_WATCH_WRITE | PPC_WATCH_READ))
			return -EINVAL;
		if (type & PPC_BREAKPOINT) {
			if (++iac > 2)
				return -EINVAL;
		} else if (++dac > 2) {
			return -EINVAL;
		}
		v->bp[i].addr = addr;
		v->bp[i].type = type;
	}
	return 0;
}

/* debug.arch { u64 address @0; u32 status @8 } in the guest's (big-endian) order. */
static void ppc_exit(struct model_vcpu *v, bool address, uint64_t addr, bool status,
		     uint32_t st)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_DEBUG);
	if (address)
		put_n(v->run + RUN_UNION, addr, 8, true);
	if (status)
		put_n(v->run + RUN_UNION + 8, st, 4, true);
}

static bool ppc_step(struct model_vcpu *v)
{
	struct model *m = v->m;
	const struct model_insn *in = model_insn_at(m, v->pc);
	uint8_t cur[4];
	uint32_t w;

	/* BookE IAC: an instruction address compare stops before the instruction */
	if (m->arch == MODEL_PPC_BOOKE && (v->guest_debug & PPC_USE_HW_BP)) {
		for (int i = 0; i < 4; i++) {
			if ((v->bp[i].type & PPC_BREAKPOINT) && v->bp[i].addr == v->pc) {
				/*
				 * kvmppc_handle_debug (booke.c): status BREAKPOINT, address = nip.
				 * checked: not against a real kernel.
				 */
				ppc_exit(v, true, v->pc, true, PPC_BREAKPOINT);
				v->exit.kind = ME_HW_BP;
				v->exit.slot = i;
				return true;
			}
		}
	}
	if (!in || !read_virt(m, v->pc, cur, 4)) {
		model_err(m, "ppc: no instruction at pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	w = (uint32_t)get_n(cur, 4, true);
	if (w == ppc_debug_inst(m)) {
		bool exits;

		switch (m->arch) {
		case MODEL_PPC_PR:
			/*
			 * kvmppc_emulate_instruction (emulate.c): the debug instruction exits with
			 * status 0 and address = pc, whatever guest_debug holds; in guest problem
			 * state (MSR_PR) book3s_pr.c turns it into a program interrupt first.
			 * checked: vm tier ppc64 KVM-PR (authentic-kvm.md).
			 */
			exits = !m->ppc_problem_state;
			if (exits)
				ppc_exit(v, true, v->pc, true, 0);
			break;
		case MODEL_PPC_HV:
			/*
			 * kvmppc_handle_exit_hv H_EMUL_ASSIST: with USE_SW_BP (no ENABLE check)
			 * kvmppc_emulate_debug_inst writes exit_reason and debug.arch.address only;
			 * status keeps what was there.  checked: not against a real kernel (the vm
			 * tier's nested HV has no usable debugging, authentic-kvm.md).
			 */
			exits = v->guest_debug & PPC_USE_SW_BP;
			if (exits)
				ppc_exit(v, true, v->pc, false, 0);
			break;
		default:
			/* e500_emul_ehpriv: address = nip, status 0; not checked */
			exits = v->guest_debug & PPC_USE_SW_BP;
			if (exits)
				ppc_exit(v, true, v->pc, true, 0);
			break;
		}
		if (exits) {
			v->exit.kind = ME_BP_INSN;
			return true;
		}
		model_err(m, "ppc: the guest took a program interrupt at the debug instruction at "
			  "pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exceptions++;
		v->pc += 4;
		return false;
	}
	if (memcmp(cur, in->enc, 4)) {
		model_err(m, "ppc: memory at pc 0x%" G_GINT64_MODIFIER "x is not the program's "
			  "instruction (%08x)", v->pc, w);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (in->kind == MI_STORE)
		for (unsigned int i = 0; i < in->size; i++) {
			uint8_t b = (uint8_t)(++m->store_seq * 7 + i);

			write_virt(m, in->addr + i, &b, 1);
		}
	v->pc = in->kind == MI_JUMP ? in->addr : v->pc + 4;
	v->retired++;
	v->exit.retired++;
	/*
	 * BookE DAC: the model takes the data address compare after the access, address = the DAC
	 * value (kvmppc_handle_debug: status WATCH_WRITE or WATCH_READ, address = dbg_reg->dac1 or
	 * dac2, after writing address = nip first).  When e500 reports DAC events relative to
	 * the access is not checked against a real kernel.
	 */
	if (m->arch == MODEL_PPC_BOOKE && (v->guest_debug & PPC_USE_HW_BP) &&
	    (in->kind == MI_STORE || in->kind == MI_LOAD)) {
		for (int i = 0; i < 4; i++) {
			uint32_t t = v->bp[i].type;
			bool write = in->kind == MI_STORE;

			if (!(t & (write ? PPC_WATCH_WRITE : PPC_WATCH_READ)))
				continue;
			if (v->bp[i].addr >= in->addr && v->bp[i].addr < in->addr + in->size) {
				ppc_exit(v, true, v->bp[i].addr, true,
					 write ? PPC_WATCH_WRITE : PPC_WATCH_READ);
				v->exit.kind = ME_WATCH;
				v->exit.slot = i;
				v->exit.access_addr = in->addr;
				v->exit.access_len = in->size;
				v->exit.write = write;
				return true;
			}
		}
	}
	/*
	 * Single-step: PR sets MSR_SE for SINGLESTEP alone and exits from the trace interrupt
	 * writing neither address nor status (book3s_pr.c); HV cannot step; BookE (DBCR0.IC)
	 * writes status 0 and address = nip.  checked: PR on the vm tier ppc64 (authentic-kvm.md:
	 * address stale on a step exit).
	 */
	if (m->arch == MODEL_PPC_PR && (v->guest_debug & PPC_SINGLESTEP)) {
		ppc_exit(v, false, 0, false, 0);
		v->exit.kind = ME_STEP;
		return true;
	}
	if (m->arch == MODEL_PPC_BOOKE && (v->guest_debug & PPC_SINGLESTEP)) {
		ppc_exit(v, true, v->pc, true, 0);
		v->exit.kind = ME_STEP;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ s390 */

#define S390_ENABLE 0x1u
#define S390_SINGLESTEP 0x2u
#define S390_USE_HW_BP 0x10000u
#define S390_EXIT_PENDING 0x10000000u
#define S390_VALID_IOCTL 0x10003u /* VALID_GUESTDBG_FLAGS, kvm-s390.c */
#define S390_CAP_MASK 0x10010003  /* KVM_GUESTDBG_VALID_MASK, asm/kvm_host.h: with EXIT_PENDING */
#define S390_HW_BP 1
#define S390_HW_WP_WRITE 2
#define S390_SINGLESTEP_TYPE 4

/*
 * kvm_arch_vcpu_ioctl_set_guest_debug (kvm-s390.c): guest_debug = 0 and the old breakpoint
 * data cleared FIRST; then control outside VALID_GUESTDBG_FLAGS (ENABLE|SINGLESTEP|USE_HW_BP:
 * EXIT_PENDING, which KVM_CAP_SET_GUEST_DEBUG2 advertises, is not in it) is -EINVAL, leaving
 * debugging off.  kvm_s390_import_bp_data (guestdbg.c): nr_hw_bp <= 0 or a NULL array is
 * accepted with no points (0, not -EINVAL), more than 50 is -EINVAL, a watchpoint longer than
 * 100 bytes -EINVAL; each watchpoint keeps a copy of the watched bytes (read_guest_abs of
 * phys_addr) taken now.  checked: not against a real kernel (TCG has no SIE: no s390 KVM in
 * the vm tier, authentic-kvm.md).
 */
static int s390_set_guest_debug(struct model_vcpu *v, const uint8_t *b, size_t size)
{
	uint32_t control, nr;
	uint64_t ptr;
	const uint8_t *arr;

	if (size != 24)
		return -EINVAL;
	v->guest_debug = 0;
	v->s390_nr = 0;
	v->s390_last_bp = 0;
	control = (uint32_t)get_n(b, 4, true);
	if (control & ~S390_VALID_IOCTL)
		return -EINVAL;
	if (!(control & S390_ENABLE))
		return 0;
	nr = (uint32_t)get_n(b + 8, 4, true);
	ptr = get_n(b + 16, 8, true);
	if ((control & S390_USE_HW_BP) && nr && ptr) {
		if (nr > 50)
			return -EINVAL;
		arr = (const uint8_t *)(uintptr_t)ptr;
		for (uint32_t i = 0; i < nr; i++) {
			const uint8_t *e = arr + 32 * i;

			v->s390_bp[i].addr = get_n(e, 8, true);
			v->s390_bp[i].phys = get_n(e + 8, 8, true);
			v->s390_bp[i].len = get_n(e + 16, 8, true);
			v->s390_bp[i].type = e[24];
			if (v->s390_bp[i].type == S390_HW_WP_WRITE) {
				uint8_t *p;

				if (v->s390_bp[i].len > 100)
					return -EINVAL;
				for (uint64_t k = 0; k < v->s390_bp[i].len; k++) {
					p = ram_at(v->m, v->s390_bp[i].phys + k);
					v->s390_bp[i].old[k] = p ? *p : 0;
				}
			}
		}
		v->s390_nr = nr;
	}
	v->guest_debug = control;
	return 0;
}

/* psw_mask/psw_addr are stored into kvm_run at every exit (store_regs, kvm-s390.c). */
static void s390_store_psw(struct model_vcpu *v)
{
	put_n(v->run + S390_RUN_PSW_MASK, 0x0705000180000000ull, 8, true);
	put_n(v->run + S390_RUN_PSW_ADDR, v->pc, 8, true);
}

static void s390_debug_exit(struct model_vcpu *v, uint64_t addr, uint8_t type)
{
	fill_garbage(v);
	set_exit_reason(v, EXIT_DEBUG);
	put_n(v->run + S390_RUN_UNION, addr, 8, true);
	v->run[S390_RUN_UNION + 8] = type;
	s390_store_psw(v);
}

/*
 * any_wp_changed (guestdbg.c): all watch ranges are merged into one PER storage-alteration range
 * (CR10-11); a store in it makes KVM compare every watchpoint's bytes with the copy taken at
 * KVM_SET_GUEST_DEBUG and report the first that differs (addr = that watchpoint's address).  A
 * store that writes the same value is invisible; a stale copy keeps reporting.  checked: not
 * against a real kernel (no s390 KVM in reach).
 */
static int s390_wp_changed(struct model_vcpu *v, uint64_t a, uint64_t size)
{
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned int i = 0; i < v->s390_nr; i++) {
		if (v->s390_bp[i].type != S390_HW_WP_WRITE || !v->s390_bp[i].len)
			continue;
		if (v->s390_bp[i].addr < lo)
			lo = v->s390_bp[i].addr;
		if (v->s390_bp[i].addr + v->s390_bp[i].len > hi)
			hi = v->s390_bp[i].addr + v->s390_bp[i].len;
	}
	if (!(a < hi && lo < a + size))
		return -1;
	for (unsigned int i = 0; i < v->s390_nr; i++) {
		if (v->s390_bp[i].type != S390_HW_WP_WRITE)
			continue;
		for (uint64_t k = 0; k < v->s390_bp[i].len; k++) {
			uint8_t *p = ram_at(v->m, v->s390_bp[i].phys + k);

			if (p && *p != v->s390_bp[i].old[k])
				return (int)i;
		}
	}
	return -1;
}

static bool s390_step(struct model_vcpu *v)
{
	struct model *m = v->m;
	const struct model_insn *in = model_insn_at(m, v->pc);
	uint8_t cur[6];
	int n;

	if (!in || !read_virt(m, v->pc, cur, 2)) {
		model_err(m, "s390: no instruction at pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	/*
	 * 0x0000 is an operation exception; with KVM_CAP_S390_USER_INSTR0 enabled handle_operexc
	 * (intercept.c) sends it to userspace: KVM_EXIT_S390_SIEIC, icptcode 0x2c, ipa 0, ipb 0,
	 * the PSW past the 2 bytes.  Otherwise the guest gets the program interrupt.  DIAG 0x501
	 * (83 00 05 01) is an instruction intercept the kernel does not handle: SIEIC icptcode 4,
	 * ipa 0x8300, ipb 0x05010000, PSW past it.  checked: not against a real kernel.
	 */
	if (cur[0] == 0 && cur[1] == 0) {
		if (m->user_instr0) {
			v->pc += 2;
			fill_garbage(v);
			set_exit_reason(v, EXIT_S390_SIEIC);
			v->run[S390_RUN_UNION] = 0x2c;
			put_n(v->run + S390_RUN_UNION + 2, 0, 2, true);
			put_n(v->run + S390_RUN_UNION + 4, 0, 4, true);
			s390_store_psw(v);
			v->exit.kind = ME_BP_INSN;
			return true;
		}
		model_err(m, "s390: the guest took an operation exception at 0x0000 at pc 0x%"
			  G_GINT64_MODIFIER "x (USER_INSTR0 off)", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (cur[0] == 0x83) {
		read_virt(m, v->pc, cur, 4);
		if (((cur[2] & 0x0f) << 8 | cur[3]) == 0x501 && (cur[2] >> 4) == 0) {
			v->pc += 4;
			fill_garbage(v);
			set_exit_reason(v, EXIT_S390_SIEIC);
			v->run[S390_RUN_UNION] = 0x04;
			put_n(v->run + S390_RUN_UNION + 2, 0x8300 | cur[1], 2, true);
			put_n(v->run + S390_RUN_UNION + 4, (uint32_t)cur[2] << 24 |
			      (uint32_t)cur[3] << 16, 4, true);
			s390_store_psw(v);
			v->exit.kind = ME_BP_INSN;
			return true;
		}
	}
	if (!read_virt(m, v->pc, cur, in->len) || memcmp(cur, in->enc, in->len)) {
		model_err(m, "s390: memory at pc 0x%" G_GINT64_MODIFIER "x is not the program's "
			  "instruction (%02x %02x)", v->pc, cur[0], cur[1]);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (in->kind == MI_STORE) {
		uint8_t d[16];

		if (in->flags & MIF_SAME_VALUE) {
			read_virt(m, in->addr, d, in->size);
		} else {
			for (unsigned int i = 0; i < in->size; i++)
				d[i] = (uint8_t)(++m->store_seq * 7 + i);
		}
		write_virt(m, in->addr, d, in->size);
	}
	v->pc = in->kind == MI_JUMP ? in->addr : v->pc + in->len;
	v->retired++;
	v->exit.retired++;
	/*
	 * debug_exit_required (guestdbg.c), in its order: a changed watchpoint (type
	 * KVM_HW_WP_WRITE, addr = the watchpoint's address), then an instruction-fetch event at a
	 * breakpoint (KVM_HW_BP, addr = the new PSW address, last_bp remembered so that the same
	 * breakpoint is not reported twice in a row), then single-step (KVM_SINGLESTEP, addr = the
	 * PSW address).  The PER events come after the instruction, so the PSW is already the
	 * next one.  Simplified: a breakpoint fires when an instruction ends at its address.
	 * checked: not against a real kernel.
	 */
	if ((v->guest_debug & S390_USE_HW_BP) && in->kind == MI_STORE) {
		n = s390_wp_changed(v, in->addr, in->size);
		if (n >= 0) {
			s390_debug_exit(v, v->s390_bp[n].addr, S390_HW_WP_WRITE);
			v->exit.kind = ME_WATCH;
			v->exit.slot = n;
			v->exit.access_addr = in->addr;
			v->exit.access_len = in->size;
			v->exit.write = true;
			return true;
		}
	}
	if (v->guest_debug & S390_USE_HW_BP) {
		for (unsigned int i = 0; i < v->s390_nr; i++) {
			if (v->s390_bp[i].type == S390_HW_BP && v->s390_bp[i].addr == v->pc &&
			    v->s390_last_bp != v->pc) {
				v->s390_last_bp = v->pc;
				v->exit.at = v->pc;
				s390_debug_exit(v, v->pc, S390_HW_BP);
				v->exit.kind = ME_HW_BP;
				v->exit.slot = (int)i;
				return true;
			}
		}
	}
	v->s390_last_bp = 0;
	if (v->guest_debug & S390_SINGLESTEP) {
		s390_debug_exit(v, v->pc, S390_SINGLESTEP_TYPE);
		v->exit.kind = ME_STEP;
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------ riscv */

/*
 * kvm_arch_vcpu_ioctl_set_guest_debug (arch/riscv/kvm/vcpu.c): with ENABLE, guest_debug =
 * control (nothing validated) and EXC_BREAKPOINT is no longer delegated to the guest; without
 * it, 0.  No single-step, no hardware points.  checked: not against a real kernel.
 */
static int riscv_set_guest_debug(struct model_vcpu *v, const uint8_t *b, size_t size)
{
	uint32_t control;

	if (size != 8)
		return -EINVAL;
	control = (uint32_t)get_n(b, 4, false);
	v->guest_debug = control & 1 ? control : 0;
	return 0;
}

/*
 * ebreak / c.ebreak with ENABLE: kvm_riscv_vcpu_exit (vcpu_exit.c) EXC_BREAKPOINT ->
 * KVM_EXIT_DEBUG, nothing else written, pc at the ebreak (read with ONE_REG).  checked: not
 * against a real kernel.
 */
static bool riscv_step(struct model_vcpu *v)
{
	struct model *m = v->m;
	const struct model_insn *in = model_insn_at(m, v->pc);
	uint8_t cur[4] = { 0 };
	bool brk;

	if (!in || !read_virt(m, v->pc, cur, 2)) {
		model_err(m, "riscv: no instruction at pc 0x%" G_GINT64_MODIFIER "x", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	brk = get_n(cur, 2, false) == 0x9002;
	if (!brk && (cur[0] & 3) == 3 && read_virt(m, v->pc, cur, 4))
		brk = get_n(cur, 4, false) == 0x00100073;
	if (brk) {
		if (v->guest_debug & 1) {
			fill_garbage(v);
			set_exit_reason(v, EXIT_DEBUG);
			v->exit.kind = ME_BP_INSN;
			v->exit.own = in->kind == MI_BRK;
			return true;
		}
		if (in->kind != MI_BRK)
			model_err(m, "riscv: the guest took a debugger's ebreak at pc 0x%"
				  G_GINT64_MODIFIER "x", v->pc);
		v->exceptions++;
		v->pc += (cur[0] & 3) == 3 ? 4 : 2;
		return false;
	}
	if (!read_virt(m, v->pc, cur, in->len) || memcmp(cur, in->enc, in->len)) {
		model_err(m, "riscv: memory at pc 0x%" G_GINT64_MODIFIER "x is not the program's "
			  "instruction", v->pc);
		v->exit.kind = ME_ERROR;
		return true;
	}
	if (in->kind == MI_STORE)
		for (unsigned int i = 0; i < in->size; i++) {
			uint8_t b = (uint8_t)(++m->store_seq * 7 + i);

			write_virt(m, in->addr + i, &b, 1);
		}
	v->pc = in->kind == MI_JUMP ? in->addr : v->pc + in->len;
	v->retired++;
	v->exit.retired++;
	return false;
}

/* ------------------------------------------------------------------ KVM_RUN */

static bool arch_step(struct model_vcpu *v)
{
	v->exit.at = v->pc;
	switch (v->m->arch) {
	case MODEL_X86:
		return x86_step(v);
	case MODEL_ARM64:
		return arm64_step(v);
	case MODEL_S390:
		return s390_step(v);
	case MODEL_RISCV:
		return riscv_step(v);
	default:
		return ppc_step(v);
	}
}

/*
 * kvm_vcpu_ioctl KVM_RUN (virt/kvm/kvm_main.c) with each arch's kvm_arch_vcpu_ioctl_run:
 * kvm_run.flags cleared; a pending userspace exit completed (x86: complete_userspace_io; arm64:
 * kvm_handle_mmio_return, pc += 4); then immediate_exit gives -EINTR without entering the guest
 * and without writing exit_reason; a pending signal gives -EINTR with exit_reason
 * KVM_EXIT_INTR (xfer_to_guest_mode_handle_work).  s390 loads the PSW from kvm_run first
 * (sync_regs).  checked: immediate_exit -EINTR on this host (host-kvm.md); the arm64
 * completion order on the vm tier arm64 (authentic-kvm.md).
 */
int model_run(struct model_vcpu *v)
{
	struct model *m = v->m;
	bool exited = false;

	memset(&v->exit, 0, sizeof(v->exit));
	v->exit.slot = -1;
	put_n(v->run + RUN_FLAGS, 0, 2, m->be);
	if (m->arch == MODEL_S390)
		v->pc = get_n(v->run + S390_RUN_PSW_ADDR, 8, true);
	if (v->pend) {
		if (m->arch == MODEL_X86) {
			x86_complete(v, &exited);
		} else if (m->arch == MODEL_ARM64) {
			v->pc += 4;
			v->retired++;
			v->exit.retired++;
			v->pend = PEND_NONE;
		}
		v->pend = PEND_NONE;
		if (exited) {
			v->exit.pc = v->pc;
			return 0;
		}
	}
	if (__atomic_load_n(&v->run[RUN_IMMEDIATE_EXIT], __ATOMIC_ACQUIRE)) {
		v->exit.kind = ME_IMMEDIATE;
		v->exit.pc = v->pc;
		return -EINTR;
	}
	for (unsigned int i = 0;; i++) {
		if (v->signal || i >= m->budget) {
			/* a signal, or the VMM's timer signal once the budget is spent */
			v->signal = false;
			set_exit_reason(v, EXIT_INTR);
			if (m->arch == MODEL_S390)
				s390_store_psw(v);
			v->exit.kind = ME_INTR;
			v->exit.pc = v->pc;
			return -EINTR;
		}
		if (arch_step(v))
			break;
	}
	v->exit.pc = v->pc;
	return v->exit.kind == ME_ERROR ? -EIO : 0;
}

void model_set_regs(struct model_vcpu *v, uint64_t pc, bool rf)
{
	v->pc = pc;
	if (v->m->arch == MODEL_S390)
		put_n(v->run + S390_RUN_PSW_ADDR, pc, 8, true);
	if (v->m->arch == MODEL_X86) {
		/* __set_regs (x86.c): RIP, then RFLAGS through kvm_set_rflags (TF recomputed) */
		v->rf = rf;
		x86_set_rflags(v);
	}
}

void model_signal(struct model_vcpu *v)
{
	v->signal = true;
}

uint64_t model_pc(struct model_vcpu *v)
{
	if (v->m->arch == MODEL_S390)
		return get_n(v->run + S390_RUN_PSW_ADDR, 8, true);
	return v->pc;
}

uint64_t model_retired(struct model_vcpu *v)
{
	return v->retired;
}

const struct model_exit *model_last_exit(struct model_vcpu *v)
{
	return &v->exit;
}

uint32_t model_guest_debug(struct model_vcpu *v)
{
	return v->guest_debug;
}

bool model_x86_hw_tf(struct model_vcpu *v)
{
	return v->hw_tf;
}

unsigned int model_guest_exceptions(struct model_vcpu *v)
{
	return v->exceptions;
}

unsigned int model_sgd_calls(struct model_vcpu *v)
{
	return v->sgd_calls;
}

bool model_hw_enabled_at(struct model_vcpu *v, bool watch, uint64_t addr)
{
	switch (v->m->arch) {
	case MODEL_X86:
		if (!(v->guest_debug & X86_USE_HW_BP))
			return false;
		for (int n = 0; n < 4; n++) {
			unsigned int rw;
			uint64_t len;

			if (x86_slot(v, n, &rw, &len) && (rw != 0) == watch && v->eff_db[n] == addr)
				return true;
		}
		return false;
	case MODEL_ARM64:
		if (!(v->guest_debug & ARM64_USE_HW))
			return false;
		for (unsigned int n = 0; n < (watch ? v->m->hw_wps : v->m->hw_bps); n++) {
			if (!watch && (v->bcr[n] & 1) && v->bvr[n] == addr)
				return true;
			if (watch && (v->wcr[n] & 1) && (v->wvr[n] & ~7ull) == (addr & ~7ull) &&
			    (((v->wcr[n] >> 5) & 0xff) >> (addr & 7) & 1))
				return true;
		}
		return false;
	case MODEL_S390:
		for (unsigned int i = 0; i < v->s390_nr; i++)
			if (v->s390_bp[i].addr == addr &&
			    (v->s390_bp[i].type == S390_HW_WP_WRITE) == watch)
				return v->guest_debug & S390_USE_HW_BP;
		return false;
	case MODEL_PPC_BOOKE:
		for (int i = 0; i < 4; i++)
			if (v->bp[i].addr == addr && v->bp[i].type &&
			    !(v->bp[i].type & PPC_BREAKPOINT) == watch)
				return v->guest_debug & PPC_USE_HW_BP;
		return false;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ the fake edge's hooks */

static bool hook_set_guest_debug(void *data, int fd, const void *buf, size_t size, int *ret)
{
	struct model_vcpu *v = model_vcpu_by_fd(data, fd);

	if (!v)
		return false;
	v->sgd_calls++;
	switch (v->m->arch) {
	case MODEL_X86:
		*ret = x86_set_guest_debug(v, buf, size);
		break;
	case MODEL_ARM64:
		*ret = arm64_set_guest_debug(v, buf, size);
		break;
	case MODEL_S390:
		*ret = s390_set_guest_debug(v, buf, size);
		break;
	case MODEL_RISCV:
		*ret = riscv_set_guest_debug(v, buf, size);
		break;
	default:
		*ret = ppc_set_guest_debug(v, buf, size);
		break;
	}
	return true;
}

/*
 * KVM_GET_ONE_REG: the pc (arm64 regs.pc, riscv regs.pc), ppc KVM_REG_PPC_DEBUG_INST
 * (kvmppc_get_one_reg: Book3S KVMPPC_INST_SW_BREAKPOINT 0x00dddd00, checked on the vm tier
 * ppc64 KVM-PR; BookE an ehpriv, not checked).
 */
static bool hook_get_one_reg(void *data, int fd, uint64_t id, uint64_t *value, int *ret)
{
	struct model_vcpu *v = model_vcpu_by_fd(data, fd);

	if (!v)
		return false;
	*ret = 0;
	if ((id == REG_ARM64_PC && v->m->arch == MODEL_ARM64) ||
	    (id == REG_RISCV_PC && v->m->arch == MODEL_RISCV))
		*value = v->pc;
	else if (id == REG_PPC_DEBUG_INST && v->m->arch >= MODEL_PPC_PR &&
		 v->m->arch <= MODEL_PPC_BOOKE)
		*value = ppc_debug_inst(v->m);
	else
		*ret = -ENOENT;
	return true;
}

static bool hook_get_regs_pc(void *data, int fd, uint64_t *pc, int *ret)
{
	struct model_vcpu *v = model_vcpu_by_fd(data, fd);

	if (!v)
		return false;
	/* ppc KVM_GET_REGS; x86 KVM_GET_REGS + KVM_GET_SREGS (CS.base + RIP: the model's pc) */
	if ((v->m->arch >= MODEL_PPC_PR && v->m->arch <= MODEL_PPC_BOOKE) ||
	    v->m->arch == MODEL_X86) {
		*pc = v->pc;
		*ret = 0;
	} else {
		*ret = -EOPNOTSUPP;
	}
	return true;
}

/* KVM_TRANSLATE (x86.c kvm_arch_vcpu_ioctl_translate): valid = gpa != INVALID_GPA. */
static bool hook_translate(void *data, int fd, uint64_t gva, uint64_t *gpa, int *ret)
{
	struct model_vcpu *v = model_vcpu_by_fd(data, fd);

	if (!v)
		return false;
	*ret = model_translate(v->m, gva, gpa);
	return true;
}

/* KVM_ENABLE_CAP(KVM_CAP_S390_USER_INSTR0) on the VM (kvm_vm_ioctl_enable_cap, kvm-s390.c). */
static bool hook_enable_cap(void *data, int fd, unsigned long cap, int *ret)
{
	struct model *m = data;

	if (m->arch != MODEL_S390 || cap != CAP_S390_USER_INSTR0)
		return false;
	(void)fd;
	*ret = m->user_instr0_offered ? 0 : -EINVAL;
	if (!*ret)
		m->user_instr0 = true;
	return true;
}

static const struct fake_model_hooks hooks = {
	.set_guest_debug = hook_set_guest_debug,
	.get_one_reg = hook_get_one_reg,
	.get_regs_pc = hook_get_regs_pc,
	.translate = hook_translate,
	.enable_cap = hook_enable_cap,
};

/* ------------------------------------------------------------------ setup */

const struct arch *model_kvmdbg_arch(struct model *m)
{
	switch (m->arch) {
	case MODEL_X86:
		return arch_by_name("x86_64");
	case MODEL_ARM64:
		return arch_by_name("aarch64");
	case MODEL_S390:
		return arch_by_name("s390x");
	case MODEL_RISCV:
		return arch_by_name("riscv64");
	default:
		return arch_by_name("ppc64-book3s");
	}
}

struct model *model_new(enum model_arch arch, uint64_t ram_gpa, size_t ram_size)
{
	struct model *m = g_new0(struct model, 1);

	m->arch = arch;
	m->be = arch == MODEL_S390 || arch == MODEL_PPC_PR || arch == MODEL_PPC_HV ||
		arch == MODEL_PPC_BOOKE;
	m->ram_gpa = ram_gpa;
	m->ram_size = ram_size;
	m->ram = g_malloc0(ram_size);
	for (size_t i = 0; i < ram_size; i++)
		m->ram[i] = (uint8_t)(i * 37 + 11) | 0x01;
	u64map_init(&m->insns, 256);
	m->prog = g_new0(struct model_insn, MAX_INSNS);
	m->page_size = 4096;
	m->hw_bps = 6;
	m->hw_wps = 4;
	m->user_instr0_offered = true;
	m->budget = 4096;
	m->garbage = 0x5eed;
	return m;
}

void model_free(struct model *m)
{
	if (!m)
		return;
	fake_set_model(NULL, NULL);
	for (unsigned int i = 0; i < m->nr_vcpus; i++)
		g_free(m->vcpus[i]);
	u64map_fini(&m->insns);
	g_free(m->prog);
	g_free(m->ram);
	g_free(m);
}

/*
 * Capabilities (kvm_vm_ioctl_check_extension of each arch): x86 SET_GUEST_DEBUG2 = 0x1f0003
 * (KVM_GUESTDBG_VALID_MASK, checked on this host); arm64 0x30003 and HW_BPS/WPS (6 and 4 on
 * the vm tier's QEMU -cpu max, authentic-kvm.md); s390 0x10010003 with EXIT_PENDING (kvm-s390.c,
 * not checked); ppc SET_GUEST_DEBUG2 0 and PPC_GUEST_DEBUG_SSTEP = !hv (checked: PR on the vm
 * tier); riscv SET_GUEST_DEBUG 1, no SET_GUEST_DEBUG2 (not checked).
 */
void model_install(struct model *m)
{
	fake_set_arch(model_kvmdbg_arch(m), 0);
	switch (m->arch) {
	case MODEL_X86:
		fake_set_cap(CAP_SET_GUEST_DEBUG2, 0x1f0003);
		break;
	case MODEL_ARM64:
		fake_set_cap(CAP_SET_GUEST_DEBUG2, 0x30003);
		fake_set_cap(CAP_HW_BPS, (int)m->hw_bps);
		fake_set_cap(CAP_HW_WPS, (int)m->hw_wps);
		break;
	case MODEL_S390:
		fake_set_cap(CAP_SET_GUEST_DEBUG2, S390_CAP_MASK);
		fake_set_cap(CAP_S390_USER_INSTR0, m->user_instr0_offered);
		break;
	case MODEL_PPC_PR:
		fake_set_cap(CAP_PPC_SSTEP, 1);
		break;
	case MODEL_PPC_HV:
		fake_set_cap(CAP_PPC_SSTEP, 0);
		break;
	case MODEL_PPC_BOOKE:
		fake_set_cap(CAP_PPC_SSTEP, 1);
		fake_set_cap(CAP_PPC_BOOKE_SREGS, 1);
		break;
	case MODEL_RISCV:
		break;
	}
	fake_set_model(&hooks, m);
}

enum model_arch model_get_arch(struct model *m)
{
	return m->arch;
}

uint8_t *model_ram(struct model *m)
{
	return m->ram;
}

uint64_t model_ram_gpa(struct model *m)
{
	return m->ram_gpa;
}

size_t model_ram_size(struct model *m)
{
	return m->ram_size;
}

void model_set_hw_counts(struct model *m, unsigned int bps, unsigned int wps)
{
	m->hw_bps = bps;
	m->hw_wps = wps;
}

void model_set_user_instr0(struct model *m, bool offered)
{
	m->user_instr0_offered = offered;
}

void model_set_garbage_seed(struct model *m, uint64_t seed)
{
	m->garbage = seed;
}

void model_set_x86_emulate_all(struct model *m, bool on)
{
	m->x86_emulate_all = on;
}

void model_set_ppc_problem_state(struct model *m, bool on)
{
	m->ppc_problem_state = on;
}

void model_set_budget(struct model *m, unsigned int insns)
{
	m->budget = insns;
}

void model_set_page_size(struct model *m, uint64_t size)
{
	m->page_size = size;
}

void model_map_page(struct model *m, uint64_t va, uint64_t pa)
{
	g_assert_cmpuint(m->nr_pages, <, MAX_PAGES);
	m->pages[m->nr_pages].va = va & ~(m->page_size - 1);
	m->pages[m->nr_pages].pa = pa & ~(m->page_size - 1);
	m->nr_pages++;
}

struct model_vcpu *model_vcpu_new(struct model *m, int fd, struct kvm_run *run, uint64_t pc)
{
	struct model_vcpu *v = g_new0(struct model_vcpu, 1);

	g_assert_cmpuint(m->nr_vcpus, <, MAX_VCPUS);
	v->m = m;
	v->fd = fd;
	v->run = (uint8_t *)run;
	v->pc = pc;
	v->dr7 = X86_DR7_DEFAULT;
	v->exit.slot = -1;
	if (m->arch == MODEL_S390)
		put_n(v->run + S390_RUN_PSW_ADDR, pc, 8, true);
	m->vcpus[m->nr_vcpus++] = v;
	return v;
}

struct model_vcpu *model_vcpu_by_fd(struct model *m, int fd)
{
	for (unsigned int i = 0; i < m->nr_vcpus; i++)
		if (m->vcpus[i]->fd == fd)
			return m->vcpus[i];
	return NULL;
}

unsigned int model_errors(struct model *m)
{
	return m->errors;
}

const char *model_error_text(struct model *m)
{
	return m->errors ? m->error : "";
}

void model_clear_errors(struct model *m)
{
	m->errors = 0;
	m->error[0] = 0;
}
