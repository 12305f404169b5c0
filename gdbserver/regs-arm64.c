// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * arm64 registers for gdb, and the target description that tells gdb their order and types.
 *
 * gdb's aarch64 support wants the feature org.gnu.gdb.aarch64.core with x0-x30, sp, pc and a
 * 32-bit cpsr, and takes org.gnu.gdb.aarch64.fpu (v0-v31, fpsr, fpcr) when it is there.  Each
 * register is one KVM_GET_ONE_REG of a KVM_REG_ARM_CORE id (arch/arm64/kvm/guest.c,
 * get_core_reg(): the id is the offset into struct kvm_regs in 32-bit words), read when first
 * needed after a stop.  "sp" is the stack pointer the vCPU uses now: SP_EL1 when PSTATE.M
 * selects SP_ELx (EL1h), else SP_EL0, which is what KVM's struct kvm_regs calls regs.sp.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/kvm.h>

#include "internal.h"

#define NR_CORE 34 /* x0-x30, sp, pc, cpsr */
#define NR_REGS 68 /* and v0-v31, fpsr, fpcr */
#define REG_SP 31
#define REG_PC 32
#define REG_CPSR 33
#define REG_V0 34
#define REG_FPSR 66
#define REG_FPCR 67

#define CORE_ID(size, field) \
	(KVM_REG_ARM64 | (size) | KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(field))

/* the target description, laid out as gdb's XML reads */
/* clang-format off */
#define REG(name, bits, type) "<reg name=\"" name "\" bitsize=\"" #bits "\" type=\"" type "\"/>\n"
#define X(n) REG("x" #n, 64, "int")
#define V(n) REG("v" #n, 128, "aarch64v")
#define BIT(name, n) "<field name=\"" name "\" start=\"" #n "\" end=\"" #n "\"/>\n"

static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>aarch64</architecture>\n"
	"<feature name=\"org.gnu.gdb.aarch64.core\">\n"
	"<flags id=\"cpsr_flags\" size=\"4\">\n"
	BIT("SP", 0) BIT("EL0", 2) BIT("EL1", 3) BIT("nRW", 4) BIT("F", 6) BIT("I", 7)
	BIT("A", 8) BIT("D", 9) BIT("SSBS", 12) BIT("BTYPE0", 10) BIT("BTYPE1", 11)
	BIT("IL", 20) BIT("SS", 21) BIT("PAN", 22) BIT("UAO", 23) BIT("DIT", 24)
	BIT("TCO", 25) BIT("V", 28) BIT("C", 29) BIT("Z", 30) BIT("N", 31)
	"</flags>\n"
	"<reg name=\"x0\" bitsize=\"64\" type=\"int\" regnum=\"0\"/>\n"
	X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
	X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28)
	REG("x29", 64, "data_ptr") X(30)
	REG("sp", 64, "data_ptr") REG("pc", 64, "code_ptr") REG("cpsr", 32, "cpsr_flags")
	"</feature>\n"
	"<feature name=\"org.gnu.gdb.aarch64.fpu\">\n"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	"<vector id=\"v2u\" type=\"uint64\" count=\"2\"/>\n"
	"<vector id=\"v2i\" type=\"int64\" count=\"2\"/>\n"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	"<vector id=\"v4u\" type=\"uint32\" count=\"4\"/>\n"
	"<vector id=\"v4i\" type=\"int32\" count=\"4\"/>\n"
	"<vector id=\"v8u\" type=\"uint16\" count=\"8\"/>\n"
	"<vector id=\"v8i\" type=\"int16\" count=\"8\"/>\n"
	"<vector id=\"v16u\" type=\"uint8\" count=\"16\"/>\n"
	"<vector id=\"v16i\" type=\"int8\" count=\"16\"/>\n"
	"<union id=\"vnd\"><field name=\"f\" type=\"v2d\"/><field name=\"u\" type=\"v2u\"/>"
	"<field name=\"s\" type=\"v2i\"/></union>\n"
	"<union id=\"vns\"><field name=\"f\" type=\"v4f\"/><field name=\"u\" type=\"v4u\"/>"
	"<field name=\"s\" type=\"v4i\"/></union>\n"
	"<union id=\"vnh\"><field name=\"u\" type=\"v8u\"/><field name=\"s\" type=\"v8i\"/>"
	"</union>\n"
	"<union id=\"vnb\"><field name=\"u\" type=\"v16u\"/><field name=\"s\" type=\"v16i\"/>"
	"</union>\n"
	"<union id=\"vnq\"><field name=\"u\" type=\"uint128\"/><field name=\"s\" type=\"int128\"/>"
	"</union>\n"
	"<union id=\"aarch64v\"><field name=\"d\" type=\"vnd\"/><field name=\"s\" type=\"vns\"/>"
	"<field name=\"h\" type=\"vnh\"/><field name=\"b\" type=\"vnb\"/>"
	"<field name=\"q\" type=\"vnq\"/></union>\n"
	V(0) V(1) V(2) V(3) V(4) V(5) V(6) V(7) V(8) V(9) V(10) V(11) V(12) V(13) V(14) V(15)
	V(16) V(17) V(18) V(19) V(20) V(21) V(22) V(23) V(24) V(25) V(26) V(27) V(28) V(29)
	V(30) V(31)
	REG("fpsr", 32, "int") REG("fpcr", 32, "int")
	"</feature>\n"
	"</target>\n";
/* clang-format on */

const struct gs_arch gs_arch = {
	.target_xml = target_xml,
	.nr_regs = NR_REGS,
	.expedite = { 29, REG_SP, REG_PC }, /* x29 (the frame pointer), sp, pc */
	.bp_kind = 4,			    /* BRK */
	.watch_any_bytes = true,
	.watch_read = true,
	.no_watch_read = "",
};

/* What gdb's register n is in KVM: the ONE_REG id and its size. */
struct slot {
	uint64_t id;
	unsigned int size; /* bytes */
};

/* KVM-side registers: x0-x30, sp_el0, sp_el1, pc, pstate, v0-v31, fpsr, fpcr. */
#define K_SP_EL0 31
#define K_SP_EL1 32
#define K_PC 33
#define K_PSTATE 34
#define K_V0 35
#define K_FPSR 67
#define K_FPCR 68
#define K_COUNT 69

struct gs_regs {
	uint64_t valid[2]; /* a bit per KVM-side register */
	uint8_t val[K_COUNT][16];
};

static struct slot kslot(unsigned int k)
{
	static const uint64_t u64 = KVM_REG_SIZE_U64, u128 = KVM_REG_SIZE_U128,
			      u32 = KVM_REG_SIZE_U32;

	if (k < 31)
		return (struct slot){ CORE_ID(u64, regs.regs[k]), 8 };
	if (k >= K_V0 && k < K_V0 + 32)
		return (struct slot){ CORE_ID(u128, fp_regs.vregs[k - K_V0]), 16 };
	switch (k) {
	case K_SP_EL0:
		return (struct slot){ CORE_ID(u64, regs.sp), 8 };
	case K_SP_EL1:
		return (struct slot){ CORE_ID(u64, sp_el1), 8 };
	case K_PC:
		return (struct slot){ CORE_ID(u64, regs.pc), 8 };
	case K_PSTATE:
		return (struct slot){ CORE_ID(u64, regs.pstate), 8 };
	case K_FPSR:
		return (struct slot){ CORE_ID(u32, fp_regs.fpsr), 4 };
	default:
		return (struct slot){ CORE_ID(u32, fp_regs.fpcr), 4 };
	}
}

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
	r->valid[0] = r->valid[1] = 0;
}

unsigned int regs_size(unsigned int regno)
{
	if (regno >= NR_REGS)
		return 0;
	if (regno == REG_CPSR || regno == REG_FPSR || regno == REG_FPCR)
		return 4;
	return regno >= REG_V0 && regno < REG_V0 + 32 ? 16 : 8;
}

size_t regs_g_size(void)
{
	size_t size = 0;

	for (unsigned int i = 0; i < NR_REGS; i++)
		size += regs_size(i);
	return size;
}

static bool is_valid(const struct gs_regs *r, unsigned int k)
{
	return r->valid[k / 64] & (1ull << (k % 64));
}

static int kget(struct gs_regs *r, int fd, unsigned int k)
{
	struct slot s = kslot(k);
	struct kvm_one_reg one = { .id = s.id, .addr = (uintptr_t)r->val[k] };
	int ret;

	if (is_valid(r, k))
		return 0;
	ret = gs_kernel_ioctl(fd, KVM_GET_ONE_REG, &one);
	if (ret < 0)
		return ret;
	r->valid[k / 64] |= 1ull << (k % 64);
	return 0;
}

static int kset(struct gs_regs *r, int fd, unsigned int k, const uint8_t *v)
{
	struct slot s = kslot(k);
	uint8_t buf[16];
	struct kvm_one_reg one = { .id = s.id, .addr = (uintptr_t)buf };
	int ret;

	memcpy(buf, v, s.size);
	ret = gs_kernel_ioctl(fd, KVM_SET_ONE_REG, &one);
	if (ret < 0) {
		r->valid[k / 64] &= ~(1ull << (k % 64));
		return ret;
	}
	memcpy(r->val[k], buf, s.size);
	r->valid[k / 64] |= 1ull << (k % 64);
	return 0;
}

/* The KVM-side register gdb's register regno is now (sp depends on PSTATE.M). */
static int kindex(struct gs_regs *r, int fd, unsigned int regno, unsigned int *ret)
{
	uint64_t pstate;
	int err;

	if (regno < 31) {
		*ret = regno;
	} else if (regno == REG_SP) {
		err = kget(r, fd, K_PSTATE);
		if (err < 0)
			return err;
		memcpy(&pstate, r->val[K_PSTATE], 8);
		/* PSTATE.M[0]: the exception level's own SP_ELx rather than SP_EL0 */
		*ret = (pstate & 0xf) && (pstate & 1) ? K_SP_EL1 : K_SP_EL0;
	} else if (regno == REG_PC) {
		*ret = K_PC;
	} else if (regno == REG_CPSR) {
		*ret = K_PSTATE;
	} else if (regno < REG_FPSR) {
		*ret = K_V0 + (regno - REG_V0);
	} else {
		*ret = regno == REG_FPSR ? K_FPSR : K_FPCR;
	}
	return 0;
}

int regs_read(struct gs_regs *r, int fd, unsigned int regno, uint8_t *out)
{
	unsigned int k;
	int ret;

	if (regno >= NR_REGS)
		return -EINVAL;
	ret = kindex(r, fd, regno, &k);
	if (ret == 0)
		ret = kget(r, fd, k);
	if (ret < 0)
		return ret;
	/* little-endian: cpsr is the low 32 bits of PSTATE */
	memcpy(out, r->val[k], regs_size(regno));
	return 0;
}

int regs_write(struct gs_regs *r, int fd, unsigned int first, unsigned int count, const uint8_t *in,
	       bool *ret_pc_changed)
{
	int ret;

	if (first >= NR_REGS || count > NR_REGS - first || !count)
		return -EINVAL;
	for (unsigned int regno = first; regno < first + count; regno++) {
		unsigned int size = regs_size(regno), k;
		uint8_t v[16];

		ret = kindex(r, fd, regno, &k);
		if (ret == 0)
			ret = kget(r, fd, k);
		if (ret < 0)
			return ret;
		/* cpsr: the upper half of PSTATE stays */
		memcpy(v, r->val[k], 16);
		memcpy(v, in, size);
		in += size;
		if (!memcmp(v, r->val[k], kslot(k).size))
			continue;
		ret = kset(r, fd, k, v);
		if (ret < 0)
			return ret;
		if (k == K_PC)
			*ret_pc_changed = true;
	}
	return 0;
}
