// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VM and vCPU state machines driven through the fake kernel edge, asserting the exact
 * sequence of kernel calls and the exact bytes of every KVM_SET_GUEST_DEBUG.
 *
 * Expected images are built with x86_image() (fake-kernel.c, the tests' own little-endian
 * writer) from control and DR7 values computed by hand in the comments:
 *   control: ENABLE 0x1, SINGLESTEP 0x2, USE_SW_BP 0x10000, USE_HW_BP 0x20000,
 *            INJECT_DB 0x40000, INJECT_BP 0x80000, BLOCKIRQ 0x100000;
 *   DR7: bit 10 always, Gn = bit 2n+1, GD = bit 13, nibble n at bit 16+4n = RW | LEN << 2.
 * Hardware slots are expected to be taken lowest-free-first.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
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
#define DR6_BD 0xffff2ff0ull
#define DR6_SLOT(n) (0xffff0ff0ull | 1ull << (n))

#define NR_VCPUS 3

struct fix {
	struct kvmdbg_vm *vm;
	struct kvmdbg_vcpu *vcpu[NR_VCPUS];
	struct kvm_run *run[NR_VCPUS];
	uint8_t *mem;
	uint8_t *orig; /* guest memory as it was before the library touched it */
};

static const uint8_t zero_image[72];

/* Never a valid event: handle_exit must leave *ret_event alone unless it returns EVENT. */
static const int sentinel_storage;
#define SENTINEL ((const struct kvmdbg_event *)(const void *)&sentinel_storage)

static int translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva;
	return 0;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 37 + 11);
}

/* A guest address inside the registered RAM whose byte is not already 0xcc. */
static uint64_t ram(struct fix *f, uint64_t off)
{
	g_assert_cmpuint(off, <, MEM_SIZE);
	g_assert_cmphex(f->orig[off], !=, 0xcc);
	return MEM_GPA + off;
}

static uint8_t mem_at(struct fix *f, uint64_t gpa)
{
	return f->mem[gpa - MEM_GPA];
}

static uint8_t orig_at(struct fix *f, uint64_t gpa)
{
	return f->orig[gpa - MEM_GPA];
}

/*
 * The first pre_run of a fresh vCPU with nothing to apply may either switch debugging off
 * explicitly (72 zero bytes) or do nothing; both are accepted here, consistently.
 */
static void settle(struct kvmdbg_vcpu *vcpu, int fd)
{
	int ret;

	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(vcpu);
	g_assert_cmpint(ret, >=, 0);
	g_assert_cmpint(ret, <=, 1);
	assert_log_len((size_t)ret);
	if (ret == 1)
		assert_gd(0, fd, zero_image);
	fake_log_clear();
}

static void attach(struct fix *f, unsigned int i)
{
	g_assert_null(f->vcpu[i]);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, VCPU_FD + (int)i, f->run[i], &f->vcpu[i]), ==, 0);
	g_assert_nonnull(f->vcpu[i]);
	g_assert_true(kvmdbg_vcpu_get_vm(f->vcpu[i]) == f->vm);
}

static void fix_setup_bare(struct fix *f)
{
	memset(f, 0, sizeof(*f));
	fake_kernel_reset();
	f->mem = g_malloc(MEM_SIZE);
	for (size_t i = 0; i < MEM_SIZE; i++)
		f->mem[i] = pattern(i);
	f->orig = g_malloc(MEM_SIZE);
	memcpy(f->orig, f->mem, MEM_SIZE);
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		f->run[i] = fake_run_new();
}

static void fix_setup(struct fix *f, gconstpointer data)
{
	(void)data;
	fix_setup_bare(f);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	attach(f, 0);
	settle(f->vcpu[0], VCPU_FD);
}

static void fix_teardown(struct fix *f, gconstpointer data)
{
	(void)data;
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		kvmdbg_vcpu_free(f->vcpu[i]);
	kvmdbg_vm_free(f->vm);
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->orig);
}

/* pre_run must apply nothing. */
#define PRE_RUN_NONE(vcpu)                                                                   \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 0);                           \
		assert_log_len(0);                                                           \
	} while (0)

/* pre_run must issue exactly one set_guest_debug with exactly these bytes. */
#define PRE_RUN_APPLIES(vcpu, fd, image)                                                     \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);                           \
		assert_log_len(1);                                                           \
		assert_gd(0, (fd), (image));                                                 \
		fake_log_clear();                                                            \
	} while (0)

/* The same for a step over a breakpoint, leaving BLOCKIRQ to the step_over_blockirq test. */
#define PRE_RUN_APPLIES_STEP(vcpu, fd, image)                                                \
	do {                                                                                 \
		fake_log_clear();                                                            \
		g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);                           \
		assert_log_len(1);                                                           \
		assert_gd_any_blockirq(0, (fd), (image));                                    \
		fake_log_clear();                                                            \
	} while (0)

static void set_debug_exit(struct kvm_run *run, uint32_t exception, uint64_t pc, uint64_t dr6)
{
	x86_set_debug_exit(run, exception, pc, dr6, 0);
}

/* A KVM_EXIT_DEBUG through handle_exit; the library may make no kernel call on the way. */
static int debug_exit(struct kvmdbg_vcpu *vcpu, struct kvm_run *run, uint32_t exception,
		      uint64_t pc, uint64_t dr6, const struct kvmdbg_event **ev)
{
	int ret;

	set_debug_exit(run, exception, pc, dr6);
	fake_log_clear();
	*ev = SENTINEL;
	ret = kvmdbg_vcpu_handle_exit(vcpu, 0, ev);
	assert_log_len(0);
	return ret;
}

#define EXIT_EVENT(vcpu, run, exception, pc, dr6, ev, type)                                  \
	do {                                                                                 \
		g_assert_cmpint(debug_exit((vcpu), (run), (exception), (pc), (dr6), &(ev)), ==, \
				KVMDBG_EXIT_EVENT);                                          \
		g_assert_true((ev) != SENTINEL);                                             \
		g_assert_nonnull(ev);                                                        \
		g_assert_cmpint(kvmdbg_event_get_type(ev), ==, (type));                      \
		g_assert_true(kvmdbg_event_get_vcpu(ev) == (vcpu));                          \
	} while (0)

#define EXIT_RESUME(vcpu, run, exception, pc, dr6)                                           \
	do {                                                                                 \
		const struct kvmdbg_event *ev_;                                              \
		g_assert_cmpint(debug_exit((vcpu), (run), (exception), (pc), (dr6), &ev_), ==, \
				KVMDBG_EXIT_RESUME);                                         \
		g_assert_true(ev_ == SENTINEL);                                              \
	} while (0)

static uint64_t insert(struct kvmdbg_vm *vm, enum kvmdbg_point_type type,
		uint64_t addr, uint64_t len, unsigned int flags)
{
	uint64_t p = 0;

	g_assert_cmpint(kvmdbg_vm_insert(vm, type, addr, len, flags, NULL, &p), ==, 0);
	g_assert_cmpuint(p, !=, 0);
	return p;
}

static uint64_t vinsert(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type,
		uint64_t addr, uint64_t len, unsigned int flags)
{
	uint64_t p = 0;

	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, type, addr, len, flags, NULL, &p), ==, 0);
	g_assert_cmpuint(p, !=, 0);
	return p;
}

/* ------------------------------------------------------------------ software breakpoints */

static void test_sw_remove_overwritten(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), s2 = ram(f, 0x200), s3 = ram(f, 0x300);
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s3, 1, 0);

	/* the guest rewrote its code over the breakpoint */
	f->mem[s - MEM_GPA] = 0x90;
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 1);
	g_assert_cmphex(mem_at(f, s), ==, 0x90);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s));
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);

	/* remove_all leaves the guest's byte too, and restores the rest */
	f->mem[s2 - MEM_GPA] = 0x0f;
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmphex(mem_at(f, s2), ==, 0x0f);
	g_assert_cmphex(mem_at(f, s3), ==, orig_at(f, s3));
	f->mem[s - MEM_GPA] = orig_at(f, s);
	f->mem[s2 - MEM_GPA] = orig_at(f, s2);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
}

static void test_sw_remove_all_identical(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	unsigned int n = 0;
	(void)data;

	attach(f, 1);
	for (uint64_t off = 0; off < MEM_SIZE; off += 97) {
		if (f->orig[off] == 0xcc)
			continue;
		if (n % 3 == 2)
			vinsert(f->vcpu[n % 2], KVMDBG_POINT_SW_BREAK, MEM_GPA + off, 1,
				n % 5 ? 0 : KVMDBG_POINT_ONESHOT);
		else
			insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + off, 1,
			       n % 5 ? 0 : KVMDBG_POINT_ONESHOT);
		n++;
	}
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	vinsert(f->vcpu[1], KVMDBG_POINT_WATCH_WRITE, 0x2000, 8, 0);
	n += 2;
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, n);
	g_assert_cmpint(memcmp(f->mem, f->orig, MEM_SIZE), !=, 0);
	x86_image(img, 0x00030001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, n);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, zero_image);
}


static void test_sw_over_guest_int3(struct fix *f, gconstpointer data)
{
	/*
	 * The guest already has its own int3 where the debugger sets a breakpoint (a kprobe, a
	 * debugger inside the guest): the byte the library saves is that 0xcc, and removing the
	 * breakpoint must leave it there.
	 */
	uint64_t s = 0;
	(void)data;

	for (uint64_t off = 0; off < MEM_SIZE; off++) {
		if (f->orig[off] == 0xcc) {
			s = MEM_GPA + off;
			break;
		}
	}
	g_assert_cmphex(s, !=, 0);

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);

	/* the same through remove_all and through a one-shot that fires */
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 1);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, KVMDBG_POINT_ONESHOT);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	{
		const struct kvmdbg_event *ev;

		EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev,
			   KVMDBG_EVENT_SW_BREAKPOINT);
	}
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
}

/* ------------------------------------------------------------------ misc */

#define ADD(path, fn) g_test_add("/kvmdbg/unit/core/" path, struct fix, NULL, fix_setup, fn, \
				 fix_teardown)
#define ADD_FUNC(path, fn) g_test_add_func("/kvmdbg/unit/core/" path, fn)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	ADD("sw/remove-overwritten", test_sw_remove_overwritten);
	ADD("sw/remove-all-identical", test_sw_remove_all_identical);
	ADD("sw/over-guest-int3", test_sw_over_guest_int3);

	return g_test_run();
}
