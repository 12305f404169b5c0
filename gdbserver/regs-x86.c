// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * x86-64 registers for gdb, and the target description that tells gdb their order and types.
 *
 * The 'g' packet is every register below in this order, each little-endian, and 'p'/'P'
 * number them the same way.  They come from KVM_GET_REGS (general registers, rip, rflags),
 * KVM_GET_SREGS (segment selectors and bases, control registers, EFER) and KVM_GET_FPU (x87,
 * SSE), each read once per stop, when first needed.
 *
 * The description names the features gdb's x86-64 support looks for (core, sse, segments)
 * and adds the control registers in a feature of its own, with their bits as flags (Intel
 * SDM vol. 3, 2.5 and 2.2.1), so that gdb shows "cr0 0x80010033 [ PG WP NE ET MP PE ]".
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "internal.h"

#define NR_REGS 65
#define GDB_RIP 16

enum reg_kind {
	RK_GPR,	    /* 8 bytes of struct kvm_regs at .off */
	RK_FLAGS,   /* the low 32 bits of rflags */
	RK_SEL,	    /* the selector of the struct kvm_segment at .off in kvm_sregs */
	RK_SEGBASE, /* the base of the struct kvm_segment at .off in kvm_sregs */
	RK_SREG64,  /* 8 bytes of struct kvm_sregs at .off */
	RK_ST,	    /* x87 register ST(.off), as FXSAVE keeps them, 10 bytes */
	RK_FPCTL,   /* an x87 control register, see fpctl_get() */
	RK_XMM,	    /* xmm register .off, 16 bytes */
	RK_MXCSR,
};

/* Which of the three register sets a register lives in. */
enum {
	SET_REGS = 1 << 0,
	SET_SREGS = 1 << 1,
	SET_FPU = 1 << 2,
};

struct reg_desc {
	unsigned int size;
	enum reg_kind kind;
	size_t off;
};

/* clang-format off */
#define GPR(f) { 8, RK_GPR, offsetof(struct kvm_regs, f) }
#define SEL(f) { 4, RK_SEL, offsetof(struct kvm_sregs, f) }
#define SREG(f) { 8, RK_SREG64, offsetof(struct kvm_sregs, f) }
/* clang-format on */

/* four registers a line, as gdb numbers them */
/* clang-format off */
static const struct reg_desc descs[NR_REGS] = {
	GPR(rax), GPR(rbx), GPR(rcx), GPR(rdx), GPR(rsi), GPR(rdi), GPR(rbp), GPR(rsp),
	GPR(r8), GPR(r9), GPR(r10), GPR(r11), GPR(r12), GPR(r13), GPR(r14), GPR(r15),
	GPR(rip), { 4, RK_FLAGS, 0 },
	SEL(cs), SEL(ss), SEL(ds), SEL(es), SEL(fs), SEL(gs),
	{ 10, RK_ST, 0 }, { 10, RK_ST, 1 }, { 10, RK_ST, 2 }, { 10, RK_ST, 3 },
	{ 10, RK_ST, 4 }, { 10, RK_ST, 5 }, { 10, RK_ST, 6 }, { 10, RK_ST, 7 },
	{ 4, RK_FPCTL, 0 }, { 4, RK_FPCTL, 1 }, { 4, RK_FPCTL, 2 }, { 4, RK_FPCTL, 3 },
	{ 4, RK_FPCTL, 4 }, { 4, RK_FPCTL, 5 }, { 4, RK_FPCTL, 6 }, { 4, RK_FPCTL, 7 },
	{ 16, RK_XMM, 0 }, { 16, RK_XMM, 1 }, { 16, RK_XMM, 2 }, { 16, RK_XMM, 3 },
	{ 16, RK_XMM, 4 }, { 16, RK_XMM, 5 }, { 16, RK_XMM, 6 }, { 16, RK_XMM, 7 },
	{ 16, RK_XMM, 8 }, { 16, RK_XMM, 9 }, { 16, RK_XMM, 10 }, { 16, RK_XMM, 11 },
	{ 16, RK_XMM, 12 }, { 16, RK_XMM, 13 }, { 16, RK_XMM, 14 }, { 16, RK_XMM, 15 },
	{ 4, RK_MXCSR, 0 },
	{ 8, RK_SEGBASE, offsetof(struct kvm_sregs, fs) },
	{ 8, RK_SEGBASE, offsetof(struct kvm_sregs, gs) },
	SREG(cr0), SREG(cr2), SREG(cr3), SREG(cr4), SREG(cr8), SREG(efer),
};
/* clang-format on */

/* the target description, laid out as gdb's XML reads */
/* clang-format off */
#define REG(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>\n"
#define REG_G(name, bits, type, group)                                                       \
	"<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\" group=\"" group "\"/>\n"
#define BIT(name, n) "<field name=\"" name "\" start=\"" #n "\" end=\"" #n "\"/>\n"

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<feature name=\"org.gnu.gdb.i386.core\">\n"
	"<flags id=\"i386_eflags\" size=\"4\">\n"
	BIT("CF", 0) BIT("", 1) BIT("PF", 2) BIT("AF", 4) BIT("ZF", 6) BIT("SF", 7)
	BIT("TF", 8) BIT("IF", 9) BIT("DF", 10) BIT("OF", 11) BIT("NT", 14) BIT("RF", 16)
	BIT("VM", 17) BIT("AC", 18) BIT("VIF", 19) BIT("VIP", 20) BIT("ID", 21)
	"</flags>\n"
	"<reg name=\"rax\" bitsize=\"64\" type=\"int64\" regnum=\"0\"/>\n"
	REG("rbx", 64, "int64") REG("rcx", 64, "int64") REG("rdx", 64, "int64")
	REG("rsi", 64, "int64") REG("rdi", 64, "int64") REG("rbp", 64, "data_ptr")
	REG("rsp", 64, "data_ptr") REG("r8", 64, "int64") REG("r9", 64, "int64")
	REG("r10", 64, "int64") REG("r11", 64, "int64") REG("r12", 64, "int64")
	REG("r13", 64, "int64") REG("r14", 64, "int64") REG("r15", 64, "int64")
	REG("rip", 64, "code_ptr") REG("eflags", 32, "i386_eflags")
	REG("cs", 32, "int32") REG("ss", 32, "int32") REG("ds", 32, "int32")
	REG("es", 32, "int32") REG("fs", 32, "int32") REG("gs", 32, "int32")
	REG("st0", 80, "i387_ext") REG("st1", 80, "i387_ext") REG("st2", 80, "i387_ext")
	REG("st3", 80, "i387_ext") REG("st4", 80, "i387_ext") REG("st5", 80, "i387_ext")
	REG("st6", 80, "i387_ext") REG("st7", 80, "i387_ext")
	REG_G("fctrl", 32, "int", "float") REG_G("fstat", 32, "int", "float")
	REG_G("ftag", 32, "int", "float") REG_G("fiseg", 32, "int", "float")
	REG_G("fioff", 32, "int", "float") REG_G("foseg", 32, "int", "float")
	REG_G("fooff", 32, "int", "float") REG_G("fop", 32, "int", "float")
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
	BIT("IE", 0) BIT("DE", 1) BIT("ZE", 2) BIT("OE", 3) BIT("UE", 4) BIT("PE", 5)
	BIT("DAZ", 6) BIT("IM", 7) BIT("DM", 8) BIT("ZM", 9) BIT("OM", 10) BIT("UM", 11)
	BIT("PM", 12) BIT("FZ", 15)
	"</flags>\n"
	REG("xmm0", 128, "vec128") REG("xmm1", 128, "vec128") REG("xmm2", 128, "vec128")
	REG("xmm3", 128, "vec128") REG("xmm4", 128, "vec128") REG("xmm5", 128, "vec128")
	REG("xmm6", 128, "vec128") REG("xmm7", 128, "vec128") REG("xmm8", 128, "vec128")
	REG("xmm9", 128, "vec128") REG("xmm10", 128, "vec128") REG("xmm11", 128, "vec128")
	REG("xmm12", 128, "vec128") REG("xmm13", 128, "vec128") REG("xmm14", 128, "vec128")
	REG("xmm15", 128, "vec128")
	REG_G("mxcsr", 32, "i386_mxcsr", "vector")
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.i386.segments\">\n"
	REG("fs_base", 64, "int") REG("gs_base", 64, "int")
	"</feature>\n"
	"<feature name=\"org.kvmdbg.x86.system\">\n"
	"<flags id=\"x86_cr0\" size=\"8\">\n"
	BIT("PE", 0) BIT("MP", 1) BIT("EM", 2) BIT("TS", 3) BIT("ET", 4) BIT("NE", 5)
	BIT("WP", 16) BIT("AM", 18) BIT("NW", 29) BIT("CD", 30) BIT("PG", 31)
	"</flags>\n"
	"<flags id=\"x86_cr4\" size=\"8\">\n"
	BIT("VME", 0) BIT("PVI", 1) BIT("TSD", 2) BIT("DE", 3) BIT("PSE", 4) BIT("PAE", 5)
	BIT("MCE", 6) BIT("PGE", 7) BIT("PCE", 8) BIT("OSFXSR", 9) BIT("OSXMMEXCPT", 10)
	BIT("UMIP", 11) BIT("LA57", 12) BIT("VMXE", 13) BIT("SMXE", 14) BIT("FSGSBASE", 16)
	BIT("PCIDE", 17) BIT("OSXSAVE", 18) BIT("SMEP", 20) BIT("SMAP", 21) BIT("PKE", 22)
	BIT("CET", 23) BIT("PKS", 24)
	"</flags>\n"
	"<flags id=\"x86_efer\" size=\"8\">\n"
	BIT("SCE", 0) BIT("LME", 8) BIT("LMA", 10) BIT("NXE", 11) BIT("SVME", 12)
	BIT("LMSLE", 13) BIT("FFXSR", 14) BIT("TCE", 15)
	"</flags>\n"
	REG_G("cr0", 64, "x86_cr0", "system") REG_G("cr2", 64, "int64", "system")
	REG_G("cr3", 64, "int64", "system") REG_G("cr4", 64, "x86_cr4", "system")
	REG_G("cr8", 64, "int64", "system") REG_G("efer", 64, "x86_efer", "system")
	"</feature>\n"
	"</target>\n";
/* clang-format on */

const struct gs_arch gs_arch = {
	.target_xml = target_xml,
	.nr_regs = NR_REGS,
	.expedite = { 6, 7, GDB_RIP }, /* rbp, rsp, rip */
	.bp_kind = 1,		       /* int3 */
	.watch_any_bytes = false,
	.watch_read = false,
	.no_watch_read = "x86 cannot watch reads only",
};

struct gs_regs {
	unsigned int valid; /* SET_* */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
};

struct gs_regs *regs_new(void)
{
	return calloc(1, sizeof(struct gs_regs));
}

void regs_free(struct gs_regs *r)
{
	free(r);
}

void regs_invalidate(struct gs_regs *r)
{
	r->valid = 0;
}

unsigned int regs_size(unsigned int regno)
{
	return regno < NR_REGS ? descs[regno].size : 0;
}

size_t regs_g_size(void)
{
	size_t size = 0;

	for (unsigned int i = 0; i < NR_REGS; i++)
		size += descs[i].size;
	return size;
}

static unsigned int set_of(const struct reg_desc *d)
{
	switch (d->kind) {
	case RK_GPR:
	case RK_FLAGS:
		return SET_REGS;
	case RK_SEL:
	case RK_SEGBASE:
	case RK_SREG64:
		return SET_SREGS;
	default:
		return SET_FPU;
	}
}

static int fetch(struct gs_regs *r, int fd, unsigned int sets)
{
	int ret;

	if ((sets & SET_REGS) && !(r->valid & SET_REGS)) {
		ret = gs_kernel_ioctl(fd, KVM_GET_REGS, &r->regs);
		if (ret < 0)
			return ret;
		r->valid |= SET_REGS;
	}
	if ((sets & SET_SREGS) && !(r->valid & SET_SREGS)) {
		ret = gs_kernel_ioctl(fd, KVM_GET_SREGS, &r->sregs);
		if (ret < 0)
			return ret;
		r->valid |= SET_SREGS;
	}
	if ((sets & SET_FPU) && !(r->valid & SET_FPU)) {
		ret = gs_kernel_ioctl(fd, KVM_GET_FPU, &r->fpu);
		if (ret < 0)
			return ret;
		r->valid |= SET_FPU;
	}
	return 0;
}

/*
 * The x87 tag word gdb shows has two bits per physical register (0 valid, 1 zero, 2 special,
 * 3 empty); FXSAVE, and so KVM, keeps one bit (not empty).  The two-bit tag of a register in
 * use follows from its contents.
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

static void reg_get(const struct gs_regs *r, const struct reg_desc *d, uint8_t *out)
{
	const uint8_t *regs = (const uint8_t *)&r->regs;
	const uint8_t *sregs = (const uint8_t *)&r->sregs;
	struct kvm_segment seg;
	uint32_t v32;

	switch (d->kind) {
	case RK_GPR:
		memcpy(out, regs + d->off, 8);
		break;
	case RK_FLAGS:
		v32 = (uint32_t)r->regs.rflags;
		memcpy(out, &v32, 4);
		break;
	case RK_SEL:
		memcpy(&seg, sregs + d->off, sizeof(seg));
		v32 = seg.selector;
		memcpy(out, &v32, 4);
		break;
	case RK_SEGBASE:
		memcpy(&seg, sregs + d->off, sizeof(seg));
		memcpy(out, &seg.base, 8);
		break;
	case RK_SREG64:
		memcpy(out, sregs + d->off, 8);
		break;
	case RK_ST:
		memcpy(out, r->fpu.fpr[d->off], 10);
		break;
	case RK_FPCTL:
		v32 = fpctl_get(&r->fpu, d->off);
		memcpy(out, &v32, 4);
		break;
	case RK_XMM:
		memcpy(out, r->fpu.xmm[d->off], 16);
		break;
	case RK_MXCSR:
		memcpy(out, &r->fpu.mxcsr, 4);
		break;
	}
}

/*
 * Set a register in a copy of the sets; -EINVAL for a change KVM cannot take as a plain
 * value (a segment selector: it would need its descriptor loaded too).
 */
static int reg_set(struct gs_regs *r, const struct reg_desc *d, const uint8_t *in)
{
	uint8_t *regs = (uint8_t *)&r->regs;
	uint8_t *sregs = (uint8_t *)&r->sregs;
	struct kvm_segment seg;
	uint32_t v32;

	switch (d->kind) {
	case RK_GPR:
		memcpy(regs + d->off, in, 8);
		break;
	case RK_FLAGS:
		memcpy(&v32, in, 4);
		/* bit 1 is always 1 on x86 */
		r->regs.rflags = (r->regs.rflags & ~0xffffffffull) | v32 | 0x2;
		break;
	case RK_SEL:
		memcpy(&seg, sregs + d->off, sizeof(seg));
		memcpy(&v32, in, 4);
		return v32 == seg.selector ? 0 : -EINVAL;
	case RK_SEGBASE:
		memcpy(&seg, sregs + d->off, sizeof(seg));
		memcpy(&seg.base, in, 8);
		memcpy(sregs + d->off, &seg, sizeof(seg));
		break;
	case RK_SREG64:
		memcpy(sregs + d->off, in, 8);
		break;
	case RK_ST:
		memcpy(r->fpu.fpr[d->off], in, 10);
		break;
	case RK_FPCTL:
		memcpy(&v32, in, 4);
		fpctl_set(&r->fpu, d->off, v32);
		break;
	case RK_XMM:
		memcpy(r->fpu.xmm[d->off], in, 16);
		break;
	case RK_MXCSR:
		memcpy(&r->fpu.mxcsr, in, 4);
		break;
	}
	return 0;
}

int regs_read(struct gs_regs *r, int fd, unsigned int regno, uint8_t *out)
{
	int ret;

	if (regno >= NR_REGS)
		return -EINVAL;
	ret = fetch(r, fd, set_of(&descs[regno]));
	if (ret < 0)
		return ret;
	reg_get(r, &descs[regno], out);
	return 0;
}

int regs_write(struct gs_regs *r, int fd, unsigned int first, unsigned int count, const uint8_t *in,
	       bool *ret_pc_changed)
{
	struct gs_regs *n;
	unsigned int sets = 0, changed = 0;
	bool pc_changed;
	int ret;

	if (first >= NR_REGS || count > NR_REGS - first || !count)
		return -EINVAL;
	for (unsigned int i = first; i < first + count; i++)
		sets |= set_of(&descs[i]);
	ret = fetch(r, fd, sets);
	if (ret < 0)
		return ret;
	n = malloc(sizeof(*n));
	if (!n)
		return -ENOMEM;
	*n = *r;
	for (unsigned int i = first; i < first + count; i++) {
		ret = reg_set(n, &descs[i], in);
		if (ret < 0)
			goto out; /* nothing changes when any part is wrong */
		in += descs[i].size;
	}
	/* write back only the sets that really changed */
	if (memcmp(&n->regs, &r->regs, sizeof(r->regs)))
		changed |= SET_REGS;
	if (memcmp(&n->sregs, &r->sregs, sizeof(r->sregs)))
		changed |= SET_SREGS;
	if (memcmp(&n->fpu, &r->fpu, sizeof(r->fpu)))
		changed |= SET_FPU;
	pc_changed = n->regs.rip != r->regs.rip;
	if (changed & SET_SREGS) {
		ret = gs_kernel_ioctl(fd, KVM_SET_SREGS, &n->sregs);
		/* KVM may adjust what it was given (EFER.LMA follows CR0.PG): read it again */
		r->valid &= ~(unsigned int)SET_SREGS;
		if (ret < 0)
			goto out;
	}
	if (changed & SET_FPU) {
		ret = gs_kernel_ioctl(fd, KVM_SET_FPU, &n->fpu);
		if (ret < 0) {
			r->valid &= ~(unsigned int)SET_FPU;
			goto out;
		}
		r->fpu = n->fpu;
	}
	if (changed & SET_REGS) {
		ret = gs_kernel_ioctl(fd, KVM_SET_REGS, &n->regs);
		if (ret < 0) {
			r->valid &= ~(unsigned int)SET_REGS;
			goto out;
		}
		r->regs = n->regs;
		*ret_pc_changed = pc_changed;
	}
	ret = 0;
out:
	free(n);
	return ret;
}
