// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Points over the fake kernel edge (fixture.h): inserting, finding and removing them, and
 * what software breakpoints do to guest memory.  Bad input through the public API: every
 * refusal has its exact error code, leaves ret_* untouched, and changes nothing, neither the
 * point count, nor guest memory, nor the kernel (no call now, and nothing pending for the next
 * pre_run).  Removing every breakpoint leaves guest memory byte-identical to before, whatever
 * the guest wrote meanwhile; instructions longer than x86's int3 (s390, riscv) are here too.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

/* ------------------------------------------------------------------------------------------ */
/* Insert and remove: refusals */

static void test_insert_bad_type(struct fx *f, gconstpointer data)
{
	(void)data;
	fx_refuse_insert(f, 5, 0x402000, 1, 0, -EINVAL);
	fx_refuse_insert(f, -1, 0x402000, 1, 0, -EINVAL);
	fx_refuse_insert(f, 100, 0x402000, 1, 0, -EINVAL);
	fx_refuse_insert(f, INT_MAX, FX_GPA + 0x200, 1, 0, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, (enum kvmdbg_point_type)5, FX_BASE_HW), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, (enum kvmdbg_point_type)-1, FX_BASE_SW), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], (enum kvmdbg_point_type)5, FX_BASE_HW), ==,
			-EINVAL);
	{
		uint64_t id = FX_NO_POINT;

		g_assert_cmpint(kvmdbg_vm_find(f->vm, (enum kvmdbg_point_type)5, FX_BASE_HW, &id),
				==, -EINVAL);
		g_assert_cmpint(kvmdbg_vm_find(f->vm, (enum kvmdbg_point_type)-1, FX_BASE_SW, &id),
				==, -EINVAL);
		g_assert_true(id == FX_NO_POINT);
	}
	fx_assert_unchanged(f);
}

static void test_insert_bad_flags(struct fx *f, gconstpointer data)
{
	(void)data;
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x200, 1, 8, -EINVAL);
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x200, 1, 9, -EINVAL);
	/* pending and self-healing are for software breakpoints only */
	fx_refuse_insert(f, KVMDBG_POINT_HW_BREAK, 0x402000, 1, KVMDBG_POINT_PENDING, -EINVAL);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, KVMDBG_POINT_SELF_HEAL, -EINVAL);
	fx_refuse_insert(f, KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0x80000000u, -EINVAL);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, ~0u, -EINVAL);
	fx_assert_unchanged(f);
}

static void test_insert_bad_length(struct fx *f, gconstpointer data)
{
	static const uint64_t bp_bad[] = { 2, 3, 4, 8, 16, 0x100000001ull, ~0ull };
	static const uint64_t watch_bad[] = { 0, 3, 5, 6, 7, 16, 0x100000001ull, ~0ull };
	(void)data;

	for (size_t i = 0; i < G_N_ELEMENTS(bp_bad); i++) {
		fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x200, bp_bad[i], 0, -EINVAL);
		fx_refuse_insert(f, KVMDBG_POINT_HW_BREAK, 0x402000, bp_bad[i], 0, -EINVAL);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(watch_bad); i++) {
		fx_refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2000, watch_bad[i], 0, -EINVAL);
		fx_refuse_insert(f, KVMDBG_POINT_WATCH_ACCESS, 0x2000, watch_bad[i], 0, -EINVAL);
	}
	fx_assert_unchanged(f);
}

static void test_insert_misaligned(struct fx *f, gconstpointer data)
{
	static const struct {
		uint64_t addr, len;
	} bad[] = {
		{ 0x2001, 2 }, { 0x2001, 4 }, { 0x2002, 4 }, { 0x2003, 4 },
		{ 0x2001, 8 }, { 0x2004, 8 }, { 0x2006, 8 }, { 0xffffffffffffffffull, 2 },
	};
	(void)data;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		fx_refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, bad[i].addr, bad[i].len, 0, -EINVAL);
		fx_refuse_insert(f, KVMDBG_POINT_WATCH_ACCESS, bad[i].addr, bad[i].len, 0, -EINVAL);
	}
	fx_assert_unchanged(f);
}

static void test_insert_watch_read(struct fx *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_WATCH_READ), ==, 0);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 4, 0, -EOPNOTSUPP);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 1, 0, -EOPNOTSUPP);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 8, KVMDBG_POINT_ONESHOT, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_READ, 0x2000), ==, -ENOENT);
	fx_assert_unchanged(f);
}

static void test_insert_duplicate(struct fx *f, gconstpointer data)
{
	uint64_t p = FX_NO_POINT;
	(void)data;

	/* VM-wide twice */
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_BASE_SW, 1, 0, -EEXIST);
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_BASE_SW, 0, KVMDBG_POINT_ONESHOT, -EEXIST);
	fx_refuse_insert(f, KVMDBG_POINT_HW_BREAK, FX_BASE_HW, 1, 0, -EEXIST);
	fx_assert_unchanged(f);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, FX_GPA + 0x300, 1,
					   0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0,
					   NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	fx_mark(f);

	/* same type and address, whatever the length */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 8, 0, NULL, &p),
			==, -EEXIST);
	/* a vCPU point where a VM-wide one of the same type sits */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, FX_BASE_HW, 1, 0,
					   NULL, &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0,
					   NULL, &p), ==, -EEXIST);
	/* software breakpoints: one per address anywhere in the VM */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, FX_BASE_SW, 1, 0,
					   NULL, &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x300, 1, 0, NULL,
					 &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, FX_GPA + 0x300, 1,
					   0, NULL, &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, FX_GPA + 0x300, 1,
					   0, NULL, &p), ==, -EEXIST);
	/* a vCPU's own twice */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0, NULL,
					   &p), ==, -EEXIST);
	g_assert_true(p == FX_NO_POINT);
	fx_assert_unchanged(f);

	/* not duplicates: another type at the same address, another vCPU's hardware point */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x2000, 4, 0, NULL, &p),
			==, 0);
	g_assert_true(p != FX_NO_POINT);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0, NULL,
					   NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, f->expected_count + 2);
}

static void test_remove_twice(struct fx *f, gconstpointer data)
{
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0,
					   NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	fx_mark(f);

	/* not there, or not in this scope, or not of this type */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x999), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, FX_BASE_SW), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_HW), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_WRITE, FX_BASE_HW), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x403000), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x403000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, FX_BASE_HW), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_SW_BREAK, FX_BASE_SW), ==,
			-ENOENT);
	fx_assert_unchanged(f);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_SW), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, FX_BASE_HW), ==, 0);
	for (unsigned int i = 0; i < 2; i++)
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[i]), ==, 1);
	fx_mark(f);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_SW), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, FX_BASE_HW), ==, -ENOENT);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_SW));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	fx_assert_unchanged(f);
}

static void test_refusals_keep_kernel_state(struct fx *f, gconstpointer data)
{
	/*
	 * After a mix of refusals, a stop at the baseline breakpoint still resumes exactly as it
	 * would have: the refusals left no trace in the vCPU's pending state.
	 */
	const struct kvmdbg_event *ev;
	struct fake_call c;
	(void)data;

	g_assert_cmpint(fx_x86_exit(f, 0, 1, FX_BASE_HW, FX_DR6_SLOT(0), &ev), ==,
			KVMDBG_EXIT_EVENT);
	fx_refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2001, 2, 0, -EINVAL);
	fx_refuse_insert(f, KVMDBG_POINT_HW_BREAK, FX_BASE_HW, 1, 0, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x999), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EINVAL);
	assert_log_len(0);

	/*
	 * The step over slot 0: ENABLE | SINGLESTEP | USE_SW_BP, maybe BLOCKIRQ, and slot 0 off,
	 * which with no other slot in use may be USE_HW_BP with DR7 0x400 or no USE_HW_BP at all.
	 */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_SET_GUEST_DEBUG);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
	g_assert_cmphex(c.bytes[0], ==, 0x03);
	g_assert_cmphex(c.bytes[1], ==, 0x00);
	g_assert_cmphex(c.bytes[3], ==, 0x00);
	for (int i = 4; i < 64; i++)
		g_assert_cmphex(c.bytes[i], ==, 0);
	if (c.bytes[2] & 0x02) {
		g_assert_cmphex(c.bytes[2] & ~0x10, ==, 0x03);
		g_assert_cmphex(c.bytes[64], ==, 0x00);
		g_assert_cmphex(c.bytes[65], ==, 0x04);
	} else {
		g_assert_cmphex(c.bytes[2] & ~0x10, ==, 0x01);
		g_assert_cmphex(c.bytes[64], ==, 0x00);
		g_assert_cmphex(c.bytes[65], ==, 0x00);
	}
	for (int i = 66; i < 72; i++)
		g_assert_cmphex(c.bytes[i], ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Software breakpoints in guest memory */

static void test_sw_unbacked(struct fx *f, gconstpointer data)
{
	(void)data;

	/* below, just past and far from the registered RAM, and nothing else to ask */
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_GPA - 1, 1, 0, -EFAULT);
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE, 1, 0, -EFAULT);
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, 0, 1, 0, -EFAULT);
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, ~0ull, 1, KVMDBG_POINT_ONESHOT, -EFAULT);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE));
	fx_assert_unchanged(f);
	/* the last byte is fine */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE - 1, 1,
					 0, NULL, NULL), ==, 0);
	g_assert_cmphex(f->mem[FX_SIZE - 1], ==, 0xcc);
}

static void test_sw_remove_overwritten(struct fx *f, gconstpointer data)
{
	const uint64_t s = fx_ram(f, 0x100), s2 = fx_ram(f, 0x200), s3 = fx_ram(f, 0x300);
	(void)data;

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s3, 1, 0);

	/* the guest rewrote its code over the breakpoint */
	f->mem[s - FX_GPA] = 0x90;
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 1);
	g_assert_cmphex(*fx_mem(f, s), ==, 0x90);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s));
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);

	/* remove_all leaves the guest's byte too, and restores the rest */
	f->mem[s2 - FX_GPA] = 0x0f;
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmphex(*fx_mem(f, s2), ==, 0x0f);
	g_assert_cmphex(*fx_mem(f, s3), ==, fx_orig(f, s3));
	f->mem[s - FX_GPA] = fx_orig(f, s);
	f->mem[s2 - FX_GPA] = fx_orig(f, s2);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
}

static void test_sw_remove_all_identical(struct fx *f, gconstpointer data)
{
	uint8_t img[72];
	unsigned int n = 0;
	(void)data;

	fx_attach(f, 1);
	for (uint64_t off = 0; off < FX_SIZE; off += 97) {
		if (f->orig[off] == 0xcc)
			continue;
		if (n % 3 == 2)
			fx_vinsert(f->vcpu[n % 2], KVMDBG_POINT_SW_BREAK, FX_GPA + off, 1,
				n % 5 ? 0 : KVMDBG_POINT_ONESHOT);
		else
			fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + off, 1,
			       n % 5 ? 0 : KVMDBG_POINT_ONESHOT);
		n++;
	}
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	fx_vinsert(f->vcpu[1], KVMDBG_POINT_WATCH_WRITE, 0x2000, 8, 0);
	n += 2;
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, n);
	g_assert_cmpint(memcmp(f->mem, f->orig, FX_SIZE), !=, 0);
	x86_image(img, 0x00030001, 0x401000, 0, 0, 0, 0x402);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, n);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, fx_x86_off);
}

static void test_sw_over_guest_int3(struct fx *f, gconstpointer data)
{
	/*
	 * The guest already has its own int3 where the debugger sets a breakpoint (a kprobe, a
	 * debugger inside the guest): the byte the library saves is that 0xcc, and removing the
	 * breakpoint must leave it there.
	 */
	uint64_t s = 0;
	(void)data;

	for (uint64_t off = 0; off < FX_SIZE; off++) {
		if (f->orig[off] == 0xcc) {
			s = FX_GPA + off;
			break;
		}
	}
	g_assert_cmphex(s, !=, 0);

	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmphex(*fx_mem(f, s), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);

	/* the same through remove_all and through a one-shot that fires */
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 1);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, KVMDBG_POINT_ONESHOT);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	{
		const struct kvmdbg_event *ev;

		fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev,
			   KVMDBG_EVENT_SW_BREAKPOINT);
	}
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
}

/* fx_translate_reversed(), but virtual page 2 does not translate. */
static int translate_hole(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	if (gva - FX_GPA >= 2 * FX_PAGE && gva - FX_GPA < 3 * FX_PAGE)
		return -EFAULT;
	return fx_translate_reversed(user_data, gva, ret_gpa);
}

static void assert_ram_is(struct fx *f, const uint8_t *expected)
{
	for (size_t i = 0; i < FX_SIZE; i++)
		if (f->mem[i] != expected[i])
			g_error("guest RAM differs at gpa 0x%" G_GINT64_MODIFIER
				"x: %02x, not %02x", (guint64)(FX_GPA + i), f->mem[i], expected[i]);
}

/*
 * Regression: a software breakpoint whose instruction crosses a page boundary (s390's DIAG
 * 0x501, 4 bytes, at the last halfword of a page; riscv's 4-byte ebreak there) was written in
 * one piece: its second half landed on the physical page after the first one, unrelated
 * memory, silently corrupted.  Fix: each half goes to the physical page its virtual page maps
 * to, and the insert is refused, writing nothing, when the second page does not translate.
 */
static void page_cross(const char *arch, const uint8_t insn[4], uint8_t site0)
{
	const uint64_t a = FX_GPA + FX_PAGE + FX_PAGE - 2; /* virtual page 1, its last halfword */
	const uint64_t first = FX_GPA + 14 * FX_PAGE + FX_PAGE - 2, second = FX_GPA + 13 * FX_PAGE;
	uint8_t *expected;
	struct fx f;

	fx_init(&f, arch, 0, 1);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, fx_translate_reversed, NULL), ==,
			0);
	*fx_mem(&f, first) = site0; /* riscv: a 32-bit instruction there */
	expected = g_memdup2(f.mem, FX_SIZE);
	memcpy(expected + (first - FX_GPA), insn, 2);
	memcpy(expected + (second - FX_GPA), insn + 2, 2);

	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	assert_ram_is(&f, expected);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_free(expected);
	expected = g_memdup2(f.orig, FX_SIZE);
	expected[first - FX_GPA] = site0;
	assert_ram_is(&f, expected);

	/* the second page does not translate: refused, nothing written */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_hole, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EFAULT);
	assert_ram_is(&f, expected);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_free(expected);
	fx_fini(&f);
}

/* Regression: s390's DIAG 0x501 across a page boundary (page_cross() above). */
static void test_s390_diag_page_cross(void)
{
	static const uint8_t diag[4] = { 0x83, 0x00, 0x05, 0x01 };

	page_cross("s390x", diag, 0x07);
}

/* Regression: riscv's 4-byte ebreak across a page boundary (page_cross() above). */
static void test_riscv_ebreak_page_cross(void)
{
	static const uint8_t ebreak[4] = { 0x73, 0x00, 0x10, 0x00 };

	page_cross("riscv64", ebreak, 0x13);
}

/* Guest RAM in the last 16 pages of the physical address space (test_riscv_top_of_memory). */
#define TOP_GPA (0ull - FX_SIZE)

/* virtual page k at FX_GPA is physical page k at TOP_GPA, but for 14 and 0, swapped */
static int translate_top(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t off = gva - FX_GPA, page = off / FX_PAGE;

	(void)user_data;
	if (off >= FX_SIZE)
		return -EFAULT;
	if (page == 14 || page == 0)
		page = 14 - page;
	*ret_gpa = TOP_GPA + page * FX_PAGE + off % FX_PAGE;
	return 0;
}

/*
 * Regression (found by reading after fuzz-api found the same in kvmdbg_vm_heal()): pieces of
 * instructions that end at the top of the physical address space were left out of a range
 * that ends there too (gpa + len wrapped to 0), so a read of the last page showed the
 * library's ebreak bytes: riscv's 4-byte ebreak in the last 4 bytes, and the second piece of
 * one split across virtual pages 14 and 15 (physical pages 0 and 15 here).
 */
static void test_riscv_top_of_memory(void)
{
	const uint64_t split = FX_GPA + 15 * FX_PAGE - 2, last = FX_GPA + FX_SIZE - 4;
	const uint64_t top_page = TOP_GPA + 15 * FX_PAGE;
	uint8_t *ram = g_malloc(FX_SIZE), *orig, buf[FX_PAGE];
	struct fx f;

	for (unsigned int i = 0; i < FX_SIZE; i++)
		ram[i] = (uint8_t)(i * 7 + 3);
	ram[FX_PAGE - 2] = 0x13;	     /* a 32-bit instruction at the split site (page 0) */
	ram[FX_SIZE - 4] = 0x13;	     /* and in the last 4 bytes */
	orig = g_memdup2(ram, FX_SIZE);
	fx_init_bare(&f, "riscv64", 0);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, TOP_GPA, FX_SIZE, ram), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_top, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, split, 0, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, last, 0, 0, NULL, NULL), ==,
			0);
	/* both planted: the ebreak's second half at the top page's start, a whole one at its end */
	g_assert_cmphex(ram[15 * FX_PAGE], ==, 0x10);
	g_assert_cmphex(ram[FX_SIZE - 4], ==, 0x73);

	/* a read of the top page sees the guest's bytes, up to the last one */
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, top_page, buf, sizeof(buf)), ==, 0);
	g_assert_cmpmem(buf, sizeof(buf), orig + 15 * FX_PAGE, FX_PAGE);

	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, split), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, last), ==, 0);
	g_assert_cmpmem(ram, FX_SIZE, orig, FX_SIZE);
	kvmdbg_vm_free(f.vm);
	f.vm = NULL;
	fx_fini(&f);
	g_free(orig);
	g_free(ram);
}

/*
 * Regression: software breakpoints whose instructions would overlap (s390's 4-byte DIAG 0x501
 * at a 2-byte instruction, and another at the next instruction) each saved the other's
 * bytes, and removing both left a DIAG in guest code.  Fix: the second is refused with
 * -EEXIST (riscv's 4-byte ebreak inside a 4-byte instruction likewise).
 */
static void test_s390_diag_overlap(void)
{
	const uint64_t a = fx_addr(0x100);
	struct fx fix, *f = &fix;
	int r0, r1, r2;

	fx_init(f, "s390x", 0x10003, 1); /* no USER_INSTR0: the 4-byte DIAG 0x501 */
	/* two consecutive instructions, a 2-byte one at a and the next at a + 2 */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	r0 = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, a + 2, 0, 0, NULL, NULL);
	/* refusing the overlap (-EEXIST) is a fix too */
	g_assert_true(r0 == 0 || r0 == -EEXIST);
	r1 = kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a);
	r2 = kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, a + 2);
	g_test_message("remove a: %d, remove a+2: %d", r1, r2);
	g_test_message("mem %02x %02x %02x %02x %02x %02x, orig %02x %02x %02x %02x %02x %02x",
		       f->mem[0x100], f->mem[0x101], f->mem[0x102], f->mem[0x103], f->mem[0x104],
		       f->mem[0x105], f->orig[0x100], f->orig[0x101], f->orig[0x102],
		       f->orig[0x103], f->orig[0x104], f->orig[0x105]);
	/* the guest never wrote anything: both must be 0 and memory byte-identical */
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	g_assert_cmpint(r1, ==, 0);
	fx_fini(f);
}

/*
 * Regression: an s390 software-breakpoint insert that failed (here at an address that
 * translates but is not guest RAM) had enabled KVM_CAP_S390_USER_INSTR0 on the way, against
 * "a call that fails changes nothing"; the capability cannot be switched off again (it changes
 * what the guest's 0x0000 does for the rest of the VM's life).  Fix: the capability is enabled
 * only by an insert that will succeed.
 */
static void test_s390_unbacked_insert_keeps_cap_off(void)
{
	struct fx fix, *f = &fix;

	fx_init_bare(f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	fx_vm(f, 1);
	fake_log_clear();
	/* an address that translates (identity) but is not guest RAM */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, 0x900000, 0, 0, NULL, NULL),
			==, -EFAULT);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	fx_fini(f);
}

/* Regression: the same when the insert fails writing guest memory; the same fix. */
static void test_s390_failed_insert_keeps_cap_off(void)
{
	struct fx f;

	fx_init_bare(&f, "s390x", 0x10003);
	fake_set_cap(FX_CAP_S390_USER_INSTR0, 1);
	fx_vm_callbacks(&f, 1);
	fx_fail_writes(&f, -EIO, FX_ALWAYS);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0, NULL,
					 NULL), ==, -EIO);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* writable: the insert enables it and writes the 2-byte 0x0000 */
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, fx_translate_identity, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpuint(fake_log_count(FAKE_ENABLE_CAP), ==, 1);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x100)), ==, 0);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x101)), ==, 0);
	g_assert_cmphex(*fx_mem(&f, fx_addr(0x102)), ==, f.orig[0x102]);
	fx_fini(&f);
}

/* A translation whose mapped pages a test switches on: virtual page k of RAM, identity. */
static bool page_mapped[16];

static int translate_some(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t off = gva - FX_GPA;

	(void)user_data;
	if (off >= FX_SIZE || !page_mapped[off / 0x1000])
		return -EFAULT;
	*ret_gpa = gva;
	return 0;
}

static struct kvmdbg_point *snap(struct fx *f, uint64_t id)
{
	struct kvmdbg_point *p = NULL;

	g_assert_cmpint(kvmdbg_vm_get_point(f->vm, id, &p), ==, 0);
	return p;
}

/*
 * A breakpoint set before its code is there (a page not mapped yet, RAM not registered yet):
 * refused without KVMDBG_POINT_PENDING, kept pending with it, planted by
 * kvmdbg_vm_plant_pending() once the page translates and is memory, and then it fires.
 */
static void test_pending(void)
{
	const uint64_t a = fx_addr(0x3010), b = fx_addr(0x3020);
	const struct kvmdbg_event *ev;
	struct kvmdbg_point *p;
	uint64_t id, idb;
	struct fx f;

	memset(page_mapped, 0, sizeof(page_mapped));
	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_some, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	/* hardware points are never pending */
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, KVMDBG_POINT_PENDING,
					 NULL, NULL), ==, -EINVAL);

	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0,
					 KVMDBG_POINT_PENDING | KVMDBG_POINT_ONESHOT, &f, &id),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, b, 0, KVMDBG_POINT_PENDING,
					 NULL, &idb), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 2);
	/* the address is taken, even pending */
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_PENDING,
					 NULL, NULL), ==, -EEXIST);
	p = snap(&f, id);
	g_assert_true(kvmdbg_point_is_pending(p));
	g_assert_cmpuint(kvmdbg_point_get_flags(p), ==,
			 KVMDBG_POINT_PENDING | KVMDBG_POINT_ONESHOT);
	g_assert_true(kvmdbg_point_get_user_data(p) == &f);
	kvmdbg_point_free(p);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* still not there: nothing planted, nothing written */
	g_assert_cmpint(kvmdbg_vm_plant_pending(f.vm), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* the page appears: both are planted, once */
	page_mapped[3] = true;
	g_assert_cmpint(kvmdbg_vm_plant_pending(f.vm), ==, 2);
	g_assert_cmpint(kvmdbg_vm_plant_pending(f.vm), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmphex(*fx_mem(&f, b), ==, 0xcc);
	p = snap(&f, id);
	g_assert_false(kvmdbg_point_is_pending(p));
	kvmdbg_point_free(p);

	/* and it fires like any other */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, id);
	g_assert_cmpuint(kvmdbg_event_get_point_flags(ev), ==,
			 KVMDBG_POINT_PENDING | KVMDBG_POINT_ONESHOT);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x3010]);

	/* a pending point removed writes nothing */
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x5000), 0,
					 KVMDBG_POINT_PENDING, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x5000)), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, b), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_plant_pending(NULL), ==, -EINVAL);
	fx_fini(&f);
}

/* Pending because the address translates to memory not registered yet (hot-plugged RAM). */
static void test_pending_memory(void)
{
	static uint8_t more[0x1000];
	const uint64_t a = 0x900010;
	struct kvmdbg_point *p;
	uint64_t id;
	struct fx f;

	memset(more, 0x90, sizeof(more));
	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_PENDING,
					 NULL, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vm_plant_pending(f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, 0x900000, sizeof(more), more), ==, 0);
	g_assert_cmpint(kvmdbg_vm_plant_pending(f.vm), ==, 1);
	g_assert_cmphex(more[0x10], ==, 0xcc);
	p = snap(&f, id);
	g_assert_false(kvmdbg_point_is_pending(p));
	kvmdbg_point_free(p);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmphex(more[0x10], ==, 0x90);
	fx_fini(&f);
}

/*
 * The guest loads new code over a planted breakpoint.  A self-healing point is planted again
 * over the new code by kvmdbg_vm_heal() (its new original bytes are the new code's); any
 * other point is left alone, and its removal keeps the guest's code and returns 1.
 */
static void test_self_heal(void)
{
	const uint64_t a = fx_addr(0x2200), b = fx_addr(0x2300), c = fx_addr(0x2400);
	const struct kvmdbg_event *ev;
	struct kvmdbg_point *p;
	uint8_t byte;
	uint64_t id;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_SELF_HEAL,
					 NULL, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, b, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, c, 0,
					 KVMDBG_POINT_SELF_HEAL | KVMDBG_POINT_ONESHOT, NULL, NULL),
			==, 0);
	/* nothing changed: nothing to heal */
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, 0, 0), ==, 0);

	/* the guest writes new code over all three; c has fired first (its bytes are out) */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fx_x86_bp(f.run[0], c);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	*fx_mem(&f, a) = 0x55;
	*fx_mem(&f, b) = 0x56;
	*fx_mem(&f, c) = 0x57;

	/* a range that holds none of them heals nothing */
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, fx_addr(0x2201), 0xff), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0x55);
	/* one that holds a: planted again, its original byte the new one */
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, fx_addr(0x2000), 0x201), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmphex(*fx_mem(&f, b), ==, 0x56);
	g_assert_cmphex(*fx_mem(&f, c), ==, 0x57);
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, a, &byte, 1), ==, 0);
	g_assert_cmphex(byte, ==, 0x55);
	p = snap(&f, id);
	g_assert_cmpuint(kvmdbg_point_get_heal_count(p), ==, 1);
	kvmdbg_point_free(p);
	/* again: nothing new */
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, 0, 0), ==, 0);

	/* removal: a restores the new code, b (not self-healing) keeps the guest's and says so */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0x55);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, b), ==, 1);
	g_assert_cmphex(*fx_mem(&f, b), ==, 0x56);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, c), ==, 0);
	g_assert_cmphex(*fx_mem(&f, c), ==, 0x57);
	g_assert_cmpint(kvmdbg_vm_heal(NULL, 0, 0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, ~0ull, 2), ==, -EINVAL);
	fx_fini(&f);
}

/*
 * Regression (found by fuzz-api): kvmdbg_vm_heal() with a range that ends at the top of the
 * address space (gpa + len is 2^64, which does not wrap: the last byte is ~0) healed nothing,
 * the end of the range having been compared as 0.
 */
static void test_self_heal_to_top(void)
{
	const uint64_t a = fx_addr(0x2200);
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, KVMDBG_POINT_SELF_HEAL,
					 NULL, NULL), ==, 0);
	*fx_mem(&f, a) = 0x55;
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, a - 0x10, -(a - 0x10)), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	/* the same range from the point's own byte, and one that ends just before it */
	*fx_mem(&f, a) = 0x56;
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, a, -a), ==, 1);
	*fx_mem(&f, a) = 0x57;
	g_assert_cmpint(kvmdbg_vm_heal(f.vm, 0, a), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0x57);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 1);
	fx_fini(&f);
}

static unsigned int translations;

static int translate_counting(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	translations++;
	if (gva - FX_GPA >= FX_SIZE)
		return -EFAULT;
	*ret_gpa = gva;
	return 0;
}

/*
 * A fuzzer's bulk insert: one call, one translation per page, the ids in order; and all or
 * nothing when one address fails.
 */
static void test_insert_many(void)
{
	enum { N = 3000 };
	static uint64_t addrs[N], ids[N];
	struct kvmdbg_point *p;
	size_t failed = 12345;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, translate_counting, NULL), ==,
			0);
	/* three per 16 bytes over 0x4000..0x43ff0: 4 pages */
	for (size_t i = 0; i < N; i++)
		addrs[i] = fx_addr(0x4000 + (i / 3) * 16 + (i % 3) * 4);
	g_assert_cmpuint(addrs[N - 1] - fx_addr(0x4000), <, 0x4000);
	translations = 0;
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, addrs, N,
					      KVMDBG_POINT_ONESHOT, &f, ids, &failed), ==, 0);
	g_assert_cmpuint(failed, ==, 12345);
	g_assert_cmpuint(translations, ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, N);
	for (size_t i = 0; i < N; i++) {
		g_assert_cmphex(*fx_mem(&f, addrs[i]), ==, 0xcc);
		p = snap(&f, ids[i]);
		g_assert_cmphex(kvmdbg_point_get_addr(p), ==, addrs[i]);
		g_assert_cmpuint(kvmdbg_point_get_flags(p), ==, KVMDBG_POINT_ONESHOT);
		g_assert_true(kvmdbg_point_get_user_data(p) == &f);
		kvmdbg_point_free(p);
	}
	g_assert_cmpint(kvmdbg_vm_remove_all(f.vm), ==, N);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* one address taken already: nothing of this call stays, no id reaches the caller */
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, addrs[2000], 0, 0, NULL,
					 NULL), ==, 0);
	memset(ids, 0x5a, sizeof(ids));
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, addrs, N, 0, NULL, ids,
					      &failed), ==, -EEXIST);
	g_assert_cmpuint(failed, ==, 2000);
	for (size_t i = 0; i < N; i++)
		g_assert_cmphex(ids[i], ==, 0x5a5a5a5a5a5a5a5aull);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, addrs[2000]), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* one that does not translate, near the end */
	addrs[N - 2] = fx_addr(FX_SIZE + 0x100);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, addrs, N, 0, NULL, NULL,
					      &failed), ==, -EFAULT);
	g_assert_cmpuint(failed, ==, N - 2);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);

	/* bad input changes nothing */
	g_assert_cmpint(kvmdbg_vm_insert_many(NULL, KVMDBG_POINT_SW_BREAK, addrs, 1, 0, NULL, NULL,
					      NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, NULL, 1, 0, NULL, NULL,
					      NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, addrs, 2, 0x80, NULL,
					      NULL, &failed), ==, -EINVAL);
	g_assert_cmpuint(failed, ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_HW_BREAK, addrs, 1, 0, NULL, NULL,
					      NULL), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, 9, addrs, 1, 0, NULL, NULL, NULL), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert_many(f.vm, KVMDBG_POINT_SW_BREAK, NULL, 0, 0, NULL, NULL,
					      NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/* x86: CR3 as KVM_GET_SREGS gives it (offset 240 of struct kvm_sregs) */
#define SREG_CR3 FAKE_SREG(240)

/*
 * A point scoped to one address space (x86: the page-table root in CR3) fires only there: a
 * hit in another is stepped over unseen and counted; the PCID bits do not matter; unscoped
 * points read no register.
 */
static void test_space_x86(void)
{
	const uint64_t a = fx_addr(0x2100), b = fx_addr(0x2200);
	const struct kvmdbg_event *ev;
	struct kvmdbg_point *p;
	uint64_t id, space = 0;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fake_set_one_reg(SREG_CR3, 0x1abc005ull, 0);
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], &space), ==, 0);
	g_assert_cmphex(space, ==, 0x1abc000ull);
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_insert_in_space(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, 0x1abc000,
						  NULL, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, b, 0, 0, NULL, NULL), ==, 0);
	p = snap(&f, id);
	g_assert_cmpint(kvmdbg_point_get_space(p, &space), ==, 0);
	g_assert_cmphex(space, ==, 0x1abc000);
	kvmdbg_point_free(p);

	/* another process: stepped over unseen (the original byte back for one step) */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fake_set_one_reg(SREG_CR3, 0x2def000ull, 0);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	g_assert_cmphex(*fx_mem(&f, a), ==, f.orig[0x2100]);
	fx_x86_db(f.run[0], a + 1, 0xffff4ff0ull);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	p = snap(&f, id);
	g_assert_cmpuint(kvmdbg_point_get_foreign_hits(p), ==, 1);
	g_assert_cmpuint(kvmdbg_point_get_hit_count(p), ==, 0);
	kvmdbg_point_free(p);

	/* its own, under another PCID: the point's */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fake_set_one_reg(SREG_CR3, 0x1abc007ull, 0);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, id);

	/* an unscoped point's hit reads no register */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fake_log_clear();
	fx_x86_bp(f.run[0], b);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(fake_log_count(FAKE_GET_ONE_REG), ==, 0);

	/* a register that cannot be read: the exit says so */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), >=, 0);
	fake_set_one_reg(SREG_CR3, 0, -EIO);
	fx_x86_bp(f.run[0], a);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[0], 0, &ev), ==, -EIO);

	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, b), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/* A scoped hardware breakpoint: another address space's hit is stepped over with its slot off. */
static void test_space_x86_hw(void)
{
	const uint64_t a = fx_addr(0x3000);
	const struct kvmdbg_event *ev;
	struct kvmdbg_point *p;
	uint64_t id;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert_in_space(f.vm, KVMDBG_POINT_HW_BREAK, a, 0, 0, 0x5000,
						  NULL, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fake_set_one_reg(SREG_CR3, 0x6000, 0);
	fx_x86_db(f.run[0], a, 0xffff0ff1ull); /* DR6.B0 */
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	p = snap(&f, id);
	g_assert_cmpuint(kvmdbg_point_get_foreign_hits(p), ==, 1);
	kvmdbg_point_free(p);
	/* the step over it: the slot off, single-step on */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	{
		struct fake_call c = fake_log_get(0);

		g_assert_cmphex(fx_get(c.bytes, 4, false) & 0x2, ==, 0x2);
		g_assert_cmphex(fx_get(c.bytes + 8 + 7 * 8, 8, false) & 0x3, ==, 0);
	}
	fx_x86_db(f.run[0], a + 1, 0xffff4ff0ull);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_RESUME);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f.vcpu[0]), ==, 1);
	fake_set_one_reg(SREG_CR3, 0x5123, 0);
	fx_x86_db(f.run[0], a, 0xffff0ff1ull);
	g_assert_cmpint(fx_exit(&f, 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, id);
	fx_fini(&f);
}

/* arm64: the ASID, from TTBR1_EL1 or TTBR0_EL1 as TCR_EL1.A1 says, 8 or 16 bits. */
static void test_space_arm64(void)
{
	const uint64_t tcr = 0x603000000013c102ull, ttbr0 = 0x603000000013c100ull,
		       ttbr1 = 0x603000000013c101ull;
	uint64_t space = 0;
	struct fx f;

	fx_init(&f, "aarch64", 0x30003, 1);
	fake_set_one_reg(ttbr0, 0x00aa000040001000ull, 0);
	fake_set_one_reg(ttbr1, 0x1234000040002000ull, 0);
	fake_set_one_reg(tcr, 1ull << 22 | 1ull << 36, 0); /* A1, AS */
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], &space), ==, 0);
	g_assert_cmphex(space, ==, 0x1234);
	fake_set_one_reg(tcr, 1ull << 22, 0); /* A1, 8-bit */
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], &space), ==, 0);
	g_assert_cmphex(space, ==, 0x34);
	fake_set_one_reg(tcr, 0, 0); /* TTBR0's */
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], &space), ==, 0);
	g_assert_cmphex(space, ==, 0xaa);
	fx_fini(&f);
}

/* Without an address-space id (riscv, s390, ppc, LoongArch): refused, nothing changed. */
static void test_space_unsupported(void)
{
	uint64_t space = 7;
	struct fx f;

	fx_init(&f, "riscv64", 0x1, 1);
	g_assert_cmpint(kvmdbg_vcpu_get_space(f.vcpu[0], &space), ==, -EOPNOTSUPP);
	g_assert_cmpuint(space, ==, 7);
	g_assert_cmpint(kvmdbg_vm_insert_in_space(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0,
						  0, 1, NULL, NULL), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert_in_space(NULL, KVMDBG_POINT_SW_BREAK, 0, 0, 0, 1, NULL,
						  NULL), ==, -EINVAL);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/points/insert-many", test_insert_many);
	g_test_add_func("/kvmdbg/unit/points/space/x86", test_space_x86);
	g_test_add_func("/kvmdbg/unit/points/space/x86-hw", test_space_x86_hw);
	g_test_add_func("/kvmdbg/unit/points/space/arm64", test_space_arm64);
	g_test_add_func("/kvmdbg/unit/points/space/unsupported", test_space_unsupported);
	g_test_add_func("/kvmdbg/unit/points/pending", test_pending);
	g_test_add_func("/kvmdbg/unit/points/pending-memory", test_pending_memory);
	g_test_add_func("/kvmdbg/unit/points/self-heal", test_self_heal);
	g_test_add_func("/kvmdbg/unit/points/self-heal-to-top", test_self_heal_to_top);

	fx_test_add("/kvmdbg/unit/points/insert/bad-type", fx_setup_baseline, test_insert_bad_type);
	fx_test_add("/kvmdbg/unit/points/insert/bad-flags", fx_setup_baseline,
		    test_insert_bad_flags);
	fx_test_add("/kvmdbg/unit/points/insert/bad-length", fx_setup_baseline,
		    test_insert_bad_length);
	fx_test_add("/kvmdbg/unit/points/insert/misaligned", fx_setup_baseline,
		    test_insert_misaligned);
	fx_test_add("/kvmdbg/unit/points/insert/watch-read", fx_setup_baseline,
		    test_insert_watch_read);
	fx_test_add("/kvmdbg/unit/points/insert/duplicate", fx_setup_baseline,
		    test_insert_duplicate);
	fx_test_add("/kvmdbg/unit/points/remove/twice", fx_setup_baseline, test_remove_twice);
	fx_test_add("/kvmdbg/unit/points/refusals-keep-state", fx_setup_baseline,
		    test_refusals_keep_kernel_state);

	fx_test_add("/kvmdbg/unit/points/sw/unbacked", fx_setup_baseline, test_sw_unbacked);
	fx_test_add("/kvmdbg/unit/points/sw/remove-overwritten", fx_setup_x86,
		    test_sw_remove_overwritten);
	fx_test_add("/kvmdbg/unit/points/sw/remove-all-identical", fx_setup_x86,
		    test_sw_remove_all_identical);
	fx_test_add("/kvmdbg/unit/points/sw/over-guest-int3", fx_setup_x86,
		    test_sw_over_guest_int3);
	g_test_add_func("/kvmdbg/unit/points/sw/s390-diag-page-cross", test_s390_diag_page_cross);
	g_test_add_func("/kvmdbg/unit/points/sw/riscv-ebreak-page-cross",
			test_riscv_ebreak_page_cross);
	g_test_add_func("/kvmdbg/unit/points/sw/riscv-top-of-memory", test_riscv_top_of_memory);
	g_test_add_func("/kvmdbg/unit/points/sw/s390-diag-overlap", test_s390_diag_overlap);
	g_test_add_func("/kvmdbg/unit/points/sw/s390-unbacked-insert-keeps-cap-off",
			test_s390_unbacked_insert_keeps_cap_off);
	g_test_add_func("/kvmdbg/unit/points/sw/s390-failed-insert-keeps-cap-off",
			test_s390_failed_insert_keeps_cap_off);

	return g_test_run();
}
