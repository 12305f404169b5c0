// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The registers gdb sees, and the target description that tells gdb their order and
 * types.
 *
 * The 'g' packet is every register below in this order, each in the guest's byte order
 * (little-endian), and 'p'/'P' number them the same way.  They come from KVM_GET_REGS
 * (the general registers, rip, rflags), KVM_GET_SREGS (segment selectors and bases,
 * control registers) and KVM_GET_FPU (x87 and SSE), read once per stop.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "stub.h"

enum reg_kind {
	RK_GPR,	    /* 8 bytes of struct kvm_regs at .off */
	RK_FLAGS,   /* the low 32 bits of rflags */
	RK_SEL,	    /* the selector of the kvm_segment at .off in kvm_sregs */
	RK_SEGBASE, /* the base of the struct kvm_segment at .off in kvm_sregs */
	RK_SREG64,  /* 8 bytes of struct kvm_sregs at .off */
	RK_ST,	    /* x87 register ST(.off), as FXSAVE keeps them, 10 bytes */
	RK_FPCTL,   /* an x87 control register, see fpctl_get() */
	RK_XMM,	    /* xmm register .off, 16 bytes */
	RK_MXCSR,
};

struct reg_desc {
	const char *name;
	unsigned int size;
	enum reg_kind kind;
	size_t off;
};

/* clang-format off */
#define GPR(n, f) { n, 8, RK_GPR, offsetof(struct kvm_regs, f) }
#define SEL(n, f) { n, 4, RK_SEL, offsetof(struct kvm_sregs, f) }
/* clang-format on */

static const struct reg_desc regs[REGS_COUNT] = {
	GPR("rax", rax),
	GPR("rbx", rbx),
	GPR("rcx", rcx),
	GPR("rdx", rdx),
	GPR("rsi", rsi),
	GPR("rdi", rdi),
	GPR("rbp", rbp),
	GPR("rsp", rsp),
	GPR("r8", r8),
	GPR("r9", r9),
	GPR("r10", r10),
	GPR("r11", r11),
	GPR("r12", r12),
	GPR("r13", r13),
	GPR("r14", r14),
	GPR("r15", r15),
	GPR("rip", rip),
	{ "eflags", 4, RK_FLAGS, 0 },
	SEL("cs", cs),
	SEL("ss", ss),
	SEL("ds", ds),
	SEL("es", es),
	SEL("fs", fs),
	SEL("gs", gs),
	{ "st0", 10, RK_ST, 0 },
	{ "st1", 10, RK_ST, 1 },
	{ "st2", 10, RK_ST, 2 },
	{ "st3", 10, RK_ST, 3 },
	{ "st4", 10, RK_ST, 4 },
	{ "st5", 10, RK_ST, 5 },
	{ "st6", 10, RK_ST, 6 },
	{ "st7", 10, RK_ST, 7 },
	{ "fctrl", 4, RK_FPCTL, 0 },
	{ "fstat", 4, RK_FPCTL, 1 },
	{ "ftag", 4, RK_FPCTL, 2 },
	{ "fiseg", 4, RK_FPCTL, 3 },
	{ "fioff", 4, RK_FPCTL, 4 },
	{ "foseg", 4, RK_FPCTL, 5 },
	{ "fooff", 4, RK_FPCTL, 6 },
	{ "fop", 4, RK_FPCTL, 7 },
	{ "xmm0", 16, RK_XMM, 0 },
	{ "xmm1", 16, RK_XMM, 1 },
	{ "xmm2", 16, RK_XMM, 2 },
	{ "xmm3", 16, RK_XMM, 3 },
	{ "xmm4", 16, RK_XMM, 4 },
	{ "xmm5", 16, RK_XMM, 5 },
	{ "xmm6", 16, RK_XMM, 6 },
	{ "xmm7", 16, RK_XMM, 7 },
	{ "xmm8", 16, RK_XMM, 8 },
	{ "xmm9", 16, RK_XMM, 9 },
	{ "xmm10", 16, RK_XMM, 10 },
	{ "xmm11", 16, RK_XMM, 11 },
	{ "xmm12", 16, RK_XMM, 12 },
	{ "xmm13", 16, RK_XMM, 13 },
	{ "xmm14", 16, RK_XMM, 14 },
	{ "xmm15", 16, RK_XMM, 15 },
	{ "mxcsr", 4, RK_MXCSR, 0 },
	{ "fs_base", 8, RK_SEGBASE, offsetof(struct kvm_sregs, fs) },
	{ "gs_base", 8, RK_SEGBASE, offsetof(struct kvm_sregs, gs) },
	{ "cr0", 8, RK_SREG64, offsetof(struct kvm_sregs, cr0) },
	{ "cr2", 8, RK_SREG64, offsetof(struct kvm_sregs, cr2) },
	{ "cr3", 8, RK_SREG64, offsetof(struct kvm_sregs, cr3) },
	{ "cr4", 8, RK_SREG64, offsetof(struct kvm_sregs, cr4) },
	{ "cr8", 8, RK_SREG64, offsetof(struct kvm_sregs, cr8) },
	{ "efer", 8, RK_SREG64, offsetof(struct kvm_sregs, efer) },
};

/*
 * The same registers for gdb: the architecture, and the features gdb's x86-64 support
 * looks for by name (core, sse, segments), plus the control registers in a feature of our
 * own.
 */
const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>\n"
	"<field name=\"\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>\n"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>\n"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>\n"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>\n"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>\n"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>\n"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>\n"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>\n"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>\n"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>\n"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>\n"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>\n"
	"</flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
	"<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>\n"
	"<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>\n"
	"<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>\n"
	"<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>\n"
	"<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>\n"
	"<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>\n"
	"<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.sse\">\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	"<union id=\"vec128\">\n"
	"<field name=\"v4_float\" type=\"v4f\"/>\n"
	"<field name=\"v2_double\" type=\"v2d\"/>\n"
	"<field name=\"v16_int8\" type=\"v16i8\"/>\n"
	"<field name=\"v8_int16\" type=\"v8i16\"/>\n"
	"<field name=\"v4_int32\" type=\"v4i32\"/>\n"
	"<field name=\"v2_int64\" type=\"v2i64\"/>\n"
	"<field name=\"uint128\" type=\"uint128\"/>\n"
	"</union>\n"
	"<flags id=\"i386_mxcsr\" size=\"4\">\n"
	"<field name=\"IE\" start=\"0\" end=\"0\"/>\n"
	"<field name=\"DE\" start=\"1\" end=\"1\"/>\n"
	"<field name=\"ZE\" start=\"2\" end=\"2\"/>\n"
	"<field name=\"OE\" start=\"3\" end=\"3\"/>\n"
	"<field name=\"UE\" start=\"4\" end=\"4\"/>\n"
	"<field name=\"PE\" start=\"5\" end=\"5\"/>\n"
	"<field name=\"DAZ\" start=\"6\" end=\"6\"/>\n"
	"<field name=\"IM\" start=\"7\" end=\"7\"/>\n"
	"<field name=\"DM\" start=\"8\" end=\"8\"/>\n"
	"<field name=\"ZM\" start=\"9\" end=\"9\"/>\n"
	"<field name=\"OM\" start=\"10\" end=\"10\"/>\n"
	"<field name=\"UM\" start=\"11\" end=\"11\"/>\n"
	"<field name=\"PM\" start=\"12\" end=\"12\"/>\n"
	"<field name=\"FZ\" start=\"15\" end=\"15\"/>\n"
	"</flags>\n"
	"<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>\n"
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"i386_mxcsr\" group=\"vector\"/>\n"
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	"<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>\n"
	"</feature>\n"
	"<feature name=\"org.kvmdbg.x86.system\">\n"
	"<reg name=\"cr0\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"<reg name=\"cr2\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"<reg name=\"cr3\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"<reg name=\"cr4\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"<reg name=\"cr8\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"<reg name=\"efer\" bitsize=\"64\" type=\"int64\" group=\"system\"/>\n"
	"</feature>\n"
	"</target>\n";

static size_t regs_g_size(void)
{
	size_t size = 0;

	for (unsigned int i = 0; i < REGS_COUNT; i++)
		size += regs[i].size;
	return size;
}

/*
 * The x87 tag word gdb shows has two bits per physical register (0 valid, 1 zero, 2
 * special, 3 empty); FXSAVE, and so KVM, keeps one bit (not empty).  The two-bit tag of a
 * register in use follows from its contents.
 */
static uint16_t full_tag_word(const struct kvm_fpu *fpu)
{
	unsigned int top = (fpu->fsw >> 11) & 7;
	uint16_t tag = 0;

	for (unsigned int phys = 0; phys < 8; phys++) {
		const uint8_t *st = fpu->fpr[(phys - top) & 7];
		uint16_t exponent = (uint16_t)((st[9] & 0x7f) << 8 | st[8]);
		uint64_t mantissa;
		unsigned int t;

		memcpy(&mantissa, st, sizeof(mantissa));
		if (!(fpu->ftwx & (1u << phys)))
			t = 3;
		else if (exponent == 0x7fff)
			t = 2;
		else if (exponent == 0)
			t = mantissa ? 2 : 1;
		else
			t = (mantissa >> 63) ? 0 : 2;
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

static uint8_t abridged_tag(uint16_t tag)
{
	uint8_t ftwx = 0;

	for (unsigned int phys = 0; phys < 8; phys++)
		if (((tag >> (2 * phys)) & 3) != 3)
			ftwx |= (uint8_t)(1u << phys);
	return ftwx;
}

static uint32_t fpctl_get(const struct kvm_fpu *fpu, size_t which)
{
	switch (which) {
	case 0:
		return fpu->fcw;
	case 1:
		return fpu->fsw;
	case 2:
		return full_tag_word(fpu);
	case 3: /* 64-bit FXSAVE: bits 32-47 of the instruction pointer */
		return (uint32_t)(fpu->last_ip >> 32) & 0xffff;
	case 4:
		return (uint32_t)fpu->last_ip;
	case 5:
		return (uint32_t)(fpu->last_dp >> 32) & 0xffff;
	case 6:
		return (uint32_t)fpu->last_dp;
	default:
		return fpu->last_opcode & 0x7ff;
	}
}

/* fiseg and foseg are bits 32-47 of the 64-bit FXSAVE pointers; the bits above stay. */
static uint64_t with_seg_bits(uint64_t ptr, uint32_t v)
{
	return (ptr & ~(0xffffull << 32)) | (uint64_t)(v & 0xffff) << 32;
}

static void fpctl_set(struct kvm_fpu *fpu, size_t which, uint32_t v)
{
	switch (which) {
	case 0:
		fpu->fcw = (uint16_t)v;
		break;
	case 1:
		fpu->fsw = (uint16_t)v;
		break;
	case 2:
		fpu->ftwx = abridged_tag((uint16_t)v);
		break;
	case 3:
		fpu->last_ip = with_seg_bits(fpu->last_ip, v);
		break;
	case 4:
		fpu->last_ip = (fpu->last_ip & ~0xffffffffull) | v;
		break;
	case 5:
		fpu->last_dp = with_seg_bits(fpu->last_dp, v);
		break;
	case 6:
		fpu->last_dp = (fpu->last_dp & ~0xffffffffull) | v;
		break;
	default:
		fpu->last_opcode = (uint16_t)(v & 0x7ff);
		break;
	}
}

/* The bytes of register @r (little-endian, as in the 'g' packet). */
static void reg_get(const struct vcpu *v, const struct reg_desc *r, uint8_t *out)
{
	const uint8_t *regs_base = (const uint8_t *)&v->regs;
	const uint8_t *sregs_base = (const uint8_t *)&v->sregs;
	struct kvm_segment seg;
	uint32_t v32;

	switch (r->kind) {
	case RK_GPR:
		memcpy(out, regs_base + r->off, 8);
		break;
	case RK_FLAGS:
		v32 = (uint32_t)v->regs.rflags;
		memcpy(out, &v32, 4);
		break;
	case RK_SEL:
		memcpy(&seg, sregs_base + r->off, sizeof(seg));
		v32 = seg.selector;
		memcpy(out, &v32, 4);
		break;
	case RK_SEGBASE:
		memcpy(&seg, sregs_base + r->off, sizeof(seg));
		memcpy(out, &seg.base, 8);
		break;
	case RK_SREG64:
		memcpy(out, sregs_base + r->off, 8);
		break;
	case RK_ST:
		memcpy(out, v->fpu.fpr[r->off], 10);
		break;
	case RK_FPCTL:
		v32 = fpctl_get(&v->fpu, r->off);
		memcpy(out, &v32, 4);
		break;
	case RK_XMM:
		memcpy(out, v->fpu.xmm[r->off], 16);
		break;
	case RK_MXCSR:
		memcpy(out, &v->fpu.mxcsr, 4);
		break;
	}
}

/* Which of the three register sets a write touched. */
enum {
	SET_REGS = 1 << 0,
	SET_SREGS = 1 << 1,
	SET_FPU = 1 << 2,
};

/*
 * Set register @r from @in in the vCPU's cached sets; returns the SET_* bit to write
 * back, or -EINVAL for a change KVM cannot take as a plain value (a segment selector: it
 * would need its descriptor loaded too).
 */
static int reg_set(struct vcpu *v, const struct reg_desc *r, const uint8_t *in)
{
	uint8_t *regs_base = (uint8_t *)&v->regs;
	uint8_t *sregs_base = (uint8_t *)&v->sregs;
	struct kvm_segment seg;
	uint32_t v32;

	switch (r->kind) {
	case RK_GPR:
		memcpy(regs_base + r->off, in, 8);
		return SET_REGS;
	case RK_FLAGS:
		memcpy(&v32, in, 4);
		/* bit 1 is always 1 on x86 */
		v->regs.rflags = (v->regs.rflags & ~0xffffffffull) | v32 | 0x2;
		return SET_REGS;
	case RK_SEL:
		memcpy(&seg, sregs_base + r->off, sizeof(seg));
		memcpy(&v32, in, 4);
		return v32 == seg.selector ? 0 : -EINVAL;
	case RK_SEGBASE:
		memcpy(&seg, sregs_base + r->off, sizeof(seg));
		memcpy(&seg.base, in, 8);
		memcpy(sregs_base + r->off, &seg, sizeof(seg));
		return SET_SREGS;
	case RK_SREG64:
		memcpy(sregs_base + r->off, in, 8);
		return SET_SREGS;
	case RK_ST:
		memcpy(v->fpu.fpr[r->off], in, 10);
		return SET_FPU;
	case RK_FPCTL:
		memcpy(&v32, in, 4);
		fpctl_set(&v->fpu, r->off, v32);
		return SET_FPU;
	case RK_XMM:
		memcpy(v->fpu.xmm[r->off], in, 16);
		return SET_FPU;
	case RK_MXCSR:
		memcpy(&v->fpu.mxcsr, in, 4);
		return SET_FPU;
	}
	return -EINVAL;
}

int regs_read_all(struct vm *vm, unsigned int index, char *out)
{
	const struct vcpu *v = &vm->vcpus[index];
	uint8_t buf[16];
	int ret;

	ret = vm_fetch_regs(vm, index);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < REGS_COUNT; i++) {
		reg_get(v, &regs[i], buf);
		hex_encode(buf, regs[i].size, out);
		out += 2 * regs[i].size;
	}
	return 0;
}

static int write_back(struct vm *vm, unsigned int index, int sets, uint64_t old_rip)
{
	struct vcpu *v = &vm->vcpus[index];
	int ret = 0;

	if (sets & SET_SREGS)
		ret = vm_store_sregs(vm, index);
	if (!ret && (sets & SET_FPU))
		ret = vm_store_fpu(vm, index);
	if (!ret && (sets & SET_REGS))
		ret = vm_store_regs(vm, index, v->regs.rip != old_rip);
	return ret;
}

int regs_write_all(struct vm *vm, unsigned int index, const char *hex, size_t len)
{
	struct vcpu *v = &vm->vcpus[index];
	struct kvm_regs saved_regs;
	struct kvm_sregs saved_sregs;
	struct kvm_fpu saved_fpu;
	uint8_t buf[16];
	int sets, ret;

	if (len != 2 * regs_g_size())
		return -EINVAL;
	ret = vm_fetch_regs(vm, index);
	if (ret < 0)
		return ret;
	saved_regs = v->regs;
	saved_sregs = v->sregs;
	saved_fpu = v->fpu;
	for (unsigned int i = 0; i < REGS_COUNT; i++) {
		ret = hex_decode(hex, 2 * regs[i].size, buf, regs[i].size);
		if (ret == 0)
			ret = reg_set(v, &regs[i], buf);
		if (ret < 0) {
			/* nothing changes when any part is wrong */
			v->regs = saved_regs;
			v->sregs = saved_sregs;
			v->fpu = saved_fpu;
			return ret;
		}
		hex += 2 * regs[i].size;
	}
	/* write back only the sets that really changed */
	sets = 0;
	if (memcmp(&v->regs, &saved_regs, sizeof(saved_regs)))
		sets |= SET_REGS;
	if (memcmp(&v->sregs, &saved_sregs, sizeof(saved_sregs)))
		sets |= SET_SREGS;
	if (memcmp(&v->fpu, &saved_fpu, sizeof(saved_fpu)))
		sets |= SET_FPU;
	return write_back(vm, index, sets, saved_regs.rip);
}

int regs_read_one(struct vm *vm, unsigned int index, unsigned int regno, char *out)
{
	uint8_t buf[16];
	int ret;

	if (regno >= REGS_COUNT)
		return -EINVAL;
	ret = vm_fetch_regs(vm, index);
	if (ret < 0)
		return ret;
	reg_get(&vm->vcpus[index], &regs[regno], buf);
	hex_encode(buf, regs[regno].size, out);
	return 0;
}

int regs_write_one(struct vm *vm, unsigned int index, unsigned int regno, const char *hex,
		   size_t len)
{
	struct vcpu *v = &vm->vcpus[index];
	uint64_t old_rip;
	uint8_t buf[16];
	int ret;

	if (regno >= REGS_COUNT || len != 2 * regs[regno].size)
		return -EINVAL;
	ret = hex_decode(hex, len, buf, regs[regno].size);
	if (ret < 0)
		return ret;
	ret = vm_fetch_regs(vm, index);
	if (ret < 0)
		return ret;
	old_rip = v->regs.rip;
	ret = reg_set(v, &regs[regno], buf);
	if (ret <= 0)
		return ret;
	return write_back(vm, index, ret, old_rip);
}

int regs_expedite(struct vm *vm, unsigned int index, char *out, size_t size)
{
	/* what gdb needs first at a stop: the frame (rbp, rsp) and the pc */
	static const unsigned int expedited[] = { 6, 7, 16 };
	size_t n = 0;
	int ret;

	ret = vm_fetch_regs(vm, index);
	if (ret < 0)
		return ret;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(expedited) / sizeof(expedited[0]); i++) {
		char hex[2 * 16 + 1];

		regs_read_one(vm, index, expedited[i], hex);
		n += (size_t)snprintf(out + n, size > n ? size - n : 0, "%02x:%s;",
				      expedited[i], hex);
	}
	return n < size ? 0 : -ENOSPC;
}
