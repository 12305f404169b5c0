// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The loongarch64 backend against golden images written byte by byte, little-endian, from the
 * uapi layout (arch/loongarch/include/uapi/asm/kvm.h, Linux 6.10 and later):
 *   struct kvm_guest_debug (8): u32 control, u32 pad; struct kvm_guest_debug_arch is empty
 *   control: ENABLE 0x1, USE_SW_BP 0x10000 (the kernel also takes SINGLESTEP 0x2, and does
 *   nothing with it)
 *   struct kvm_run (2352): u32 exit_reason @8 (KVM_EXIT_DEBUG 4); the debug exit is empty
 *   the breakpoint instruction: KVM_GET_ONE_REG(KVM_REG_LOONGARCH_DEBUG_INST
 *   0x9030000000020003), hvcl 0x101 = 0x002b8101 on every kernel so far, bytes 01 81 2b 00
 *   the pc: struct kvm_regs.pc of KVM_GET_REGS
 * and then the core's policies for it, driven through the fake kernel edge pretending to be a
 * loongarch64 kernel: the instruction read once with ONE_REG, the pc read with KVM_GET_REGS
 * after every exit, no single-step and so no step-over.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"
#include "golden.h"

#define ARCH (&arch_loongarch64)

#define REG_DEBUG_INST 0x9030000000020003ull
#define HVCL_SWDBG 0x002b8101u

static const uint8_t hvcl[4] = { 0x01, 0x81, 0x2b, 0x00 };

static void test_description(void)
{
	g_assert_cmpstr(ARCH->name, ==, "loongarch64");
	g_assert_true(arch_by_name("loongarch64") == ARCH);
	g_assert_false(ARCH->big_endian);
	g_assert_cmpuint(ARCH->guest_debug_size, ==, 8);
	g_assert_cmpuint(ARCH->run_size, ==, 2352);
	g_assert_cmpuint(ARCH->aux_size, ==, 0);
	g_assert_cmpuint(ARCH->slots[BANK_BP], ==, 0);
	g_assert_cmpuint(ARCH->slots[BANK_WP], ==, 0);
	g_assert_cmpuint(ARCH->slot_caps[0], ==, 0);
	g_assert_cmpuint(ARCH->slot_caps[1], ==, 0);
	/* ENABLE | USE_SW_BP: SINGLESTEP is taken by the kernel, but does nothing */
	g_assert_cmphex(ARCH->legacy_mask, ==, 0x10001);
	g_assert_cmpuint(ARCH->step_cap, ==, 0);
	g_assert_cmpuint(ARCH->variant_cap, ==, 0);
	g_assert_null(ARCH->variant);
	/* the instruction is the kernel's: KVM_REG_LOONGARCH | _KVM | KVM_REG_SIZE_U64 | 3 */
	g_assert_cmpuint(ARCH->sw_insn_len, ==, 0);
	g_assert_cmpuint(ARCH->sw_insn_alt_len, ==, 0);
	g_assert_cmpuint(ARCH->alt_insn_cap, ==, 0);
	g_assert_null(ARCH->pick_alt_insn);
	g_assert_cmphex(ARCH->sw_insn_reg, ==, 0x9030000000020003ull);
	/* no ONE_REG for the pc: KVM_GET_REGS */
	g_assert_cmphex(ARCH->pc_reg, ==, 0);
	g_assert_true(ARCH->pc_from_regs);
	g_assert_false(arch_has_quirk(ARCH, QUIRK_KVM_TRANSLATE));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_FAILED_SET_DISABLES));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_HW_NEEDS_PHYS));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_DEBUG_REG_TRAP));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_WATCH_BEFORE_ACCESS));
	g_assert_false(arch_has_quirk(ARCH, QUIRK_WATCH_RESEND));
	g_assert_null(ARCH->set_pc);
#if defined(__loongarch64)
	g_assert_true(arch_native() == ARCH);
#endif
}

static void test_control(void)
{
	static const struct {
		uint32_t req;
		uint32_t control;
	} table[] = {
		{ 0, 0 },
		{ REQ_STEP | REQ_SW_BP | REQ_HW, 0 },
		{ REQ_ENABLE, 0x00000001 },
		{ REQ_ENABLE | REQ_SW_BP, 0x00010001 },
		/* mapped so that the mask (0x10001) refuses it: never sent */
		{ REQ_ENABLE | REQ_STEP, 0x00000003 },
		{ REQ_ENABLE | REQ_STEP | REQ_SW_BP, 0x00010003 },
		/* no hardware bit, nothing to inject with, no interrupt blocking */
		{ REQ_ENABLE | REQ_HW, 0x00000001 },
		{ REQ_ENABLE | REQ_INJECT_BP | REQ_INJECT_DB |
			  REQ_BLOCK_IRQ, 0x00000001 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
		g_test_message("req 0x%x", table[i].req);
		g_assert_cmphex(arch_control(ARCH, table[i].req), ==, table[i].control);
	}
}

static void test_pack(void)
{
	static const uint8_t sw[8] = { 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t enable[8] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t sw_step[8] = { 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t off[8];
	struct debug_state st;
	uint8_t out[8];

	memset(&st, 0, sizeof(st));
	st.req = REQ_ENABLE | REQ_SW_BP;
	golden_pack(ARCH, &st, 0x10001, 0, out, NULL);
	assert_bytes(out, sw, 8);
	golden_pack(ARCH, &st, 0x1, 0, out, NULL);
	assert_bytes(out, enable, 8);
	/* the control word as given, whatever it holds; the pad stays 0 */
	golden_pack(ARCH, &st, 0x10003, 0, out, NULL);
	assert_bytes(out, sw_step, 8);
	/* slots have nowhere to go */
	golden_slot(&st, BANK_BP, 0, SLOT_EXEC, 0x9000000000200000ull, 4, 0);
	golden_slot(&st, BANK_WP, 0, SLOT_WRITE, 0x1000, 8, 0);
	golden_pack(ARCH, &st, 0x10001, 0, out, NULL);
	assert_bytes(out, sw, 8);
	golden_pack(ARCH, &st, 0, 0, out, NULL);
	assert_bytes(out, off, 8);
}

static void test_validate(void)
{
	static const uint64_t lens[8] = { 0, 1, 2, 3, 4, 5, 8, 16 };
	static const int sw_word[8] = { 0, 0, -EINVAL, -EINVAL, 0, -EINVAL, -EINVAL, -EINVAL };
	static const uint64_t unaligned[3] = { 0x9000000000200001ull, 0x9000000000200002ull,
					       0x9000000000200003ull };

	for (size_t l = 0; l < G_N_ELEMENTS(lens); l++) {
		g_test_message("len %" G_GUINT64_FORMAT, lens[l]);
		/* breakpoints: 0, 1 or 4 (gdb's kind), word-aligned */
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0x9000000000200000ull,
					       lens[l]), ==, sw_word[l]);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, 0x1c, lens[l]), ==,
				sw_word[l]);
		for (size_t a = 0; a < G_N_ELEMENTS(unaligned); a++)
			g_assert_cmpint(ARCH->validate(KVMDBG_POINT_SW_BREAK, unaligned[a],
						       lens[l]), ==, -EINVAL);
		/* no hardware points at all */
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_HW_BREAK, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_WRITE, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_READ, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate(KVMDBG_POINT_WATCH_ACCESS, 0x1000, lens[l]), ==,
				-EOPNOTSUPP);
		g_assert_cmpint(ARCH->validate((enum kvmdbg_point_type)5, 0x1000, lens[l]), ==,
				-EINVAL);
	}
}

static void test_decode(void)
{
	struct arch_exit e;

	/* every KVM_EXIT_DEBUG is the SWDBG hypercall; the pc comes from KVM_GET_REGS */
	g_assert_true(golden_decode(ARCH, golden_run(4, false), &e));
	g_assert_cmphex(e.causes, ==, CAUSE_BP_INSN);
	g_assert_cmphex(e.slot_mask, ==, 0);
	g_assert_false(e.slot_by_pc);
	g_assert_cmpint(e.access, ==, 0);
	g_assert_false(e.has_pc);
	g_assert_false(e.has_exception);
	g_assert_false(e.has_status);
	g_assert_false(e.has_data_addr);
	g_assert_false(e.intercept);
	g_assert_false(e.foreign_insn);

	/* KVM_EXIT_HYPERCALL (3, the user hypercall), KVM_EXIT_LOONGARCH_IOCSR (38), MMIO (6) */
	g_assert_false(golden_decode(ARCH, golden_run(3, false), &e));
	g_assert_false(golden_decode(ARCH, golden_run(38, false), &e));
	g_assert_false(golden_decode(ARCH, golden_run(6, false), &e));
	/* 4 in the other byte order is not 4 */
	g_assert_false(golden_decode(ARCH, golden_run(4, true), &e));
}

/* ---- the core's policies, through the fake kernel ---- */

/*
 * A loongarch64 fake kernel: KVM_CAP_SET_GUEST_DEBUG 1, KVM_CAP_SET_GUEST_DEBUG2 as given,
 * nothing else until the test says so (fixture.h).
 */
static void fix_init(struct fx *f, int debug2)
{
	fx_init_plain(f, "loongarch64", debug2);
	g_assert_true(fake_get_arch() == ARCH);
}

static void assert_features(struct kvmdbg_vm *vm, int guest_debug, int step, int sw)
{
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, KVMDBG_FEATURE_GUEST_DEBUG), ==, guest_debug);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, KVMDBG_FEATURE_SINGLE_STEP), ==, step);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, sw);
	for (int i = KVMDBG_FEATURE_HW_BREAKPOINT; i <= KVMDBG_FEATURE_REINJECT; i++) {
		g_test_message("feature %d", i);
		g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)i), ==, 0);
	}
}

/* pre_run issues exactly one 8-byte set_guest_debug: assert its bytes */
static void pre_run_image(struct fx *f, const uint8_t expected[8])
{
	struct fake_call c = fx_pre_run_one(f->vcpu[0], FX_VCPU_FD, 8);

	assert_bytes(c.bytes, expected, 8);
}

static void test_core_probe(void)
{
	struct fx fix, *f = &fix;
	struct fake_call c;
	uint32_t mask = 0;

	fix_init(f, 0);
	fake_set_one_reg(REG_DEBUG_INST, HVCL_SWDBG, 0);
	fx_vm(f, 0);
	/* KVM_CAP_SET_GUEST_DEBUG2 is 0 on loongarch: the legacy mask, without SINGLESTEP */
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10001);
	/* the instruction is not known before a vCPU gives it */
	assert_features(f->vm, 1, 0, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA, 0, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	fake_log_clear();
	fx_attach(f, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_ONE_REG);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmphex(c.reg, ==, REG_DEBUG_INST);
	assert_features(f->vm, 1, 0, 1);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, false), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(f->vm, true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, FX_GPA, 0, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	for (int t = KVMDBG_POINT_WATCH_WRITE; t <= KVMDBG_POINT_WATCH_ACCESS; t++)
		g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)t, FX_GPA, 4, 0,
						 NULL, NULL), ==, -EOPNOTSUPP);
	/* without single-step no other vCPU could step over a per-vCPU breakpoint */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, FX_GPA, 0, 0, NULL,
					   NULL), ==, -EOPNOTSUPP);
	/* misaligned: the instruction is a word */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 2, 0, 0, NULL,
					 NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	fx_fini_restored(f);
}

static void test_core_old_kernels(void)
{
	struct fx fix, *f = &fix;
	uint32_t mask = 0;

	/* 6.7 to 6.9: no capability, every KVM_SET_GUEST_DEBUG fails, no DEBUG_INST register */
	fix_init(f, 0);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
	fake_set_one_reg(REG_DEBUG_INST, 0, -EINVAL);
	fake_fail_set_guest_debug(-EINVAL, 1);
	fx_vm(f, 0);
	fx_attach(f, 0);
	assert_features(f->vm, 0, 0, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA, 0, 0, NULL,
					 NULL), ==, -EOPNOTSUPP);
	fx_fini_restored(f);

	/* a kernel that would one day report single-step in KVM_CAP_SET_GUEST_DEBUG2 gets it */
	fix_init(f, 0x10003);
	fake_set_one_reg(REG_DEBUG_INST, HVCL_SWDBG, 0);
	fx_vm(f, 0);
	fx_attach(f, 0);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x10003);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SINGLE_STEP), ==, 1);
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_SW_BREAKPOINT), ==, 1);
	fx_fini_restored(f);
}

static void test_core_sw(void)
{
	static const uint8_t sw[8] = { 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t off[8];
	struct fx fix, *f = &fix;
	const struct kvmdbg_event *ev;
	uint64_t p = 0, q = 0;
	uint32_t e = 0;
	uint64_t status = 0;
	uint64_t a = FX_GPA + 0x100, b = FX_GPA + 0x204, g = FX_GPA + 0x300;
	struct fake_call c;

	fix_init(f, 0);
	fake_set_one_reg(REG_DEBUG_INST, HVCL_SWDBG, 0);
	fx_vm(f, 0);
	fx_attach(f, 0);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, &p), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, b, 4,
					 KVMDBG_POINT_ONESHOT, NULL, &q), ==, 0);
	/* the kernel's word, little-endian */
	g_assert_cmpmem(fx_mem(f, a), 4, hvcl, 4);
	g_assert_cmpmem(fx_mem(f, a) + 4, 4, f->orig + 0x104, 4);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 4);
	g_assert_cmpmem(fx_mem(f, b), 4, hvcl, 4);
	pre_run_image(f, sw);

	/* the hypercall's exit: the pc (not advanced) from KVM_GET_REGS, nothing else read */
	fake_set_regs_pc(a, 0);
	fx_loongarch(f->run[0]);
	fake_log_clear();
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_GET_REGS);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_true(kvmdbg_event_get_vcpu(ev) == f->vcpu[0]);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, -ENODATA);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &status), ==, -ENODATA);
	/* no single-step, no step-over: nothing to send, the next run stops there again */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 0);
	assert_log_len(0);
	g_assert_cmpmem(fx_mem(f, a), 4, hvcl, 4);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);

	/* the one-shot takes itself out: the original word is back */
	fake_set_regs_pc(b, 0);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == q);
	g_assert_cmpmem(fx_mem(f, b), 4, f->orig + 0x204, 4);
	g_assert_false(fx_point_armed(f->vm, q));
	/* if the vCPU exits there again before it saw the original: run it */
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_true(ev == FX_NO_EVENT);

	/* the guest's own SWDBG hypercall is the guest's; the kernel has no way to hand it back */
	memcpy(fx_mem(f, g), hvcl, 4);
	fake_set_regs_pc(g, 0);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, g);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	memcpy(fx_mem(f, g), f->orig + 0x300, 4);

	/* KVM_GET_REGS failing fails the exit */
	fake_set_regs_pc(0, -EIO);
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, -EIO);
	g_assert_true(ev == FX_NO_EVENT);

	/* not a debug exit: nothing read */
	golden_put((uint8_t *)f->run[0] + 8, 38, 4, false);
	fake_log_clear();
	g_assert_cmpint(fx_exit(f, 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	assert_log_len(0);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	pre_run_image(f, off);
	fx_fini_restored(f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/loongarch/description", test_description);
	g_test_add_func("/kvmdbg/unit/loongarch/control", test_control);
	g_test_add_func("/kvmdbg/unit/loongarch/pack", test_pack);
	g_test_add_func("/kvmdbg/unit/loongarch/validate", test_validate);
	g_test_add_func("/kvmdbg/unit/loongarch/decode", test_decode);
	g_test_add_func("/kvmdbg/unit/loongarch/core/probe", test_core_probe);
	g_test_add_func("/kvmdbg/unit/loongarch/core/old-kernels", test_core_old_kernels);
	g_test_add_func("/kvmdbg/unit/loongarch/core/sw", test_core_sw);

	return g_test_run();
}
