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

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

static void assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status)
{
	uint32_t e = 0;
	uint64_t s = 0;

	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, 0);
	g_assert_cmphex(e, ==, exception);
	if (exception == 3) {
		/* a #BP exit does not carry DR6 (the kernel writes exception and pc only) */
		g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, -ENODATA);
		return;
	}
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &s), ==, 0);
	g_assert_cmphex(s, ==, status);
}

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

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Which DR slot of an x86 image holds addr and is enabled; -1 if none. */
static int image_slot_of(const uint8_t *img, uint64_t addr)
{
	uint64_t dr7 = le64(img + 64);
	int found = -1;

	for (int n = 0; n < 4; n++) {
		if (!(dr7 & (1ull << (2 * n + 1))))
			continue;
		if (le64(img + 8 + 8 * n) == addr) {
			g_assert_cmpint(found, ==, -1);
			found = n;
		}
	}
	return found;
}

/*
 * An x86 image that is exactly as expected except for which slot holds which point: control,
 * every point at some enabled slot with its RW/LEN nibble, nothing else enabled or set.
 */
static void assert_image_any_slots(const uint8_t *img, uint32_t control, unsigned int n,
				   const uint64_t *addrs, const unsigned int *nibbles)
{
	uint64_t dr7 = le64(img + 64), want = 0x400;
	bool used[4] = { false };

	g_assert_cmphex(img[0] | img[1] << 8 | img[2] << 16 | (uint32_t)img[3] << 24, ==,
			control);
	for (int i = 4; i < 8; i++)
		g_assert_cmphex(img[i], ==, 0);
	for (unsigned int i = 0; i < n; i++) {
		int slot = image_slot_of(img, addrs[i]);

		if (slot < 0)
			fake_dump_image("image", img, 72);
		g_assert_cmpint(slot, >=, 0);
		g_assert_false(used[slot]);
		used[slot] = true;
		want |= 1ull << (2 * slot + 1) | (uint64_t)nibbles[i] << (16 + 4 * slot);
	}
	for (int slot = 0; slot < 4; slot++)
		if (!used[slot])
			g_assert_cmphex(le64(img + 8 + 8 * slot), ==, 0);
	for (int i = 40; i < 64; i++)
		g_assert_cmphex(img[i], ==, 0);
	g_assert_cmphex(dr7, ==, want);
}

/* pre_run must issue one set_guest_debug; returns a copy of it. */
static struct fake_call pre_run_one(struct kvmdbg_vcpu *vcpu, int fd)
{
	struct fake_call c;

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_SET_GUEST_DEBUG);
	g_assert_cmpint(c.fd, ==, fd);
	g_assert_cmpuint(c.size, ==, 72);
	fake_log_clear();
	return c;
}

/* ------------------------------------------------------------------ probing */

static void assert_probes_only(int fd)
{
	size_t len = fake_log_len();
	bool seen_debug = false, seen_debug2 = false;

	for (size_t i = 0; i < len; i++) {
		struct fake_call c = fake_log_get(i);

		g_assert_cmpint(c.kind, ==, FAKE_CHECK_EXTENSION);
		g_assert_cmpint(c.fd, ==, fd);
		if (c.cap == FAKE_CAP_SET_GUEST_DEBUG) {
			g_assert_false(seen_debug);
			seen_debug = true;
		} else if (c.cap == FAKE_CAP_SET_GUEST_DEBUG2) {
			g_assert_false(seen_debug2);
			seen_debug2 = true;
		} else {
			fake_log_dump();
			g_error("probe of capability %lu, not a guest-debug capability", c.cap);
		}
	}
	g_assert_true(seen_debug);
	g_assert_true(seen_debug2);
}

static void assert_features(struct kvmdbg_vm *vm, const int expected[10])
{
	for (int f = 1; f <= 9; f++) {
		g_test_message("feature %d", f);
		g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)f), ==,
				expected[f]);
	}
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)-1), ==, -EINVAL);
}

static void test_probe_default(void)
{
	/* index: feature number; GUEST_DEBUG .. REINJECT */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 1, 1 };
	struct kvmdbg_vm *vm = NULL;
	uint32_t mask = 0;

	fake_kernel_reset();
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &vm), ==, 0);
	g_assert_nonnull(vm);
	assert_probes_only(VM_FD);

	fake_log_clear();
	assert_features(vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(vm, false), ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_hw_slots(vm, true), ==, 4);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm), ==, 0);
	/* asking does not probe again */
	assert_log_len(0);

	kvmdbg_vm_free(vm);
	assert_log_len(0);
}

static void test_probe_no_debug2(void)
{
	/* a kernel with KVM_CAP_SET_GUEST_DEBUG but before KVM_CAP_SET_GUEST_DEBUG2 */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 1 };
	struct kvmdbg_vm *vm = NULL;
	uint32_t mask = 0;

	fake_kernel_reset();
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &vm), ==, 0);
	assert_probes_only(VM_FD);
	assert_features(vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0xf0003);
	kvmdbg_vm_free(vm);
}

static void test_probe_debug2_no_inject(void)
{
	/* DEBUG2 mask 0x30003: no INJECT_*, no BLOCKIRQ */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 0 };
	struct fix fx, *f = &fx;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	uint32_t mask = 0;
	uint64_t s = 0, g = 0;

	fix_setup_bare(f);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0x30003);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0x30003);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	attach(f, 0);
	settle(f->vcpu[0], VCPU_FD);

	/* single-step without BLOCKIRQ: control 0x3 */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00000003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], false), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, zero_image);

	/* a guest int3 cannot be handed back */
	s = ram(f, 0x100);
	g = ram(f, 0x200);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	f->mem[g - MEM_GPA] = 0xcc;
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, g, DR6_NONE, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, -EOPNOTSUPP);
	PRE_RUN_NONE(f->vcpu[0]);

	/* the step over the library's breakpoint has no BLOCKIRQ either: exactly 0x10003 */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(img, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);

	fix_teardown(f, NULL);
}

static void test_probe_only_step(void)
{
	/* a kernel whose mask has ENABLE and SINGLESTEP only */
	static const int expected[10] = { 0, 1, 1, 0, 0, 0, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;
	uint64_t p = 0xdeadbeef;
	uint8_t img[72];

	fix_setup_bare(f);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0x3);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	attach(f, 0);
	settle(f->vcpu[0], VCPU_FD);

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x10), 1, 0, NULL,
					 &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_WATCH_ACCESS, 0x2000, 4, 0,
					   NULL, &p), ==, -EOPNOTSUPP);
	g_assert_true(p == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00000003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	fix_teardown(f, NULL);
}

static void test_probe_trial_ok(void)
{
	/* an old kernel that advertises neither capability, but whose ioctl works */
	static const int expected[10] = { 0, 1, 1, 1, 1, 1, 0, 1, 0, 1 };
	struct fix fx, *f = &fx;
	uint32_t mask = 0;
	uint8_t img[72];

	fix_setup_bare(f);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	for (size_t i = 0; i < fake_log_len(); i++)
		g_assert_cmpint(fake_log_get(i).kind, ==, FAKE_CHECK_EXTENSION);

	/* the first vCPU makes one trial with debugging off */
	fake_log_clear();
	attach(f, 0);
	assert_log_len(1);
	assert_gd(0, VCPU_FD, zero_image);

	assert_features(f->vm, expected);
	g_assert_cmpint(kvmdbg_vm_get_control_mask(f->vm, &mask), ==, 0);
	g_assert_cmphex(mask, ==, 0xf0003);

	/* no second trial */
	fake_log_clear();
	attach(f, 1);
	assert_log_len(0);

	/* the trial is what the kernel of vCPU 0 holds: nothing to apply */
	PRE_RUN_NONE(f->vcpu[0]);

	/* and it all works, without BLOCKIRQ */
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00020003, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	fix_teardown(f, NULL);
}

static void test_probe_trial_fails(void)
{
	static const int expected[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct fix fx, *f = &fx;
	uint64_t p = 0xdeadbeef;

	fix_setup_bare(f);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG, 0);
	fake_set_cap(FAKE_CAP_SET_GUEST_DEBUG2, 0);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);

	fake_log_clear();
	fake_fail_set_guest_debug(-EINVAL, 1);
	attach(f, 0); /* the vCPU is still attached */
	assert_log_len(1);
	assert_gd(0, VCPU_FD, zero_image);
	assert_features(f->vm, expected);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x10), 1, 0, NULL,
					 &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0, NULL, &p),
			==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0,
					   NULL, &p), ==, -EOPNOTSUPP);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, -EOPNOTSUPP);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	g_assert_true(p == 0xdeadbeef);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	assert_log_len(0);

	/* nothing to apply, and no second trial */
	PRE_RUN_NONE(f->vcpu[0]);
	attach(f, 1);
	assert_log_len(0);
	assert_features(f->vm, expected);

	fix_teardown(f, NULL);
}

static void test_vcpu_new_no_calls(struct fix *f, gconstpointer data)
{
	/* with KVM_CAP_SET_GUEST_DEBUG advertised, attaching a vCPU reaches no kernel */
	(void)data;
	fake_log_clear();
	attach(f, 1);
	assert_log_len(0);
}

static void test_no_global_state(void)
{
	struct fix fx, *f = &fx;
	struct kvmdbg_vm *vm2 = NULL;
	struct kvmdbg_vcpu *v2 = NULL;
	struct kvm_run *run2 = fake_run_new();
	uint8_t img[72];

	fix_setup(f, NULL);
	g_assert_cmpint(kvmdbg_vm_new(200, &vm2), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(vm2, 201, run2, &v2), ==, 0);
	settle(v2, 201);
	/* the same vCPU fd number in another VM is another vCPU */
	g_assert_cmpint(kvmdbg_vcpu_new(vm2, VCPU_FD, f->run[1], &f->vcpu[1]), ==, 0);
	settle(f->vcpu[1], VCPU_FD);

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(v2);
	PRE_RUN_NONE(f->vcpu[1]);
	g_assert_cmpint(kvmdbg_vm_get_point_count(vm2), ==, 0);
	g_assert_cmpuint(0, ==, fx_find(vm2, KVMDBG_POINT_HW_BREAK, 0x401000));

	kvmdbg_vcpu_free(f->vcpu[1]);
	f->vcpu[1] = NULL;
	kvmdbg_vcpu_free(v2);
	kvmdbg_vm_free(vm2);
	g_free(run2);
	fix_teardown(f, NULL);
}

/* ------------------------------------------------------------------ pre_run */

static void test_pre_run_first(void)
{
	/* a fresh vCPU with nothing inserted: nothing, or an explicit "off"; never anything else */
	struct fix fx, *f = &fx;
	int ret;

	fix_setup_bare(f);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	attach(f, 0);
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_test_message("first pre_run with nothing to do returned %d", ret);
	g_assert_cmpint(ret, >=, 0);
	g_assert_cmpint(ret, <=, 1);
	assert_log_len((size_t)ret);
	if (ret == 1)
		assert_gd(0, VCPU_FD, zero_image);
	PRE_RUN_NONE(f->vcpu[0]);
	fix_teardown(f, NULL);
}

static void test_pre_run_hw_inserts(struct fix *f, gconstpointer data)
{
	/*
	 * hw bp 0x401000 (slot 0), write len 4 at 0x2000 (slot 1), access len 8 at 0x3008 (slot 2)
	 * nibbles: 0 = 0x0, 1 = 01|11<<2 = 0xd, 2 = 11|10<<2 = 0xb
	 * DR7 = 0x0bd00000 | 0x400 | 0x2 | 0x8 | 0x20 = 0x0bd0042a
	 */
	static const uint8_t expected[72] = {
		0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* control 0x20001 */
		0x00, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR0 0x401000 */
		0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR1 0x2000 */
		0x08, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR2 0x3008 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* DR3 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x2a, 0x04, 0xd0, 0x0b, 0x00, 0x00, 0x00, 0x00, /* DR7 0x0bd0042a */
	};
	(void)data;

	fake_log_clear();
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x3008, 8, 0);
	/* inserting reaches no kernel: it is all applied at the next pre_run */
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 3);

	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, expected);
	PRE_RUN_NONE(f->vcpu[0]);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_pre_run_single_step(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	g_assert_true(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	/* ENABLE | SINGLESTEP | BLOCKIRQ */
	x86_image(img, 0x00100003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	/*
	 * x86 KVM keeps TF only at the RIP the last KVM_SET_GUEST_DEBUG saw: every stepping
	 * run sends the same state again
	 */
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* setting what is already set changes nothing */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* on and off between two runs: the same */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], false), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* off: debugging off, 72 zero bytes */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], false), ==, 0);
	g_assert_false(kvmdbg_vcpu_is_single_step(f->vcpu[0]));
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, zero_image);
	PRE_RUN_NONE(f->vcpu[0]);

	/* with a hardware point: ENABLE | SINGLESTEP | USE_HW_BP | BLOCKIRQ */
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 0, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00120003, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
}

static void test_pre_run_sw_control(struct fix *f, gconstpointer data)
{
	uint64_t s = ram(f, 0x100), s2 = ram(f, 0x101);
	uint8_t img[72];
	(void)data;

	/* the breakpoint instruction is written at insert time */
	fake_log_clear();
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	assert_log_len(0);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);
	/* ENABLE | USE_SW_BP, no debug registers */
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* a second one changes memory, not the kernel's state */
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 0, 0);
	g_assert_cmphex(mem_at(f, s2), ==, 0xcc);
	PRE_RUN_NONE(f->vcpu[0]);

	/* software and hardware together */
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00030001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000), ==, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* the last one gone: memory as before, debugging off */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s2), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, zero_image);
}

static void test_pre_run_insert_remove(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* inserted and removed between two runs: nothing to apply */
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 8, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000), ==, 0);
	PRE_RUN_NONE(f->vcpu[0]);
	vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000), ==, 0);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_pre_run_trap_debug_regs(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	/* GD needs the debugger's DR7 loaded: USE_HW_BP with DR7 = 0x400 | GD = 0x2400 */
	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00020001, 0, 0, 0, 0, 0x2400);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x2402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], false), ==, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
}

static void test_pre_run_ebusy_retry(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);

	fake_fail_set_guest_debug(-EBUSY, 1);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EBUSY);
	assert_log_len(1);
	assert_gd(0, VCPU_FD, img);

	/* still pending: the next pre_run sends the same bytes again */
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);

	/* twice in a row */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00120003, 0x401000, 0, 0, 0, 0x402);
	fake_fail_set_guest_debug(-EBUSY, 2);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EBUSY);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EBUSY);
	assert_log_len(2);
	assert_gd(0, VCPU_FD, img);
	assert_gd(1, VCPU_FD, img);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	/* stepping: sent before every run (test_pre_run_single_step) */
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
}

/* ------------------------------------------------------------------ hardware points */

static void test_hw_hit_step_over(struct fix *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa, pb;
	const struct kvmdbg_event *ev;
	uint8_t full[72], step[72];
	(void)data;

	pa = insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	pb = insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	/* DR7 = 0x400 | G0 | G1 = 0x40a */
	x86_image(full, 0x00020001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, full);

	/* slot 1 fires at b */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, b, DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pb);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, b);
	assert_raw(ev, 1, DR6_SLOT(1));
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 1);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 0);
	g_assert_true(fx_point_armed(f->vm, pb));

	/* step over it: slot 1 off, SINGLESTEP on; DR7 = 0x400 | G0 = 0x402 */
	x86_image(step, 0x00020003, a, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);

	/* the step ends: the library's own business */
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, b + 3, DR6_STEP);

	/* slot 1 on again, no SINGLESTEP */
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, full);
	PRE_RUN_NONE(f->vcpu[0]);
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 1);

	/* and once more from slot 0 */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a, DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	x86_image(step, 0x00020003, 0, b, 0, 0, 0x408);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, a + 1, DR6_STEP);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, full);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);

	/* a second hit of b counts */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, b, DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, pb), ==, 2);
}

static void test_step_over_blockirq(struct fix *f, gconstpointer data)
{
	/*
	 * The step over a breakpoint is a single-step like any other: where the kernel offers
	 * BLOCKIRQ it must hold interrupts off, or the step lands in an interrupt handler, the
	 * breakpoint is put back before the stopped instruction ran, and the same breakpoint is
	 * reported a second time when the handler returns.
	 */
	const uint64_t a = 0x401000, b = 0x402000;
	const uint64_t s = ram(f, 0x300);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, b, DR6_SLOT(1), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	x86_image(img, 0x00120003, a, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, b + 3, DR6_STEP);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00030001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(img, 0x00130003, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
}

static void test_hw_step_over_user_step(struct fix *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	pa = insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00120003, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a, DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);

	/* slot 0 off for the step, stepping as the user asked */
	x86_image(img, 0x00120003, 0, b, 0, 0, 0x408);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* the user asked for steps: the end of the step-over is one */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a + 2, DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, a + 2);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);

	/* slot 0 back, still stepping */
	x86_image(img, 0x00120003, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);
}

static void test_hw_cancel_resume(struct fix *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	x86_image(img, 0x00020001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a, DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	/* the caller moved pc away: run on with everything armed, no step */
	PRE_RUN_NONE(f->vcpu[0]);
	/* cancelling with nothing to cancel is harmless */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_hw_oneshot(struct fix *f, gconstpointer data)
{
	const uint64_t a = 0x401000, b = 0x402000;
	uint64_t pa;
	const struct kvmdbg_event *ev;
	uint8_t full[72], img[72];
	(void)data;

	pa = insert(f->vm, KVMDBG_POINT_HW_BREAK, a, 1, KVMDBG_POINT_ONESHOT);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, b, 1, 0);
	g_assert_cmpuint(fx_point(f->vm, pa).flags, ==, KVMDBG_POINT_ONESHOT);
	g_assert_true(fx_point_armed(f->vm, pa));
	x86_image(full, 0x00020001, a, b, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, full);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a, DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);
	g_assert_false(fx_point_armed(f->vm, pa));
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_HW_BREAK, a) == pa);

	/* slot 0 disabled, no step needed: DR7 = 0x400 | G1 = 0x408 */
	x86_image(img, 0x00020001, 0, b, 0, 0, 0x408);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);

	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, pa));
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, full);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, a, DR6_SLOT(0), ev, KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, pa), ==, 2);
	g_assert_false(fx_point_armed(f->vm, pa));
}

static void test_hw_watchpoint(struct fix *f, gconstpointer data)
{
	uint64_t pw, pa;
	const struct kvmdbg_event *ev;
	uint64_t addr = 0;
	uint8_t img[72];
	(void)data;

	pw = insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x2000, 4, 0);
	pa = insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x3002, 2, 0);
	g_assert_cmpuint(fx_point(f->vm, pw).len, ==, 4);
	g_assert_cmpuint(fx_point(f->vm, pa).len, ==, 2);
	/* nibble 0 = 01|11<<2 = 0xd, nibble 1 = 11|01<<2 = 0x7; DR7 = 0x007d040a */
	x86_image(img, 0x00020001, 0x2000, 0x3002, 0, 0, 0x007d040a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401005, DR6_SLOT(0), ev,
		   KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pw);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, 0);
	g_assert_cmphex(addr, ==, 0x2000);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401005);
	assert_raw(ev, 1, DR6_SLOT(0));
	g_assert_cmpuint(fx_point_hits(f->vm, pw), ==, 1);
	/* a watchpoint traps after the access: nothing to step over */
	PRE_RUN_NONE(f->vcpu[0]);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401010, DR6_SLOT(1), ev,
		   KVMDBG_EVENT_WATCHPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pa);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 1);
	g_assert_cmpint(kvmdbg_event_get_access(ev), ==, KVMDBG_ACCESS_READ_WRITE);
	g_assert_cmpint(kvmdbg_event_get_data_addr(ev, &addr), ==, 0);
	g_assert_cmphex(addr, ==, 0x3002);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_hw_remove_frees_slot(struct fix *f, gconstpointer data)
{
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x3000, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x4000, 1, 0);
	x86_image(img, 0x00020001, 0x1000, 0x2000, 0x3000, 0x4000, 0x4aa);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000), ==, 0);
	x86_image(img, 0x00020001, 0x1000, 0, 0x3000, 0x4000, 0x4a2);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* the freed slot is taken again: write len 8 -> nibble 1 = 01|10<<2 = 0x9 */
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x5000, 8, 0);
	x86_image(img, 0x00020001, 0x1000, 0x5000, 0x3000, 0x4000, 0x009004aa);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
}

static void test_hw_enospc(struct fix *f, gconstpointer data)
{
	uint64_t p = 0xdeadbeef;
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x3000, 4, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x4000, 1, 0);
	/* nibble 2 = 0xd, nibble 3 = 11|00<<2 = 0x3; DR7 = 0x3d0004aa */
	x86_image(img, 0x00020001, 0x1000, 0x2000, 0x3000, 0x4000, 0x3d0004aa);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x5000, 1, 0, NULL, &p), ==,
			-ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x6000, 8, 0, NULL, &p),
			==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x6000, 8, 0, NULL,
					 &p), ==, -ENOSPC);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x5000, 1, 0, NULL,
					   &p), ==, -ENOSPC);
	g_assert_true(p == 0xdeadbeef);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, 0x5000));
	PRE_RUN_NONE(f->vcpu[0]);

	/* a software breakpoint needs no slot */
	insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x10), 1, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 5);
}

static void test_hw_enospc_one_vcpu_full(struct fix *f, gconstpointer data)
{
	uint64_t p = 0xdeadbeef;
	uint8_t img0[72], img1[72];
	(void)data;

	attach(f, 1);
	settle(f->vcpu[1], VCPU_FD + 1);

	vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);
	vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x3000, 1, 0);
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x8000, 1, 0);
	x86_image(img0, 0x00020001, 0x1000, 0x2000, 0x3000, 0x8000, 0x4aa);
	x86_image(img1, 0x00020001, 0x8000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img0);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);

	/* vCPU 0 is full: a VM-wide point goes nowhere, although vCPU 1 has room */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000, 4, 0, NULL, &p),
			==, -ENOSPC);
	g_assert_true(p == 0xdeadbeef);
	assert_log_len(0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000));
	PRE_RUN_NONE(f->vcpu[0]);
	PRE_RUN_NONE(f->vcpu[1]);

	/* vCPU 1's own still fit */
	vinsert(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	x86_image(img1, 0x00020001, 0x8000, 0x1000, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img1);
	PRE_RUN_NONE(f->vcpu[0]);

	/* freeing a slot on vCPU 0 makes room */
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x2000), ==, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0x9000, 4, 0);
	/* write len 4 nibble = 0xd: at slot 1 on vCPU 0 (bits 20-23), slot 2 on vCPU 1 */
	x86_image(img0, 0x00020001, 0x1000, 0x9000, 0x3000, 0x8000, 0x00d004aa);
	x86_image(img1, 0x00020001, 0x8000, 0x1000, 0x9000, 0, 0x0d00042a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img0);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img1);
}

/* ------------------------------------------------------------------ per-vCPU points */

static void test_vcpu_scoped_hw(struct fix *f, gconstpointer data)
{
	uint64_t pv;
	const struct kvmdbg_event *ev;
	uint8_t img0[72], img1[72];
	int dummy;
	(void)data;

	attach(f, 1);
	settle(f->vcpu[1], VCPU_FD + 1);

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img0, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img0);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img0);

	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0,
					   &dummy, &pv), ==, 0);
	g_assert_true(fx_point(f->vm, pv).vcpu == f->vcpu[0]);
	g_assert_true(fx_point(f->vm, pv).user_data == &dummy);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, 0x402000));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);

	x86_image(img1, 0x00020001, 0x401000, 0x402000, 0, 0, 0x40a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img1);
	/* only on that vCPU */
	PRE_RUN_NONE(f->vcpu[1]);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x402000, DR6_SLOT(1), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == pv);

	/* a VM-wide remove does not reach it; the vCPU remove does */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x402000), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[1], KVMDBG_POINT_HW_BREAK, 0x402000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_remove(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x402000), ==,
			-ENOENT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	/* the pending step-over of the removed point must not bring it back */
	g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[0]), ==, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img0);
	PRE_RUN_NONE(f->vcpu[1]);
}

static void test_vcpu_vm_wide_later(struct fix *f, gconstpointer data)
{
	/* exec (nibble 0) and access len 8 (nibble 11|10<<2 = 0xb) */
	static const uint64_t addrs[2] = { 0x401000, 0x2000 };
	static const unsigned int nibbles[2] = { 0x0, 0xb };
	uint64_t pe, pw;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	uint8_t img[72];
	(void)data;

	pe = insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	pw = insert(f->vm, KVMDBG_POINT_WATCH_ACCESS, 0x2000, 8, 0);
	/* nibble 1 = 0xb; DR7 = 0x00b0040a */
	x86_image(img, 0x00020001, 0x401000, 0x2000, 0, 0, 0x00b0040a);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* vCPUs attached later get every VM-wide hardware point, in slots of their choosing */
	for (unsigned int v = 1; v < NR_VCPUS; v++) {
		int se, sw;

		attach(f, v);
		c = pre_run_one(f->vcpu[v], VCPU_FD + (int)v);
		assert_image_any_slots(c.bytes, 0x00020001, 2, addrs, nibbles);
		se = image_slot_of(c.bytes, 0x401000);
		sw = image_slot_of(c.bytes, 0x2000);
		EXIT_EVENT(f->vcpu[v], f->run[v], 1, 0x401000, DR6_SLOT(se), ev,
			   KVMDBG_EVENT_HW_BREAKPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == pe);
		g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, se);
		g_assert_cmpint(kvmdbg_vcpu_cancel_resume(f->vcpu[v]), ==, 0);
		EXIT_EVENT(f->vcpu[v], f->run[v], 1, 0x401007, DR6_SLOT(sw), ev,
			   KVMDBG_EVENT_WATCHPOINT);
		g_assert_true(kvmdbg_event_get_point_id(ev) == pw);
		g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, sw);
	}
	PRE_RUN_NONE(f->vcpu[0]);
	PRE_RUN_NONE(f->vcpu[1]);
	PRE_RUN_NONE(f->vcpu[2]);

	/* and VM-wide changes reach all of them */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000), ==, 0);
	x86_image(img, 0x00020001, 0, 0x2000, 0, 0, 0x00b00408);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	for (unsigned int v = 1; v < NR_VCPUS; v++) {
		c = pre_run_one(f->vcpu[v], VCPU_FD + (int)v);
		assert_image_any_slots(c.bytes, 0x00020001, 1, addrs + 1, nibbles + 1);
	}
}

static void test_vcpu_vm_wide_slots_differ(struct fix *f, gconstpointer data)
{
	/*
	 * A VM-wide point may sit in a different slot on each vCPU; whichever slot the library
	 * chose, the event names the point and the slot that fired.
	 */
	uint64_t px, py;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	int slot0, slot1;
	(void)data;

	attach(f, 1);
	settle(f->vcpu[1], VCPU_FD + 1);
	px = vinsert(f->vcpu[0], KVMDBG_POINT_HW_BREAK, 0x1000, 1, 0);
	py = insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x2000, 1, 0);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[1]), ==, 1);
	assert_log_len(2);
	c = fake_log_get(0);
	g_assert_cmpint(c.fd, ==, VCPU_FD);
	g_assert_cmpint(image_slot_of(c.bytes, 0x1000), >=, 0);
	slot0 = image_slot_of(c.bytes, 0x2000);
	g_assert_cmpint(slot0, >=, 0);
	c = fake_log_get(1);
	g_assert_cmpint(c.fd, ==, VCPU_FD + 1);
	g_assert_cmpint(image_slot_of(c.bytes, 0x1000), ==, -1);
	slot1 = image_slot_of(c.bytes, 0x2000);
	g_assert_cmpint(slot1, >=, 0);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x2000, DR6_SLOT(slot0), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == py);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, slot0);
	EXIT_EVENT(f->vcpu[1], f->run[1], 1, 0x2000, DR6_SLOT(slot1), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == py);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, slot1);
	g_assert_cmpuint(fx_point_hits(f->vm, py), ==, 2);
	g_assert_cmpuint(fx_point_hits(f->vm, px), ==, 0);
}

/* ------------------------------------------------------------------ software breakpoints */

static void test_sw_hit_step_over(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100);
	uint64_t p;
	const struct kvmdbg_event *ev;
	int ud;
	uint8_t img[72], step[72];
	(void)data;

	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 0, 0, &ud, &p), ==, 0);
	g_assert_cmpint(fx_point(f->vm, p).type, ==, KVMDBG_POINT_SW_BREAK);
	g_assert_cmphex(fx_point(f->vm, p).addr, ==, s);
	g_assert_cmpuint(fx_point(f->vm, p).len, ==, 1);
	g_assert_cmpuint(fx_point(f->vm, p).flags, ==, 0);
	g_assert_true(fx_point(f->vm, p).user_data == &ud);
	g_assert_null(fx_point(f->vm, p).vcpu);
	g_assert_true(fx_point_armed(f->vm, p));
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s) == p);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_HW_BREAK, s));
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);

	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* int3: pc is the breakpoint's address */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, s);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
	assert_raw(ev, 3, DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);

	/* resume: original byte back and one step */
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));

	/* the step is done: int3 back */
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);

	/* hit again */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 2);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);

	/* everything else in memory untouched all along */
	f->mem[s - MEM_GPA] = orig_at(f, s);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	f->mem[s - MEM_GPA] = 0xcc;
}

static void test_sw_step_over_user_step(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	int ret;
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00110003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	/* the kernel already steps: whether the step rip is refreshed is the library's call */
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_assert_cmpint(ret, >=, 0);
	assert_log_len((size_t)ret);
	if (ret == 1)
		assert_gd(0, VCPU_FD, img);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));

	/* the end of the step-over is a step the user asked for */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, s + 1);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), >=, 0);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);
}

static void test_sw_oneshot(struct fix *f, gconstpointer data)
{
	const uint64_t s1 = ram(f, 0x100), s2 = ram(f, 0x200);
	uint64_t p1, p2;
	const struct kvmdbg_event *ev;
	uint8_t img[72], *snapshot;
	(void)data;

	p1 = insert(f->vm, KVMDBG_POINT_SW_BREAK, s1, 1, KVMDBG_POINT_ONESHOT);
	p2 = insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s1, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p1);
	/* disarmed by handle_exit: the original byte is back */
	g_assert_cmphex(mem_at(f, s1), ==, orig_at(f, s1));
	g_assert_false(fx_point_armed(f->vm, p1));
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 1);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s1) == p1);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	/* nothing to step over, nothing for the kernel (the fuzzer's hot path) */
	PRE_RUN_NONE(f->vcpu[0]);
	f->mem[s2 - MEM_GPA] = orig_at(f, s2);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	f->mem[s2 - MEM_GPA] = 0xcc;

	/* re-arm */
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, p1));
	g_assert_cmphex(mem_at(f, s1), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	PRE_RUN_NONE(f->vcpu[0]);

	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s1, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 2);
	g_assert_cmphex(mem_at(f, s1), ==, orig_at(f, s1));

	/* a snapshot restore put the int3 back: mark, without writing memory */
	f->mem[s1 - MEM_GPA] = 0xcc;
	snapshot = g_malloc(MEM_SIZE);
	memcpy(snapshot, f->mem, MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, p1));
	g_assert_true(fx_point_armed(f->vm, p2));
	g_assert_cmpmem(f->mem, MEM_SIZE, snapshot, MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 0);
	g_free(snapshot);

	/* fires again after the mark */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s1, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmpuint(fx_point_hits(f->vm, p1), ==, 3);
	g_assert_cmphex(mem_at(f, s1), ==, orig_at(f, s1));

	/* removing everything leaves memory as it was */
	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 0);
}

static void test_sw_oneshot_race(struct fix *f, gconstpointer data)
{
	/* two vCPUs hit a one-shot breakpoint at once: one event, the other runs on */
	const uint64_t s = ram(f, 0x100), s2 = ram(f, 0x200);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	attach(f, 1);
	settle(f->vcpu[1], VCPU_FD + 1);
	p = insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, KVMDBG_POINT_ONESHOT);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	EXIT_RESUME(f->vcpu[1], f->run[1], 3, s, DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	PRE_RUN_NONE(f->vcpu[1]);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_sw_removed_meanwhile(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), s2 = ram(f, 0x200);
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* removed (say, by the gdb thread) while the vCPU ran into it */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	EXIT_RESUME(f->vcpu[0], f->run[0], 3, s, DR6_NONE);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	/* the original instruction simply runs: nothing to step over */
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_sw_removed_while_stopped(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), s2 = ram(f, 0x200);
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	int ret;
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	/* the debugger removes the breakpoint it stopped at, then continues */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(f->vcpu[0]);
	g_assert_cmpint(ret, >=, 0);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	if (ret == 1) {
		/* a step was made after all: its end must not write the int3 back */
		EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
		g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
		PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	}
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	g_assert_cmphex(mem_at(f, s2), ==, 0xcc);
}

static void test_sw_guest_int3(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), g = ram(f, 0x200);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t img[72], inj[72];
	(void)data;

	p = insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* the guest's own int3 (say, a kprobe) */
	f->mem[g - MEM_GPA] = 0xcc;
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, g, DR6_NONE, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, g);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	assert_raw(ev, 3, DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);

	/* handed back: INJECT_BP once, no step */
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, 0);
	x86_image(inj, 0x00090001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, inj);
	/* the inject bits are one-time */
	PRE_RUN_NONE(f->vcpu[0]);
	g_assert_cmphex(mem_at(f, g), ==, 0xcc);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);

	/* a later change is sent without them */
	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00030001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
}

static void test_sw_guest_int3_ebusy(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), g = ram(f, 0x200);
	const struct kvmdbg_event *ev;
	uint8_t img[72], inj[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	f->mem[g - MEM_GPA] = 0xcc;
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, g, DR6_NONE, ev, KVMDBG_EVENT_GUEST_BREAKPOINT);
	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, 0);

	/* a failed call keeps the injection pending */
	x86_image(inj, 0x00090001, 0, 0, 0, 0, 0);
	fake_fail_set_guest_debug(-EBUSY, 1);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EBUSY);
	assert_log_len(1);
	assert_gd(0, VCPU_FD, inj);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, inj);
	PRE_RUN_NONE(f->vcpu[0]);
}

static void test_sw_guest_db(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	uint8_t img[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x401000, 1, 0);
	x86_image(img, 0x00020001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* a single-step #DB nobody here asked for: the guest's own TF */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x500000, DR6_STEP, ev, KVMDBG_EVENT_GUEST_DEBUG);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x500000);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	assert_raw(ev, 1, DR6_STEP);

	g_assert_cmpint(kvmdbg_vcpu_reinject(f->vcpu[0], ev), ==, 0);
	/* INJECT_DB 0x40000 */
	x86_image(img, 0x00060001, 0x401000, 0, 0, 0, 0x402);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);
}

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

static void test_sw_free_restores(void)
{
	struct fix fx, *f = &fx;

	fix_setup(f, NULL);
	attach(f, 1);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x100), 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x200), 1, KVMDBG_POINT_ONESHOT);
	vinsert(f->vcpu[1], KVMDBG_POINT_SW_BREAK, ram(f, 0x300), 1, 0);
	vinsert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, ram(f, 0x400), 1, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 4);

	/* a vCPU takes its own points with it */
	kvmdbg_vcpu_free(f->vcpu[1]);
	f->vcpu[1] = NULL;
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 3);
	g_assert_cmphex(mem_at(f, MEM_GPA + 0x300), ==, orig_at(f, MEM_GPA + 0x300));
	g_assert_cmphex(mem_at(f, MEM_GPA + 0x400), ==, 0xcc);

	/* the VM takes everything else */
	kvmdbg_vcpu_free(f->vcpu[0]);
	f->vcpu[0] = NULL;
	kvmdbg_vm_free(f->vm);
	f->vm = NULL;
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	fix_teardown(f, NULL);
}

static void test_sw_scoped_other_vcpu(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	attach(f, 1);
	settle(f->vcpu[1], VCPU_FD + 1);
	p = vinsert(f->vcpu[0], KVMDBG_POINT_SW_BREAK, s, 1, 0);
	g_assert_true(fx_point(f->vm, p).vcpu == f->vcpu[0]);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s));
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);

	/* the int3 is in shared memory: every vCPU must intercept it */
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img);

	/* vCPU 1 runs into vCPU 0's breakpoint: stepped over silently */
	EXIT_RESUME(f->vcpu[1], f->run[1], 3, s, DR6_NONE);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES_STEP(f->vcpu[1], VCPU_FD + 1, step);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	EXIT_RESUME(f->vcpu[1], f->run[1], 1, s + 1, DR6_STEP);
	g_assert_cmphex(mem_at(f, s), ==, 0xcc);
	PRE_RUN_APPLIES(f->vcpu[1], VCPU_FD + 1, img);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);

	/* on its own vCPU it is an event */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 1);
	PRE_RUN_NONE(f->vcpu[1]);
}

static void test_sw_translate_kernel(void)
{
	/* no translate callback, KVM_TRANSLATE chosen: on the first attached vCPU */
	const uint64_t delta = 0x40000000;
	struct fix fx, *f = &fx;
	uint64_t p;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	int ret;

	fix_setup_bare(f);
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(f->vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	attach(f, 0);
	attach(f, 1);
	settle(f->vcpu[0], VCPU_FD);

	/* gva = gpa + delta */
	fake_translate_set_delta((uint64_t)0 - delta);
	fake_log_clear();
	p = insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x200 + delta, 1, 0);
	g_assert_cmpuint(fake_log_count(FAKE_TRANSLATE), >=, 1);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	for (size_t i = 0; i < fake_log_len(); i++) {
		c = fake_log_get(i);
		g_assert_cmpint(c.kind, ==, FAKE_TRANSLATE);
		g_assert_cmpint(c.fd, ==, VCPU_FD);
		g_assert_cmphex(c.gva, ==, MEM_GPA + 0x200 + delta);
	}
	g_assert_cmphex(f->mem[0x200], ==, 0xcc);
	g_assert_cmphex(fx_point(f->vm, p).addr, ==, MEM_GPA + 0x200 + delta);

	/* the exit reports the virtual address; the lookup needs no translation */
	EXIT_EVENT(f->vcpu[1], f->run[1], 3, MEM_GPA + 0x200 + delta, DR6_NONE, ev,
		   KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);

	/* an unmapped address */
	fake_translate_add_fault(MEM_GPA + 0x1000 + delta, 0x1000);
	fake_log_clear();
	ret = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x1800 + delta, 1, 0, NULL,
			       NULL);
	g_assert_cmpint(ret, ==, -EFAULT);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + 0x1800 + delta));
	f->mem[0x200] = f->orig[0x200];
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
	f->mem[0x200] = 0xcc;

	/* a mapped address outside the registered RAM, and no read/write callbacks */
	fake_log_clear();
	ret = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, MEM_GPA + MEM_SIZE + delta, 1, 0,
			       NULL, NULL);
	g_assert_cmpint(ret, ==, -EFAULT);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);

	/*
	 * An int3 that is not the library's, on the second vCPU: the look at guest memory
	 * translates with that vCPU, never with the first one, which may be inside KVM_RUN.
	 */
	f->mem[0x300] = 0xcc;
	set_debug_exit(f->run[1], 3, MEM_GPA + 0x300 + delta, DR6_NONE);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[1], 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_GUEST_BREAKPOINT);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_TRANSLATE);
	g_assert_cmpint(c.fd, ==, VCPU_FD + 1);
	g_assert_cmphex(c.gva, ==, MEM_GPA + 0x300 + delta);
	f->mem[0x300] = f->orig[0x300];

	/* hardware points take addresses as they are: no translation */
	fake_log_clear();
	insert(f->vm, KVMDBG_POINT_HW_BREAK, MEM_GPA + 0x1800 + delta, 1, 0);
	insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0xdead0000, 8, 0);
	assert_log_len(0);

	fix_teardown(f, NULL);
}

struct cb_mem {
	uint64_t gpa;
	uint8_t buf[0x1000];
	unsigned int reads, writes;
	bool fail_writes;
};

static int cb_read(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct cb_mem *m = user_data;

	m->reads++;
	if (gpa < m->gpa || gpa - m->gpa > sizeof(m->buf) || len > sizeof(m->buf) - (gpa - m->gpa))
		return -EFAULT;
	memcpy(buf, m->buf + (gpa - m->gpa), len);
	return 0;
}

static int cb_write(void *user_data, uint64_t gpa, const void *buf, size_t len)
{
	struct cb_mem *m = user_data;

	m->writes++;
	if (m->fail_writes)
		return -EFAULT;
	if (gpa < m->gpa || gpa - m->gpa > sizeof(m->buf) || len > sizeof(m->buf) - (gpa - m->gpa))
		return -EFAULT;
	memcpy(m->buf + (gpa - m->gpa), buf, len);
	return 0;
}

static int cb_translate(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	/* gva 0xffff800000000000 + x -> gpa x */
	(void)user_data;
	if (gva < 0xffff800000000000ull)
		return -EFAULT;
	*ret_gpa = gva - 0xffff800000000000ull;
	return 0;
}

static void test_sw_memory_callbacks(void)
{
	const uint64_t base = 0xffff800000000000ull;
	struct fix fx, *f = &fx;
	struct cb_mem *m = g_new0(struct cb_mem, 1);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t copy[0x1000], img[72];

	fix_setup_bare(f);
	m->gpa = 0x200000;
	for (size_t i = 0; i < sizeof(m->buf); i++)
		m->buf[i] = (uint8_t)(i ^ 0x5a);
	m->buf[0x10] = 0x55;
	memcpy(copy, m->buf, sizeof(copy));

	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, MEM_GPA, MEM_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, cb_read, cb_write, cb_translate, m), ==,
			0);
	attach(f, 0);
	settle(f->vcpu[0], VCPU_FD);

	/* through the callbacks */
	fake_log_clear();
	p = insert(f->vm, KVMDBG_POINT_SW_BREAK, base + 0x200010, 1, 0);
	assert_log_len(0);
	g_assert_cmpuint(m->writes, >=, 1);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, base + 0x200010, DR6_NONE, ev,
		   KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	x86_image(img, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, img);
	g_assert_cmphex(m->buf[0x10], ==, 0x55);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, base + 0x200011, DR6_STEP);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);

	/* the registered region first: the callbacks are not used for it */
	m->reads = m->writes = 0;
	insert(f->vm, KVMDBG_POINT_SW_BREAK, base + MEM_GPA + 0x20, 1, 0);
	g_assert_cmphex(f->mem[0x20], ==, 0xcc);
	g_assert_cmpuint(m->reads, ==, 0);
	g_assert_cmpuint(m->writes, ==, 0);

	/* write refused by the callback: -EFAULT, nothing changed */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, base + 0x300000, 1, 0,
					 NULL, NULL), ==, -EFAULT);
	/* translation refused */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, 0x200010, 1, 0, NULL,
					 NULL), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmpmem(m->buf, sizeof(m->buf), copy, sizeof(copy));
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);

	fix_teardown(f, NULL);
	g_free(m);
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

static void test_sw_removed_while_stepping(struct fix *f, gconstpointer data)
{
	const uint64_t s = ram(f, 0x100), s2 = ram(f, 0x200);
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	insert(f->vm, KVMDBG_POINT_SW_BREAK, s2, 1, 0);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));

	/* removed by another thread during the step: the original byte is already back */
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, 0);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
	g_assert_cmphex(mem_at(f, s), ==, orig_at(f, s));
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s2), ==, 0);
	g_assert_cmpmem(f->mem, MEM_SIZE, f->orig, MEM_SIZE);
}

static void test_sw_write_fails(void)
{
	/* guest memory that refuses writes: -EFAULT, and the state is kept for a retry */
	const uint64_t base = 0xffff800000000000ull;
	const uint64_t s = base + 0x200010, s1 = base + 0x200020;
	struct fix fx, *f = &fx;
	struct cb_mem *m = g_new0(struct cb_mem, 1);
	uint64_t p, p1;
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72], copy[0x1000];

	fix_setup_bare(f);
	m->gpa = 0x200000;
	for (size_t i = 0; i < sizeof(m->buf); i++)
		m->buf[i] = (uint8_t)(i ^ 0x5a);
	memcpy(copy, m->buf, sizeof(copy));
	g_assert_cmpint(kvmdbg_vm_new(VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, cb_read, cb_write, cb_translate, m), ==,
			0);
	attach(f, 0);
	settle(f->vcpu[0], VCPU_FD);

	p = insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	p1 = insert(f->vm, KVMDBG_POINT_SW_BREAK, s1, 1, KVMDBG_POINT_ONESHOT);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* remove: -EFAULT, the point stays */
	m->fail_writes = true;
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, -EFAULT);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s) == p);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);

	/* the step over it: -EFAULT, no kernel call, still pending */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EFAULT);
	assert_log_len(0);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	m->fail_writes = false;
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	g_assert_cmphex(m->buf[0x10], ==, copy[0x10]);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, s + 1, DR6_STEP);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	/* re-arming a one-shot: -EFAULT, still disarmed; then it works */
	EXIT_EVENT(f->vcpu[0], f->run[0], 3, s1, DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_false(fx_point_armed(f->vm, p1));
	g_assert_cmphex(m->buf[0x20], ==, copy[0x20]);
	m->fail_writes = true;
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, -EFAULT);
	g_assert_false(fx_point_armed(f->vm, p1));
	g_assert_cmphex(m->buf[0x20], ==, copy[0x20]);
	m->fail_writes = false;
	g_assert_cmpint(kvmdbg_vm_rearm(f->vm), ==, 1);
	g_assert_true(fx_point_armed(f->vm, p1));
	g_assert_cmphex(m->buf[0x20], ==, 0xcc);

	g_assert_cmpint(kvmdbg_vm_remove_all(f->vm), ==, 2);
	g_assert_cmpmem(m->buf, sizeof(m->buf), copy, sizeof(copy));
	fix_teardown(f, NULL);
	g_free(m);
}

/* ------------------------------------------------------------------ other exits */

static void test_exit_not_debug(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev = SENTINEL;
	(void)data;

	insert(f->vm, KVMDBG_POINT_SW_BREAK, ram(f, 0x100), 1, 0);
	x86_set_exit_reason(f->run[0], KVM_EXIT_IO);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == SENTINEL);
	x86_set_exit_reason(f->run[0], KVM_EXIT_HLT);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == SENTINEL);
	x86_set_exit_reason(f->run[0], KVM_EXIT_MMIO);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], 0, &ev), ==, KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == SENTINEL);
	assert_log_len(0);
}

static void test_exit_step(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401003, DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401003);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	assert_raw(ev, 1, DR6_STEP);
	/* stepping on: the same state again, for the RIP KVM steps from */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401005, DR6_STEP, ev, KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401005);
}

/*
 * x86 may set DR6.Bn for a slot that is not enabled when its stale address matches: such bits
 * must neither hide a step nor be taken for one of the library's points.
 */
static void test_exit_step_stale_slot_bits(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	uint64_t p;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	/* no slot of ours at all */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401003, DR6_STEP | 1u << 2, ev,
		   KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401003);

	/* slot 0 ours and enabled, the stale bit is slot 2's */
	p = insert(f->vm, KVMDBG_POINT_HW_BREAK, 0x402000, 1, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401005, DR6_STEP | 1u << 2, ev,
		   KVMDBG_EVENT_STEP);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401005);
	g_assert_cmpuint(fx_point_hits(f->vm, p), ==, 0);

	/* a real hit of slot 0 is still the point's */
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x402000, DR6_SLOT(0), ev,
		   KVMDBG_EVENT_HW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, 0);
}

static void test_exit_debug_reg_access(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72];
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_trap_debug_regs(f->vcpu[0], true), ==, 0);
	x86_image(img, 0x00020001, 0, 0, 0, 0, 0x2400);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);

	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401234, DR6_BD, ev,
		   KVMDBG_EVENT_DEBUG_REG_ACCESS);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0x401234);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	assert_raw(ev, 1, DR6_BD);

	/* resuming lets the mov run: GD off for one step */
	x86_image(step, 0x00020003, 0, 0, 0, 0, 0x400);
	PRE_RUN_APPLIES_STEP(f->vcpu[0], VCPU_FD, step);
	EXIT_RESUME(f->vcpu[0], f->run[0], 1, 0x401237, DR6_STEP);
	PRE_RUN_APPLIES(f->vcpu[0], VCPU_FD, img);
	PRE_RUN_NONE(f->vcpu[0]);
}

/* ------------------------------------------------------------------ kick */

struct kick_rec {
	unsigned int calls;
	GThread *thread;
};

static void kick_cb(void *user_data)
{
	struct kick_rec *k = user_data;

	k->calls++;
	k->thread = g_thread_self();
}

static void test_kick(struct fix *f, gconstpointer data)
{
	struct kick_rec k = { 0 };
	const struct kvmdbg_event *ev = SENTINEL;
	uint32_t e;
	uint64_t st;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], kick_cb, &k), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpuint(k.calls, ==, 1);
	assert_log_len(0);

	/* pre_run does not undo it */
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), >=, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);

	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_true(ev != SENTINEL);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_true(kvmdbg_event_get_vcpu(ev) == f->vcpu[0]);
	g_assert_cmphex(kvmdbg_event_get_pc(ev), ==, 0);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	g_assert_cmpint(kvmdbg_event_get_raw_exception(ev, &e), ==, -ENODATA);
	g_assert_cmpint(kvmdbg_event_get_raw_status(ev, &st), ==, -ENODATA);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
	assert_log_len(0);

	/* once: a second -EINTR is the VMM's (a signal), a plain KVM_EXIT_INTR */
	ev = SENTINEL;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == SENTINEL);
	/* in the fake kernel's (x86's) byte order, whatever the host's */
	g_assert_cmpuint(le32_at((uint8_t *)f->run[0] + 8), ==, KVM_EXIT_INTR);
}

static void test_kick_no_callback(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev = SENTINEL;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);

	/* a callback set then cleared is not called */
	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
}

static void test_exit_errors_without_kick(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev = SENTINEL;
	(void)data;

	/* a signal that was not the library's: the VMM's exit */
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==,
			KVMDBG_EXIT_NOT_DEBUG);
	g_assert_true(ev == SENTINEL);
	/* in the fake kernel's (x86's) byte order, whatever the host's */
	g_assert_cmpuint(le32_at((uint8_t *)f->run[0] + 8), ==, KVM_EXIT_INTR);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EFAULT, &ev), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EAGAIN, &ev), ==, -EAGAIN);
	g_assert_true(ev == SENTINEL);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
}

static void test_kick_then_debug_exit(struct fix *f, gconstpointer data)
{
	const struct kvmdbg_event *ev;
	(void)data;

	/* the kick lands while a step exit is already on its way: both are reported */
	g_assert_cmpint(kvmdbg_vcpu_set_single_step(f->vcpu[0], true), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_kick(f->vcpu[0]), ==, 0);
	EXIT_EVENT(f->vcpu[0], f->run[0], 1, 0x401003, DR6_STEP, ev, KVMDBG_EVENT_STEP);
	ev = SENTINEL;
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 0);
}

static gpointer kick_thread(gpointer data)
{
	struct kvmdbg_vcpu *vcpu = data;

	return GINT_TO_POINTER(kvmdbg_vcpu_kick(vcpu));
}

static void test_kick_other_thread(struct fix *f, gconstpointer data)
{
	struct kick_rec k = { 0 };
	const struct kvmdbg_event *ev = SENTINEL;
	GThread *t;
	(void)data;

	g_assert_cmpint(kvmdbg_vcpu_set_kick(f->vcpu[0], kick_cb, &k), ==, 0);
	t = g_thread_new("kick", kick_thread, f->vcpu[0]);
	g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, 0);
	g_assert_cmpuint(k.calls, ==, 1);
	g_assert_true(k.thread == t);
	g_assert_cmpuint(f->run[0]->immediate_exit, ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[0], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_INTERRUPTED);
}

/* ------------------------------------------------------------------ misc */

static void test_event_names(void)
{
	const char *names[9];

	g_assert_cmpstr(kvmdbg_event_type_name(KVMDBG_EVENT_SW_BREAKPOINT), ==, "sw-breakpoint");
	for (int i = 0; i < 9; i++) {
		names[i] = kvmdbg_event_type_name((enum kvmdbg_event_type)i);
		g_assert_nonnull(names[i]);
		g_assert_cmpstr(names[i], !=, "");
		for (int j = 0; j < i; j++)
			g_assert_cmpstr(names[i], !=, names[j]);
	}
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)9), ==, "unknown");
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)-1), ==, "unknown");
	g_assert_cmpstr(kvmdbg_event_type_name((enum kvmdbg_event_type)1000), ==, "unknown");
}

static void test_version(void)
{
	g_assert_cmpstr(kvmdbg_version_string(), ==, KVMDBG_VERSION_STRING);
	g_assert_true(KVMDBG_CHECK_VERSION(0, 1, 0));
}

#define ADD(path, fn) g_test_add("/kvmdbg/unit/core/" path, struct fix, NULL, fix_setup, fn, \
				 fix_teardown)
#define ADD_FUNC(path, fn) g_test_add_func("/kvmdbg/unit/core/" path, fn)

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	ADD_FUNC("probe/default", test_probe_default);
	ADD_FUNC("probe/no-debug2", test_probe_no_debug2);
	ADD_FUNC("probe/debug2-no-inject", test_probe_debug2_no_inject);
	ADD_FUNC("probe/only-step", test_probe_only_step);
	ADD_FUNC("probe/trial-ok", test_probe_trial_ok);
	ADD_FUNC("probe/trial-fails", test_probe_trial_fails);
	ADD("probe/vcpu-new-no-calls", test_vcpu_new_no_calls);
	ADD_FUNC("vm/no-global-state", test_no_global_state);

	ADD_FUNC("pre-run/first", test_pre_run_first);
	ADD("pre-run/hw-inserts", test_pre_run_hw_inserts);
	ADD("pre-run/single-step", test_pre_run_single_step);
	ADD("pre-run/sw-control", test_pre_run_sw_control);
	ADD("pre-run/insert-remove", test_pre_run_insert_remove);
	ADD("pre-run/trap-debug-regs", test_pre_run_trap_debug_regs);
	ADD("pre-run/ebusy-retry", test_pre_run_ebusy_retry);

	ADD("hw/hit-step-over", test_hw_hit_step_over);
	ADD("hw/step-over-user-step", test_hw_step_over_user_step);
	ADD("hw/cancel-resume", test_hw_cancel_resume);
	ADD("hw/oneshot", test_hw_oneshot);
	ADD("hw/watchpoint", test_hw_watchpoint);
	ADD("hw/remove-frees-slot", test_hw_remove_frees_slot);
	ADD("hw/enospc", test_hw_enospc);
	ADD("hw/enospc-one-vcpu-full", test_hw_enospc_one_vcpu_full);
	ADD("step-over-blockirq", test_step_over_blockirq);

	ADD("vcpu/scoped-hw", test_vcpu_scoped_hw);
	ADD("vcpu/vm-wide-later", test_vcpu_vm_wide_later);
	ADD("vcpu/vm-wide-slots-differ", test_vcpu_vm_wide_slots_differ);

	ADD("sw/hit-step-over", test_sw_hit_step_over);
	ADD("sw/step-over-user-step", test_sw_step_over_user_step);
	ADD("sw/oneshot", test_sw_oneshot);
	ADD("sw/oneshot-race", test_sw_oneshot_race);
	ADD("sw/removed-meanwhile", test_sw_removed_meanwhile);
	ADD("sw/removed-while-stopped", test_sw_removed_while_stopped);
	ADD("sw/guest-int3", test_sw_guest_int3);
	ADD("sw/guest-int3-ebusy", test_sw_guest_int3_ebusy);
	ADD("sw/guest-db", test_sw_guest_db);
	ADD("sw/remove-overwritten", test_sw_remove_overwritten);
	ADD("sw/remove-all-identical", test_sw_remove_all_identical);
	ADD_FUNC("sw/free-restores", test_sw_free_restores);
	ADD("sw/scoped-other-vcpu", test_sw_scoped_other_vcpu);
	ADD_FUNC("sw/translate-kernel", test_sw_translate_kernel);
	ADD_FUNC("sw/memory-callbacks", test_sw_memory_callbacks);
	ADD("sw/over-guest-int3", test_sw_over_guest_int3);
	ADD("sw/removed-while-stepping", test_sw_removed_while_stepping);
	ADD_FUNC("sw/write-fails", test_sw_write_fails);

	ADD("exit/not-debug", test_exit_not_debug);
	ADD("exit/step", test_exit_step);
	ADD("exit/step-stale-slot-bits", test_exit_step_stale_slot_bits);
	ADD("exit/debug-reg-access", test_exit_debug_reg_access);
	ADD("exit/errors-without-kick", test_exit_errors_without_kick);
	ADD("kick/basic", test_kick);
	ADD("kick/no-callback", test_kick_no_callback);
	ADD("kick/then-debug-exit", test_kick_then_debug_exit);
	ADD("kick/other-thread", test_kick_other_thread);

	ADD_FUNC("event/names", test_event_names);
	ADD_FUNC("version", test_version);

	return g_test_run();
}
