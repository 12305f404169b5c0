/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite: software breakpoints.
 *
 * The memory side (the breakpoint instruction written into guest RAM through the registered
 * regions or the caller's callbacks and KVM_TRANSLATE, the original bytes put back, a
 * breakpoint the guest overwrote left alone) needs no kernel support and runs everywhere.
 * Running into one needs a kernel that turns int3 into KVM_EXIT_DEBUG: those cases are probed
 * once, in real mode only, and skipped with the probe's finding where it does not.
 */
#include "kvmtest.h"

#define INT3 0xcc

static bool require_sw_breakpoints(void)
{
	const char *why;

	if (kt_probe_sw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver software breakpoints: %s", why);
	return false;
}

static void check_new_point(struct kc_test *t, uint64_t p, uint64_t addr, unsigned int flags,
			    void *user_data, struct kvmdbg_vcpu *vcpu)
{
	g_assert_cmpuint(p, !=, 0);
	g_assert_cmpint(kc_point(t->vm, p).type, ==, KVMDBG_POINT_SW_BREAK);
	g_assert_cmphex(kc_point(t->vm, p).addr, ==, addr);
	g_assert_cmpuint(kc_point(t->vm, p).len, ==, 1);
	g_assert_cmphex(kc_point(t->vm, p).flags, ==, flags);
	g_assert_true(kc_point(t->vm, p).user_data == user_data);
	g_assert_true(kc_point(t->vm, p).vcpu == vcpu);
	g_assert_true(kc_point(t->vm, p).armed);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 0);
}

/* Insert writes int3 at the (identity-translated) address; remove puts the byte back. */
static void test_insert_remove(struct kc_test *t, const void *data)
{
	enum guest_mode mode = GPOINTER_TO_INT(data);
	const struct guest_prog *prog = &prog_bp[mode];
	uint64_t inner, outer;
	uint64_t p, q, h;
	g_autofree uint8_t *snap = NULL, *expect = NULL;
	int tag;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	inner = guest_prog_addr(prog, BP_INNER);
	outer = guest_prog_addr(prog, BP_OUTER);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, &tag, &p), ==,
			0);
	check_new_point(t, p, inner, 0, &tag, NULL);
	expect[inner] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_true(kc_find(t->vm, KVMDBG_POINT_SW_BREAK, inner) == p);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);

	/* One software breakpoint per address in the whole VM. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, NULL), ==,
			-EEXIST);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK, inner, 0, 0, NULL, NULL), ==,
		-EEXIST);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	/* A vCPU breakpoint is in the same shared memory. */
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer, 0, 0, NULL, &q), ==,
		0);
	check_new_point(t, q, outer, 0, NULL, t->vcpu[0]);
	expect[outer] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpuint(kc_find(t->vm, KVMDBG_POINT_SW_BREAK, outer), ==, 0);

	/* Another type at the same address is another point, and writes nothing. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, inner, 0, 0, NULL, &h), ==,
			0);
	g_assert_true(h != p);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 3);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_HW_BREAK, inner), ==, 0);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	expect[inner] = snap[inner];
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, outer), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vcpu_remove(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
}

/* A breakpoint the guest overwrote is removed without touching the guest's new bytes. */
static void test_overwritten(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	uint64_t inner, outer, pass;
	g_autofree uint8_t *expect = NULL;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	inner = guest_prog_addr(prog, BP_INNER);
	outer = guest_prog_addr(prog, BP_OUTER);
	pass = guest_prog_addr(prog, BP_PASS);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer, 1, 0, NULL, NULL), ==,
		0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, pass, 1, 0, NULL, NULL), ==,
			0);
	g_assert_cmphex(t->g.mem[inner], ==, INT3);
	g_assert_cmphex(t->g.mem[outer], ==, INT3);
	g_assert_cmphex(t->g.mem[pass], ==, INT3);

	/* The guest patches its own code over all three. */
	t->g.mem[inner] = 0x90;
	t->g.mem[outer] = 0x91;
	t->g.mem[pass] = 0x92;
	expect[inner] = 0x90;
	expect[outer] = 0x91;
	expect[pass] = 0x92;

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 1);
	g_assert_cmpint(kvmdbg_vcpu_remove(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer), ==, 1);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	/* remove_all counts it, and leaves it alone too. */
	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, 1);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
}

/* The default translation (KVM_TRANSLATE on the first vCPU) follows the guest's page tables. */
static void test_translate(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const uint64_t off = 0x1234;
	g_autofree uint8_t *snap = NULL, *expect = NULL;
	uint64_t p;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	t->g.mem[GUEST_ALIAS_GPA + off] = 0x5a;
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off, 1, 0,
					 NULL, &p),
			==, 0);
	g_assert_cmphex(kc_point(t->vm, p).addr, ==, GUEST_ALIAS_VA + off);
	expect[GUEST_ALIAS_GPA + off] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_UNMAPPED_VA, 1, 0, NULL, NULL),
		==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_UNMAPPED_VA + off, 1,
					 0, NULL, NULL),
			==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off), ==,
			0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
}

/*
 * The default translation uses the first attached vCPU: with vCPU 0 in long mode (the alias
 * mapped) and vCPU 1 in real mode (no paging), the alias translates through vCPU 0's tables.
 */
static void test_translate_first_vcpu(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const uint64_t off = 0x2345;
	g_autofree uint8_t *snap = NULL, *expect = NULL;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	g_assert_cmpint(guest_enter(&t->g, 1, GUEST_REAL, GUEST_CODE), ==, 0);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off, 1, 0,
					 NULL, NULL),
			==, 0);
	expect[GUEST_ALIAS_GPA + off] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off), ==,
			0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
}

struct mem_ops {
	uint8_t *mem;
	unsigned int reads, writes, translates;
};

static int ops_read(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct mem_ops *o = user_data;

	o->reads++;
	if (gpa >= GUEST_MEM_SIZE || len > GUEST_MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(buf, o->mem + gpa, len);
	return 0;
}

static int ops_write(void *user_data, uint64_t gpa, const void *buf, size_t len)
{
	struct mem_ops *o = user_data;

	o->writes++;
	if (gpa >= GUEST_MEM_SIZE || len > GUEST_MEM_SIZE - gpa)
		return -EFAULT;
	memcpy(o->mem + gpa, buf, len);
	return 0;
}

/* The guest's long-mode page tables, as the caller knows them. */
static int ops_translate(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	struct mem_ops *o = user_data;

	o->translates++;
	if (gva < GUEST_MEM_SIZE) {
		*ret_gpa = gva;
		return 0;
	}
	if (gva >= GUEST_ALIAS_VA && gva < GUEST_ALIAS_VA + 0x200000) {
		*ret_gpa = gva - GUEST_ALIAS_VA + GUEST_ALIAS_GPA;
		return 0;
	}
	return -EFAULT;
}

/* Without registered regions, the caller's callbacks reach guest memory. */
static void test_callbacks(struct kc_test *t, const void *data)
{
	const uint64_t off = 0x40;
	struct mem_ops ops = { 0 };
	g_autofree uint8_t *snap = NULL, *expect = NULL;
	uint8_t byte;

	KC_REQUIRE(t);
	/* A VM object of its own: no regions, no vCPU, so nothing but the callbacks. */
	kvmdbg_vcpu_free(t->vcpu[0]);
	t->vcpu[0] = NULL;
	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	g_assert_cmpint(kvmdbg_vm_new(t->g.vm_fd, &t->vm), ==, 0);
	ops.mem = t->g.mem;
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(t->vm, ops_read, ops_write, ops_translate, &ops),
			==, 0);

	t->g.mem[GUEST_ALIAS_GPA + off] = 0xa5;
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off, 0, 0,
					 NULL, NULL),
			==, 0);
	g_assert_cmpuint(ops.translates, >=, 1);
	g_assert_cmpuint(ops.writes, >=, 1);
	expect[GUEST_ALIAS_GPA + off] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	/* Not translated, and not backed. */
	g_assert_cmpint(
		kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_UNMAPPED_VA, 0, 0, NULL, NULL),
		==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA - 0x1000, 0,
					 0, NULL, NULL),
			==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + off), ==,
			0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);

	/* Regions are tried first once there are some; their checks. */
	byte = 0;
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, 0, 0, t->g.mem), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, 0, GUEST_MEM_SIZE, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(NULL, 0, GUEST_MEM_SIZE, t->g.mem), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, UINT64_MAX - 0xfff, 0x2000, &byte), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, 0, GUEST_MEM_SIZE, t->g.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, 0x1000, 0x1000, t->g.mem + 0x1000), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(t->vm, GUEST_MEM_SIZE - 1, 2, &byte), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(NULL, NULL, NULL, NULL, NULL), ==, -EINVAL);
}

/* Freeing the objects removes their software breakpoints: guest memory is as before. */
static void test_free_restores(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	g_autofree uint8_t *snap = NULL, *expect = NULL;
	uint64_t inner, outer;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	inner = guest_prog_addr(prog, BP_INNER);
	outer = guest_prog_addr(prog, BP_OUTER);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(
		kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK, outer, 1, 0, NULL, NULL), ==,
		0);
	expect[inner] = INT3;
	expect[outer] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);

	/* The vCPU's own go with it. */
	kvmdbg_vcpu_free(t->vcpu[0]);
	t->vcpu[0] = NULL;
	expect[outer] = snap[outer];
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);

	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
}

/*
 * A breakpoint on a byte that already is the breakpoint instruction (the guest's own int3, or
 * data that happens to be 0xcc) still saves and puts back what was there.
 */
static void test_on_int3(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_int3_real;
	g_autofree uint8_t *snap = NULL;
	uint64_t at;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, INT3_START);
	at = guest_prog_addr(prog, INT3_AT);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	g_assert_cmphex(t->g.mem[at], ==, INT3);

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, at, 1, 0, NULL, NULL), ==,
			0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, at), ==, 0);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);

	/* The same through kvmdbg_vm_free(). */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, at, 1, 0, NULL, NULL), ==,
			0);
	kvmdbg_vcpu_free(t->vcpu[0]);
	t->vcpu[0] = NULL;
	kvmdbg_vm_free(t->vm);
	t->vm = NULL;
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
}

/*
 * Many breakpoints over bytes of every value (0xcc included), one-shot ones among them, all
 * removed at once: memory as before.
 */
static void test_remove_all(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const unsigned int n = 512;
	g_autofree uint8_t *snap = NULL;
	uint64_t p;

	KC_REQUIRE(t);
	kt_start(t, 0, prog, BP_START);
	for (unsigned int k = 0; k < n; k++)
		t->g.mem[GUEST_ALIAS_GPA + k] = (uint8_t)k;
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	for (unsigned int k = 0; k < n; k++) {
		unsigned int flags = k % 3 == 0 ? KVMDBG_POINT_ONESHOT : 0;

		g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + k,
						 1, flags, NULL, &p),
				==, 0);
		g_assert_cmphex(kc_point(t->vm, p).flags, ==, flags);
	}
	g_assert_cmpint(kvmdbg_vcpu_insert(t->vcpu[0], KVMDBG_POINT_SW_BREAK,
					   guest_prog_addr(prog, BP_INNER), 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK,
					 guest_prog_addr(prog, BP_INNER), 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, n + 2);
	for (unsigned int k = 0; k < n; k += 37)
		g_assert_true(kc_find(t->vm, KVMDBG_POINT_SW_BREAK, GUEST_ALIAS_VA + k));
	for (unsigned int k = 0; k < n; k++)
		g_assert_cmphex(t->g.mem[GUEST_ALIAS_GPA + k], ==, INT3);
	g_assert_cmphex(t->g.mem[guest_prog_addr(prog, BP_INNER)], ==, INT3);

	/* Nothing fired, so nothing to re-arm; everything is already armed. */
	g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(t->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_mark_all_armed(NULL), ==, -EINVAL);

	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, n + 2);
	g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 0);
	for (unsigned int k = 0; k < n; k++)
		g_assert_cmphex(t->g.mem[GUEST_ALIAS_GPA + k], ==, (uint8_t)k);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, 0);
}

/* Where the kernel delivers them: stop, continue (step over), exact counts, memory restored. */
static void test_run_continue(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_REAL];
	g_autofree uint8_t *code = NULL;
	uint64_t p, q;
	uint64_t inner, done;

	KC_REQUIRE(t);
	if (!require_sw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);
	inner = guest_prog_addr(prog, BP_INNER);
	done = guest_prog_addr(prog, BP_DONE);
	code = kc_memdup(t->g.mem + GUEST_CODE, guest_prog_size(prog));

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1, 0, NULL, &p), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, done, 1, 0, NULL, &q), ==,
			0);

	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		for (unsigned int n = 1; n <= BP_INNER_COUNT; n++) {
			const struct kvmdbg_event *ev;

			ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner);
			g_assert_true(kvmdbg_event_get_point_id(ev) == p);
			kt_assert_raw(ev, 3, 0);
			g_assert_cmpint(kvmdbg_event_get_slot(ev), ==, -EINVAL);
			g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, -EINVAL);
			g_assert_cmpuint(kc_point(t->vm, p).hits, ==,
					 (pass - 1) * BP_INNER_COUNT + n);
			g_assert_cmphex(guest_get_pc(&t->g, 0), ==, inner);
			g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==,
					(pass - 1) * BP_INNER_COUNT + n - 1);
		}
		kt_expect_out(t, 0, GUEST_PORT_PASS);
		/* The step over it put the breakpoint back. */
		g_assert_cmphex(t->g.mem[inner], ==, INT3);
	}
	g_assert_true(kvmdbg_event_get_point_id(
			      kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, done)) == q);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpuint(kc_point(t->vm, q).hits, ==, 1);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * BP_INNER_COUNT);

	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, done), ==, 0);
	kc_assert_mem(t, GUEST_CODE, code, guest_prog_size(prog));
}

/* A one-shot software breakpoint: fires once, original byte back, re-arms. */
static void test_run_oneshot(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_REAL];
	g_autofree uint8_t *code = NULL;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t inner;

	KC_REQUIRE(t);
	if (!require_sw_breakpoints())
		return;
	kt_start(t, 0, prog, BP_START);
	inner = guest_prog_addr(prog, BP_INNER);
	code = kc_memdup(t->g.mem + GUEST_CODE, guest_prog_size(prog));

	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, inner, 1,
					 KVMDBG_POINT_ONESHOT, NULL, &p),
			==, 0);
	for (unsigned int pass = 1; pass <= BP_PASSES; pass++) {
		g_assert_cmphex(t->g.mem[inner], ==, INT3);
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, inner);
		g_assert_true(kvmdbg_event_get_point_id(ev) == p);
		g_assert_false(kc_point(t->vm, p).armed);
		g_assert_cmpuint(kc_point(t->vm, p).hits, ==, pass);

		kt_expect_out(t, 0, GUEST_PORT_PASS);
		g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, pass * BP_INNER_COUNT);
		g_assert_false(kc_point(t->vm, p).armed);
		kc_assert_mem(t, GUEST_CODE, code, guest_prog_size(prog));
		g_assert_cmpint(kvmdbg_vm_get_point_count(t->vm), ==, 1);
		if (pass < BP_PASSES)
			g_assert_cmpint(kvmdbg_vm_rearm(t->vm), ==, 1);
	}
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	kc_assert_mem(t, GUEST_CODE, code, guest_prog_size(prog));
	/* Removing a disarmed one writes nothing. */
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, inner), ==, 0);
	kc_assert_mem(t, GUEST_CODE, code, guest_prog_size(prog));
}

/*
 * The guest's own int3 (one the library did not place) is reported as such, and handed back
 * it reaches the guest's vector-3 handler, which returns after the int3.
 */
static void test_run_guest_int3(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_int3_real;
	g_autofree uint8_t *code = NULL;
	const struct kvmdbg_event *ev;
	uint64_t p;
	uint64_t at, after;

	KC_REQUIRE(t);
	if (!require_sw_breakpoints())
		return;
	kt_start(t, 0, prog, INT3_START);
	guest_set_vector(&t->g, 3, (uint16_t)prog->offs[INT3_HANDLER]);
	at = guest_prog_addr(prog, INT3_AT);
	after = guest_prog_addr(prog, INT3_AFTER);
	code = kc_memdup(t->g.mem + GUEST_CODE, guest_prog_size(prog));

	/* A breakpoint of the library after it makes the kernel intercept every int3. */
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, after, 1, 0, NULL, &p), ==,
			0);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_GUEST_BREAKPOINT, at);
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, 0);
	kt_assert_raw(ev, 3, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], ev), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_reinject(NULL, ev), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vcpu_reinject(t->vcpu[0], NULL), ==, -EINVAL);
	kt_expect_out(t, 0, GUEST_PORT_MARK);

	ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, after);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, 1);

	g_assert_cmpint(kvmdbg_vm_remove_all(t->vm), ==, 1);
	kc_assert_mem(t, GUEST_CODE, code, guest_prog_size(prog));
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/sw-bp/memory/insert-remove/real", struct kc_test,
		   GINT_TO_POINTER(GUEST_REAL), kc_setup1, test_insert_remove, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/insert-remove/long64", struct kc_test,
		   GINT_TO_POINTER(GUEST_LONG64), kc_setup1, test_insert_remove, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/overwritten", struct kc_test, NULL, kc_setup1,
		   test_overwritten, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/translate", struct kc_test, NULL, kc_setup1,
		   test_translate, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/translate-first-vcpu", struct kc_test, NULL, kc_setup2,
		   test_translate_first_vcpu, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/callbacks", struct kc_test, NULL, kc_setup1,
		   test_callbacks, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/free-restores", struct kc_test, NULL, kc_setup1,
		   test_free_restores, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/on-int3", struct kc_test, NULL, kc_setup1,
		   test_on_int3, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/memory/remove-all", struct kc_test, NULL, kc_setup1,
		   test_remove_all, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/continue", struct kc_test, NULL, kc_setup1,
		   test_run_continue, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/oneshot", struct kc_test, NULL, kc_setup1,
		   test_run_oneshot, kc_teardown);
	g_test_add("/kvmdbg/kvm/sw-bp/run/guest-int3", struct kc_test, NULL, kc_setup1,
		   test_run_guest_int3, kc_teardown);
	return g_test_run();
}
