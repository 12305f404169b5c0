// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bad input through the public API, with the fake kernel edge: every refusal has its exact
 * error code, leaves ret_* untouched, and changes nothing: not the point count, not guest
 * memory, not the kernel (no call now, and nothing pending for the next pre_run).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <linux/kvm.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

#define VM_FD 100
#define VCPU_FD 101
#define MEM_GPA 0x100000ull
#define MEM_SIZE 0x10000u

#define DR6_NONE 0xffff0ff0ull
#define DR6_STEP 0xffff4ff0ull
#define DR6_SLOT(n) (0xffff0ff0ull | 1ull << (n))

#define SW_BASE (MEM_GPA + 0x100) /* the baseline software breakpoint */
#define HW_BASE 0x401000ull       /* the baseline hardware breakpoint */

struct fix {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[2];
	struct kvm_run *run[2];
	uint8_t *mem;
	/* the state every failure must leave alone */
	uint8_t *expected_mem;
	long expected_count;
};

static int sentinel_storage;
#define SENTINEL_POINT 0xdeadbeefull
#define SENTINEL_EVENT ((const struct kvmdbg_event *)(const void *)&sentinel_storage)

static int translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva;
	return 0;
}

/* Remember the current state as the one failures must keep. */
static void fix_mark(struct fix *f)
{
	memcpy(f->expected_mem, f->mem, MEM_SIZE);
	f->expected_count = kvmdbg_vm_get_point_count(f->vm);
	fake_log_clear();
}

/* Nothing changed since fix_mark(). */
#define UNCHANGED(f)                                                                         \
	do {                                                                                 \
		assert_log_len(0);                                                           \
		g_assert_cmpint(kvmdbg_vm_get_point_count((f)->vm), ==, (f)->expected_count); \
		g_assert_cmpmem((f)->mem, MEM_SIZE, (f)->expected_mem, MEM_SIZE);            \
		/* x86 sends a stepping vCPU's state before every run, unchanged or not */    \
		size_t n_ = 0;                                                               \
		for (unsigned int i_ = 0; i_ < 2; i_++) {                                    \
			bool s_ = kvmdbg_vcpu_is_single_step((f)->vcpu[i_]);                 \
			g_assert_cmpint(kvmdbg_vcpu_pre_run((f)->vcpu[i_]), ==, s_ ? 1 : 0); \
			n_ += s_;                                                            \
		}                                                                            \
		assert_log_len(n_);                                                          \
		fake_log_clear();                                                            \
	} while (0)

static void fix_setup(struct fix *f, gconstpointer data)
{
	int ret;

	(void)data;
	memset(f, 0, sizeof(*f));
	fake_kernel_reset();
	f->mem = g_malloc(MEM_SIZE);
	for (size_t i = 0; i < MEM_SIZE; i++)
		f->mem[i] = (uint8_t)(i * 37 + 11);
	f->expected_mem = g_malloc(MEM_SIZE);
	for (unsigned int i = 0; i < 2; i++)
		f->run[i] = fake_run_new();

	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	for (unsigned int i = 0; i < 2; i++)
		g_assert_cmpint(kvmdbg_vcpu_new(f->vm, VCPU_FD + (int)i, f->run[i], &f->vcpu[i]),
				==, 0);

	/* a baseline that is applied, so that any stray change would show */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, SW_BASE, 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, HW_BASE, 1, 0, NULL, NULL),
			==, 0);
	for (unsigned int i = 0; i < 2; i++) {
		ret = kvmdbg_vcpu_pre_run(f->vcpu[i]);
		g_assert_cmpint(ret, ==, 1);
	}
	fix_mark(f);
}

static void fix_teardown(struct fix *f, gconstpointer data)
{
	(void)data;
	for (unsigned int i = 0; i < 2; i++)
		kvmdbg_vcpu_free(f->vcpu[i]);
	kvmdbg_vm_free(f->vm);
	for (unsigned int i = 0; i < 2; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->expected_mem);
}

static int debug_exit(struct fix *f, unsigned int v, uint32_t exception, uint64_t pc,
		      uint64_t dr6, const struct kvmdbg_event **ev)
{
	struct kvm_run *run = f->run[v];

	x86_set_debug_exit(run, exception, pc, dr6, 0);
	*ev = SENTINEL_EVENT;
	return kvmdbg_vcpu_handle_exit(f->vcpu[v], 0, ev);
}

/* ------------------------------------------------------------------ NULL and friends */

/* ------------------------------------------------------------------ insert */

/* Try an insert, VM-wide and on vCPU 0, expecting err and no change. */
static void refuse_insert(struct fix *f, int type, uint64_t addr, uint64_t len,
			  unsigned int flags, int err)
{
	uint64_t p = SENTINEL_POINT;

	g_test_message("insert type %d addr 0x%" G_GINT64_MODIFIER "x len %" G_GUINT64_FORMAT
		       " flags 0x%x: expect %d",
		       type, addr, len, flags, err);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)type, addr, len, flags,
					 NULL, &p), ==, err);
	g_assert_true(p == SENTINEL_POINT);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], (enum kvmdbg_point_type)type, addr, len,
					   flags, NULL, &p), ==, err);
	g_assert_true(p == SENTINEL_POINT);
	/* without ret_point too */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)type, addr, len, flags,
					 NULL, NULL), ==, err);
}

static void test_insert_bad_type(struct fix *f, gconstpointer data)
{
	(void)data;
	refuse_insert(f, 5, 0x402000, 1, 0, -EINVAL);
	refuse_insert(f, -1, 0x402000, 1, 0, -EINVAL);
	refuse_insert(f, 100, 0x402000, 1, 0, -EINVAL);
	refuse_insert(f, INT_MAX, MEM_GPA + 0x200, 1, 0, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, (enum kvmdbg_point_type)5, HW_BASE), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, (enum kvmdbg_point_type)-1, SW_BASE), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], (enum kvmdbg_point_type)5, HW_BASE), ==,
			-EINVAL);
	{
		uint64_t id = SENTINEL_POINT;

		g_assert_cmpint(kvmdbg_vm_find(f->vm, (enum kvmdbg_point_type)5, HW_BASE, &id), ==,
				-EINVAL);
		g_assert_cmpint(kvmdbg_vm_find(f->vm, (enum kvmdbg_point_type)-1, SW_BASE, &id),
				==, -EINVAL);
		g_assert_true(id == SENTINEL_POINT);
	}
	UNCHANGED(f);
}

static void test_insert_bad_flags(struct fix *f, gconstpointer data)
{
	(void)data;
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x200, 1, 2, -EINVAL);
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x200, 1, 3, -EINVAL);
	refuse_insert(f, KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0x80000000u, -EINVAL);
	refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, ~0u, -EINVAL);
	UNCHANGED(f);
}

static void test_insert_bad_length(struct fix *f, gconstpointer data)
{
	static const uint64_t bp_bad[] = { 2, 3, 4, 8, 16, 0x100000001ull, ~0ull };
	static const uint64_t watch_bad[] = { 0, 3, 5, 6, 7, 16, 0x100000001ull, ~0ull };
	(void)data;

	for (size_t i = 0; i < G_N_ELEMENTS(bp_bad); i++) {
		refuse_insert(f, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x200, bp_bad[i], 0, -EINVAL);
		refuse_insert(f, KVMDBG_POINT_HW_BREAK, 0x402000, bp_bad[i], 0, -EINVAL);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(watch_bad); i++) {
		refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2000, watch_bad[i], 0, -EINVAL);
		refuse_insert(f, KVMDBG_POINT_WATCH_ACCESS, 0x2000, watch_bad[i], 0, -EINVAL);
	}
	UNCHANGED(f);
}

static void test_insert_misaligned(struct fix *f, gconstpointer data)
{
	static const struct {
		uint64_t addr, len;
	} bad[] = {
		{ 0x2001, 2 }, { 0x2001, 4 }, { 0x2002, 4 }, { 0x2003, 4 },
		{ 0x2001, 8 }, { 0x2004, 8 }, { 0x2006, 8 }, { 0xffffffffffffffffull, 2 },
	};
	(void)data;

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, bad[i].addr, bad[i].len, 0, -EINVAL);
		refuse_insert(f, KVMDBG_POINT_WATCH_ACCESS, bad[i].addr, bad[i].len, 0, -EINVAL);
	}
	UNCHANGED(f);
}

static void test_insert_watch_read(struct fix *f, gconstpointer data)
{
	(void)data;
	g_assert_cmpint(kvmdbg_vm_has_feature(f->vm, KVMDBG_FEATURE_WATCH_READ), ==, 0);
	refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 4, 0, -EOPNOTSUPP);
	refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 1, 0, -EOPNOTSUPP);
	refuse_insert(f, KVMDBG_POINT_WATCH_READ, 0x2000, 8, KVMDBG_POINT_ONESHOT, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_READ, 0x2000), ==, -ENOENT);
	UNCHANGED(f);
}

static void test_insert_duplicate(struct fix *f, gconstpointer data)
{
	uint64_t p = SENTINEL_POINT;
	(void)data;

	/* VM-wide twice */
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, SW_BASE, 1, 0, -EEXIST);
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, SW_BASE, 0, KVMDBG_POINT_ONESHOT, -EEXIST);
	refuse_insert(f, KVMDBG_POINT_HW_BREAK, HW_BASE, 1, 0, -EEXIST);
	UNCHANGED(f);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x300, 1,
					   0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0,
					   NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	fix_mark(f);

	/* same type and address, whatever the length */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 8, 0, NULL, &p),
			==, -EEXIST);
	/* a vCPU point where a VM-wide one of the same type sits */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, HW_BASE, 1, 0, NULL,
					   &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0,
					   NULL, &p), ==, -EEXIST);
	/* software breakpoints: one per address anywhere in the VM */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, SW_BASE, 1, 0, NULL,
					   &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x300, 1, 0, NULL,
					 &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x300, 1,
					   0, NULL, &p), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x300, 1,
					   0, NULL, &p), ==, -EEXIST);
	/* a vCPU's own twice */
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0, NULL,
					   &p), ==, -EEXIST);
	g_assert_true(p == SENTINEL_POINT);
	UNCHANGED(f);

	/* not duplicates: another type at the same address, another vCPU's hardware point */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x2000, 4, 0, NULL, &p),
			==, 0);
	g_assert_true(p != SENTINEL_POINT);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0, NULL,
					   NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, f->expected_count + 2);
}

static void test_remove_twice(struct fix *f, gconstpointer data)
{
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000, 1, 0,
					   NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	fix_mark(f);

	/* not there, or not in this scope, or not of this type */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x999), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, SW_BASE), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, HW_BASE), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_WRITE, HW_BASE), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x403000), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x403000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, HW_BASE), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_SW_BREAK, SW_BASE), ==,
			-ENOENT);
	UNCHANGED(f);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, SW_BASE), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, HW_BASE), ==, 0);
	for (unsigned int i = 0; i < 2; i++)
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[i]), ==, 1);
	fix_mark(f);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, SW_BASE), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x403000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, HW_BASE), ==, -ENOENT);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, SW_BASE));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	UNCHANGED(f);
}

static void test_sw_unbacked(struct fix *f, gconstpointer data)
{
	(void)data;

	/* below, just past and far from the registered RAM, and nothing else to ask */
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, MEM_GPA - 1, 1, 0, -EFAULT);
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, MEM_GPA + MEM_SIZE, 1, 0, -EFAULT);
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, 0, 1, 0, -EFAULT);
	refuse_insert(f, KVMDBG_POINT_SW_BREAK, ~0ull, 1, KVMDBG_POINT_ONESHOT, -EFAULT);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + MEM_SIZE));
	UNCHANGED(f);
	/* the last byte is fine */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + MEM_SIZE - 1, 1,
					 0, NULL, NULL), ==, 0);
	g_assert_cmphex(f->mem[MEM_SIZE - 1], ==, 0xcc);
}

/* ------------------------------------------------------------------ memory */

/* ------------------------------------------------------------------ vCPUs and events */

static void test_refusals_keep_kernel_state(struct fix *f, gconstpointer data)
{
	/*
	 * After a mix of refusals, a stop at the baseline breakpoint still resumes exactly as it
	 * would have: the refusals left no trace in the vCPU's pending state.
	 */
	const struct kvmdbg_event *ev;
	struct fake_call c;
	(void)data;

	g_assert_cmpint(debug_exit(f, 0, 1, HW_BASE, DR6_SLOT(0), &ev), ==, KVMDBG_EXIT_EVENT);
	refuse_insert(f, KVMDBG_POINT_WATCH_WRITE, 0x2001, 2, 0, -EINVAL);
	refuse_insert(f, KVMDBG_POINT_HW_BREAK, HW_BASE, 1, 0, -EEXIST);
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
	g_assert_cmpint(c.fd, ==, VCPU_FD);
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

#define ADD(path, fn)                                                                        \
	g_test_add("/kvmdbg/unit/validation/" path, struct fix, NULL, fix_setup, fn,         \
		   fix_teardown)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	ADD("insert/bad-type", test_insert_bad_type);
	ADD("insert/bad-flags", test_insert_bad_flags);
	ADD("insert/bad-length", test_insert_bad_length);
	ADD("insert/misaligned", test_insert_misaligned);
	ADD("insert/watch-read", test_insert_watch_read);
	ADD("insert/duplicate", test_insert_duplicate);
	ADD("remove/twice", test_remove_twice);
	ADD("sw/unbacked", test_sw_unbacked);
	ADD("refusals-keep-state", test_refusals_keep_kernel_state);

	return g_test_run();
}
