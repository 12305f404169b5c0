// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest memory: regions and callbacks, translation, and memory as the guest's program sees it
 * (kvmdbg_vm_read_memory() and friends), over the fake kernel edge (fixture.h); software
 * breakpoints written through each of them.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include <kvmdbg/kvmdbg.h>

#include "fake-kernel.h"
#include "fixture.h"

static uint64_t phys_of(uint64_t gva)
{
	uint64_t gpa = 0;

	g_assert_cmpint(fx_translate_reversed(NULL, gva, &gpa), ==, 0);
	return gpa;
}

/*
 * A debugger reads and writes guest memory with software breakpoints planted in it: it must
 * see the original bytes, and what it writes under a breakpoint must become the bytes the
 * breakpoint restores, while the breakpoint keeps working.
 */
static void test_masked_read_write(void)
{
	const uint64_t a = fx_addr(0x2100), b = fx_addr(0x2103);
	uint8_t buf[16], want[16];
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, b, 0, 0, NULL, NULL), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);

	/* reads: original bytes, virtual and physical alike */
	memcpy(want, f.orig + 0x20fe, sizeof(want));
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, a - 2, buf, sizeof(buf)), ==, 0);
	g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, a - 2, buf, sizeof(buf)), ==, 0);
	g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));

	/* a write over both: memory keeps the int3s, the originals are the new bytes */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x40 + i);
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, a - 2, buf, sizeof(buf)), ==, 0);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc);
	g_assert_cmphex(*fx_mem(&f, b), ==, 0xcc);
	g_assert_cmphex(*fx_mem(&f, a + 1), ==, 0x43);
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, a - 2, want, sizeof(want)), ==, 0);
	g_assert_cmpmem(want, sizeof(want), buf, sizeof(buf));

	/* removal restores what was written, and does not call it the guest's overwrite */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, b), ==, 0);
	g_assert_cmpmem(fx_mem(&f, a - 2), sizeof(buf), buf, sizeof(buf));
	fx_fini(&f);
}

/* A range across pages: each page translated on its own; one that does not changes nothing. */
static void test_cross_page(void)
{
	const uint64_t a = fx_addr(FX_PAGE + FX_PAGE - 4); /* the last 4 bytes of virtual page 1 */
	uint8_t buf[8], sentinel[8];
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, fx_translate_reversed, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a + 5, 0, 0, NULL, NULL), ==,
			0);
	g_assert_cmphex(*fx_mem(&f, phys_of(a + 5)), ==, 0xcc);

	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, a, buf, sizeof(buf)), ==, 0);
	g_assert_cmpmem(buf, 4, f.orig + (phys_of(a) - FX_GPA), 4);
	g_assert_cmpmem(buf + 4, 4, f.orig + (phys_of(a + 4) - FX_GPA), 4);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(0x10 + i);
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, a, buf, sizeof(buf)), ==, 0);
	g_assert_cmpmem(fx_mem(&f, phys_of(a)), 4, buf, 4);
	g_assert_cmphex(*fx_mem(&f, phys_of(a + 4)), ==, 0x14);
	g_assert_cmphex(*fx_mem(&f, phys_of(a + 5)), ==, 0xcc);
	g_assert_cmphex(*fx_mem(&f, phys_of(a + 6)), ==, 0x16);

	/* the last page of the RAM and the next, which does not translate: nothing at all */
	memset(sentinel, 0x77, sizeof(sentinel));
	memcpy(buf, sentinel, sizeof(buf));
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(FX_SIZE - 4), buf, sizeof(buf)),
			==, -EFAULT);
	g_assert_cmpmem(buf, sizeof(buf), sentinel, sizeof(sentinel));
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, fx_addr(FX_SIZE - 4), sentinel,
					       sizeof(sentinel)), ==, -EFAULT);
	g_assert_cmpmem(fx_mem(&f, phys_of(fx_addr(FX_SIZE - 4))), 4,
			f.orig + (phys_of(fx_addr(FX_SIZE - 4)) - FX_GPA), 4);
	fx_fini(&f);
}

static void test_access_bad_input(void)
{
	uint8_t buf[4];
	struct fx f, g;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	fx_init_bare(&g, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD + 50, &g.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(g.vm, FX_VCPU_FD + 50, g.run[0], &g.vcpu[0]), ==, 0);

	g_assert_cmpint(kvmdbg_vm_read_memory(NULL, NULL, FX_GPA, buf, 4), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, FX_GPA, NULL, 4), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, UINT64_MAX - 1, buf, 4), ==, -EINVAL);
	/* a vCPU of another VM */
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, g.vcpu[0], FX_GPA, buf, 4), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, g.vcpu[0], FX_GPA, buf, 4), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(f.vm, g.vcpu[0]), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, UINT64_MAX, buf, 2), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_write_phys(NULL, FX_GPA, buf, 2), ==, -EINVAL);
	/* not backed */
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, FX_GPA + FX_SIZE, buf, 1), ==, -EFAULT);
	/* nothing to do */
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, 0, buf, 0), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&g);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* Translation */

/*
 * Without a callback, x86 translates (a walk over the vCPU's registers, or KVM_TRANSLATE) on
 * the vCPU the caller chose, else on the one that reported the latest event (a kernel address
 * may translate only through the vCPU that stopped there), else on the first attached.
 */
static void translate_vcpu(enum kvmdbg_translation how)
{
	const struct kvmdbg_event *ev;
	struct fake_call c;
	uint8_t byte;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(f.vm, how), ==, 0);
	for (int i = 0; i < 3; i++)
		g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD + i, f.run[i], &f.vcpu[i]), ==, 0);

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(0x10), &byte, 1), ==, 0);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, how == KVMDBG_TRANSLATION_KVM ? FAKE_TRANSLATE :
				    FAKE_GET_X86_PAGING);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD);

	/* vCPU 2 stops: it translates from now on */
	g_assert_cmpint(kvmdbg_vcpu_kick(f.vcpu[2]), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f.vcpu[2], -EINTR, &ev), ==, KVMDBG_EXIT_EVENT);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x20), 0, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(fake_log_get(0).fd, ==, FX_VCPU_FD + 2);

	/* the caller's choice wins; NULL gives the default back */
	g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(f.vm, f.vcpu[1]), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(0x10), &byte, 1), ==, 0);
	g_assert_cmpint(fake_log_get(0).fd, ==, FX_VCPU_FD + 1);
	/* an explicit vCPU wins over both */
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, f.vcpu[0], fx_addr(0x10), &byte, 1), ==, 0);
	g_assert_cmpint(fake_log_get(0).fd, ==, FX_VCPU_FD);
	g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(f.vm, NULL), ==, 0);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(0x10), &byte, 1), ==, 0);
	g_assert_cmpint(fake_log_get(0).fd, ==, FX_VCPU_FD + 2);

	/* a freed vCPU is forgotten */
	kvmdbg_vcpu_free(f.vcpu[2]);
	f.vcpu[2] = NULL;
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(0x10), &byte, 1), ==, 0);
	g_assert_cmpint(fake_log_get(0).fd, ==, FX_VCPU_FD);
	fx_fini(&f);
}

static void test_sw_translate_kernel(void)
{
	/* no translate callback, KVM_TRANSLATE chosen: on the first attached vCPU */
	const uint64_t delta = 0x40000000;
	struct fx fix, *f = &fix;
	uint64_t p;
	const struct kvmdbg_event *ev;
	struct fake_call c;
	int ret;

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(f->vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	fx_attach(f, 0);
	fx_attach(f, 1);
	fx_settle(f, 0);

	/* gva = gpa + delta */
	fake_translate_set_delta((uint64_t)0 - delta);
	fake_log_clear();
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x200 + delta, 1, 0);
	g_assert_cmpuint(fake_log_count(FAKE_TRANSLATE), >=, 1);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	for (size_t i = 0; i < fake_log_len(); i++) {
		c = fake_log_get(i);
		g_assert_cmpint(c.kind, ==, FAKE_TRANSLATE);
		g_assert_cmpint(c.fd, ==, FX_VCPU_FD);
		g_assert_cmphex(c.gva, ==, FX_GPA + 0x200 + delta);
	}
	g_assert_cmphex(f->mem[0x200], ==, 0xcc);
	g_assert_cmphex(fx_point(f->vm, p).addr, ==, FX_GPA + 0x200 + delta);

	/* the exit reports the virtual address; the lookup needs no translation */
	fx_x86_event(f, 1, 3, FX_GPA + 0x200 + delta, FX_DR6_NONE, ev,
		   KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);

	/* an unmapped address */
	fake_translate_add_fault(FX_GPA + 0x1000 + delta, 0x1000);
	fake_log_clear();
	ret = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x1800 + delta, 1, 0, NULL,
			       NULL);
	g_assert_cmpint(ret, ==, -EFAULT);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);
	g_assert_cmpuint(0, ==, fx_find(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + 0x1800 + delta));
	f->mem[0x200] = f->orig[0x200];
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	f->mem[0x200] = 0xcc;

	/* a mapped address outside the registered RAM, and no read/write callbacks */
	fake_log_clear();
	ret = kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE + delta, 1, 0,
			       NULL, NULL);
	g_assert_cmpint(ret, ==, -EFAULT);
	g_assert_cmpuint(fake_log_count(FAKE_SET_GUEST_DEBUG), ==, 0);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 1);

	/*
	 * An int3 that is not the library's, on the second vCPU: the look at guest memory
	 * translates with that vCPU, never with the first one, which may be inside KVM_RUN.
	 */
	f->mem[0x300] = 0xcc;
	fx_x86_bp(f->run[1], FX_GPA + 0x300 + delta);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_handle_exit(f->vcpu[1], 0, &ev), ==, KVMDBG_EXIT_EVENT);
	g_assert_cmpint(kvmdbg_event_get_type(ev), ==, KVMDBG_EVENT_GUEST_BREAKPOINT);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_TRANSLATE);
	g_assert_cmpint(c.fd, ==, FX_VCPU_FD + 1);
	g_assert_cmphex(c.gva, ==, FX_GPA + 0x300 + delta);
	f->mem[0x300] = f->orig[0x300];

	/* hardware points take addresses as they are: no translation */
	fake_log_clear();
	fx_insert(f->vm, KVMDBG_POINT_HW_BREAK, FX_GPA + 0x1800 + delta, 1, 0);
	fx_insert(f->vm, KVMDBG_POINT_WATCH_WRITE, 0xdead0000, 8, 0);
	assert_log_len(0);

	fx_fini(f);
}

static void test_translate_vcpu_walk(void)
{
	translate_vcpu(KVMDBG_TRANSLATION_WALK);
}

static void test_translate_vcpu_kvm(void)
{
	translate_vcpu(KVMDBG_TRANSLATION_KVM);
}

/*
 * Regression: off x86 there was no KVM_TRANSLATE, and the default was silently the identity,
 * even with the guest's MMU on.  Now an architecture without a page walker (all but x86 and
 * arm64) has no default, and a caller declares it.
 */
static void test_no_default_translation_without_walker(void)
{
	static const char *const arches[] = { "s390x", "riscv64", "ppc64le-book3s" };
	struct fx f;

	for (size_t i = 0; i < G_N_ELEMENTS(arches); i++) {
		uint8_t byte;

		g_test_message("%s", arches[i]);
		fx_init_bare(&f, arches[i], 0);
		g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
		g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
		g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);
		g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0,
						 NULL, NULL), ==, -EOPNOTSUPP);
		g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, fx_addr(0x100), &byte, 1), ==,
				-EOPNOTSUPP);
		g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
		/* physical access needs no translation */
		g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, fx_addr(0x100), &byte, 1), ==, 0);
		g_assert_cmphex(byte, ==, f.orig[0x100]);

		g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL,
							 kvmdbg_translate_identity, NULL), ==, 0);
		g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, fx_addr(0x100), 0, 0,
						 NULL, NULL), ==, 0);
		g_assert_cmphex(*fx_mem(&f, fx_addr(0x100)), ==, f.arch->sw_insn_len ?
				f.arch->sw_insn[0] : 0x00);
		fx_fini(&f);
	}
	g_assert_cmpint(kvmdbg_translate_identity(NULL, 1, NULL), ==, -EINVAL);
}

/* ------------------------------------------------------------------------------------------ */
/* Regions */

/* A VMM that remaps guest RAM: the old mapping is forgotten, the new one used. */
static void test_remove_memory(void)
{
	const uint64_t a = fx_addr(0x200);
	uint8_t *copy;
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==, 0);
	copy = g_memdup2(f.mem, FX_SIZE);

	g_assert_cmpint(kvmdbg_vm_remove_memory(f.vm, FX_GPA + 1), ==, -ENOENT);
	g_assert_cmpint(kvmdbg_vm_remove_memory(NULL, FX_GPA), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_remove_memory(f.vm, FX_GPA), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove_memory(f.vm, FX_GPA), ==, -ENOENT);
	/* with no memory, removal cannot restore the byte: the point stays */
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);

	/* the same contents at a new address: the breakpoint is there, removal restores it */
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, copy), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmphex(copy[0x200], ==, f.orig[0x200]);
	g_assert_cmphex(*fx_mem(&f, a), ==, 0xcc); /* the old mapping is not touched */
	g_assert_cmpint(kvmdbg_vm_remove_memory(f.vm, FX_GPA), ==, 0);
	fx_fini(&f);
	g_free(copy);
}

static void test_add_memory_bad(struct fx *f, gconstpointer data)
{
	uint8_t *buf = g_malloc0(0x3000);
	(void)data;

	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 0x200000, 0, buf), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 0x200000, 0x1000, NULL), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 0xfffffffffffff000ull, 0x2000, buf), ==,
			-EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 2, ~0ull, buf), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, ~0ull, 2, buf), ==, -EINVAL);

	/* overlaps of [FX_GPA, FX_GPA + FX_SIZE) */
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, buf), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA + 0x1000, 0x1000, buf), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA - 0x1000, 0x1001, buf), ==, -EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA + FX_SIZE - 1, 0x1000, buf), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA - 0x1000, FX_SIZE + 0x2000, buf), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA + FX_SIZE - 1, 1, buf), ==, -EEXIST);
	/* [1, 2^64) does not wrap, but overlaps */
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 1, ~0ull, buf), ==, -EEXIST);
	fx_assert_unchanged(f);

	/* refused regions were not registered: a breakpoint there still faults */
	fx_refuse_insert(f, KVMDBG_POINT_SW_BREAK, 0x200000, 1, 0, -EFAULT);
	g_assert_cmphex(buf[0], ==, 0);

	/* adjacent on both sides is fine, and then usable */
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA - 0x1000, 0x1000, buf), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA + FX_SIZE, 0x1000, buf + 0x1000), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA + FX_SIZE, 0x1000, buf + 0x2000), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA - 1, 1, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE, 1, 0,
					 NULL, NULL), ==, 0);
	g_assert_cmphex(buf[0xfff], ==, 0xcc);
	g_assert_cmphex(buf[0x1000], ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA - 1), ==, 0);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, FX_GPA + FX_SIZE), ==, 0);
	g_assert_cmphex(buf[0xfff], ==, 0);
	g_assert_cmphex(buf[0x1000], ==, 0);

	/* the very top of the address space is a region like any other */
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, 0xfffffffffffff000ull, 0x1000, buf + 0x2000),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, ~0ull, 1, 0, NULL, NULL),
			==, 0);
	g_assert_cmphex(buf[0x2fff], ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, ~0ull), ==, 0);
	g_assert_cmphex(buf[0x2fff], ==, 0);

	/* the VM object is freed before buf */
	fx_free_vm(f);
	g_free(buf);
}

/* Every 16 KiB of the RAM's virtual range maps to its first 16 KiB. */
static int alias_translate(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	if (gva - FX_GPA >= FX_SIZE)
		return -EFAULT;
	*ret_gpa = FX_GPA + (gva - FX_GPA) % 0x4000;
	return 0;
}

/*
 * Regression: two virtual addresses that map to the same physical byte were both accepted, and
 * the second removal said the guest had overwritten the breakpoint.  Fix: the second is
 * refused with -EEXIST.
 */
static void test_alias_refused(void)
{
	const uint64_t a = fx_addr(0x300);
	uint64_t alias = a + 0x4000, id;
	struct fx f;

	fx_init_bare(&f, "x86_64", 0x1f0003);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f.vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_SIZE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, NULL, NULL, alias_translate, NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vcpu_new(f.vm, FX_VCPU_FD, f.run[0], &f.vcpu[0]), ==, 0);

	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, &id), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, alias, 0, 0, NULL, NULL), ==,
			-EEXIST);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 1);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, a), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	/* once the first is gone, the alias is free */
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, alias, 0, 0, NULL, NULL), ==,
			0);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, alias), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/*
 * A write that runs past guest RAM fails and writes nothing: it used to write the part in RAM
 * first, then fail.
 */
/*
 * Regression (found by review): a write of SIZE_MAX / 2 + 9 bytes allocated its copy of
 * 2 * len bytes, 16 after the overflow, and copied the caller's buffer into it.  Lengths of
 * half the address space or more are refused before anything is allocated or read.
 */
static void test_huge_length(void)
{
	const size_t huge = SIZE_MAX / 2 + 9;
	uint8_t buf[16] = { 0 };
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_write_phys(f.vm, 0, buf, huge), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, 0, buf, huge), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_read_phys(f.vm, 0, buf, huge), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_read_memory(f.vm, NULL, 0, buf, huge), ==, -EINVAL);
	fx_fini_restored(&f);
}

static void test_write_past_ram(void)
{
	const uint64_t end = fx_addr(FX_SIZE);
	uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct fx f;

	fx_init(&f, "x86_64", 0x1f0003, 1);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, end - 2, 0, 0, NULL, NULL),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_write_phys(f.vm, end - 4, buf, sizeof(buf)), ==, -EFAULT);
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, end - 4, buf, sizeof(buf)), ==, -EFAULT);
	/* a write of several pages, the last one outside RAM */
	g_assert_cmpint(kvmdbg_vm_write_memory(f.vm, NULL, end - 3 * FX_PAGE, buf, sizeof(buf)), ==,
			0);
	memcpy(f.orig + FX_SIZE - 3 * FX_PAGE, buf, sizeof(buf));
	{
		static uint8_t big[3 * FX_PAGE + 1];

		memset(big, 0x5a, sizeof(big));
		g_assert_cmpint(
			kvmdbg_vm_write_memory(f.vm, NULL, end - 3 * FX_PAGE, big, sizeof(big)), ==,
			-EFAULT);
	}
	g_assert_cmphex(*fx_mem(&f, end - 2), ==, 0xcc);
	g_assert_cmpint(kvmdbg_vm_remove(f.vm, KVMDBG_POINT_SW_BREAK, end - 2), ==, 0);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	fx_fini(&f);
}

/* Guest RAM past the first page, through callbacks whose writes fail (a read-only mapping). */
static int read_rest(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct fx *f = user_data;

	if (gpa < FX_GPA || gpa - FX_GPA + len > FX_SIZE)
		return -EFAULT;
	memcpy(buf, f->mem + (gpa - FX_GPA), len);
	return 0;
}

static int write_refused(void *user_data, uint64_t gpa, const void *buf, size_t len)
{
	(void)user_data, (void)gpa, (void)buf, (void)len;
	return -EROFS;
}

/*
 * A breakpoint instruction across two pages whose second page cannot be written: the insert
 * fails and the first page keeps its bytes (it used to keep half an ebreak).
 */
static void test_split_insn_second_page_refused(void)
{
	const uint64_t a = fx_addr(FX_PAGE - 2);
	struct fx f;

	fx_init(&f, "riscv64", 0x1, 1);
	/* a 32-bit instruction at the site, so that riscv needs its 4-byte ebreak */
	f.mem[FX_PAGE - 2] = f.orig[FX_PAGE - 2] = 0x13;
	f.mem[FX_PAGE - 1] = f.orig[FX_PAGE - 1] = 0x00;
	g_assert_cmpint(kvmdbg_vm_remove_memory(f.vm, FX_GPA), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f.vm, FX_GPA, FX_PAGE, f.mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f.vm, read_rest, write_refused,
						 kvmdbg_translate_identity, &f),
			==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f.vm, KVMDBG_POINT_SW_BREAK, a, 0, 0, NULL, NULL), ==,
			-EROFS);
	g_assert_cmpmem(f.mem, FX_SIZE, f.orig, FX_SIZE);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f.vm), ==, 0);
	fx_fini(&f);
}

/* ------------------------------------------------------------------------------------------ */
/* Memory through the caller's callbacks */

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
	struct fx fix, *f = &fix;
	struct cb_mem *m = g_new0(struct cb_mem, 1);
	uint64_t p;
	const struct kvmdbg_event *ev;
	uint8_t copy[0x1000], img[72];

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	m->gpa = 0x200000;
	for (size_t i = 0; i < sizeof(m->buf); i++)
		m->buf[i] = (uint8_t)(i ^ 0x5a);
	m->buf[0x10] = 0x55;
	memcpy(copy, m->buf, sizeof(copy));

	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, cb_read, cb_write, cb_translate, m), ==,
			0);
	fx_attach(f, 0);
	fx_settle(f, 0);

	/* through the callbacks */
	fake_log_clear();
	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, base + 0x200010, 1, 0);
	assert_log_len(0);
	g_assert_cmpuint(m->writes, >=, 1);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	fx_x86_event(f, 0, 3, base + 0x200010, FX_DR6_NONE, ev,
		   KVMDBG_EVENT_SW_BREAKPOINT);
	g_assert_true(kvmdbg_event_get_point_id(ev) == p);
	x86_image(img, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, img);
	g_assert_cmphex(m->buf[0x10], ==, 0x55);
	fx_x86_resume(f, 0, 1, base + 0x200011, FX_DR6_STEP);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);

	/* the registered region first: the callbacks are not used for it */
	m->reads = m->writes = 0;
	fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, base + FX_GPA + 0x20, 1, 0);
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
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);

	fx_fini(f);
	g_free(m);
}

static void test_sw_write_fails(void)
{
	/* guest memory that refuses writes: -EFAULT, and the state is kept for a retry */
	const uint64_t base = 0xffff800000000000ull;
	const uint64_t s = base + 0x200010, s1 = base + 0x200020;
	struct fx fix, *f = &fix;
	struct cb_mem *m = g_new0(struct cb_mem, 1);
	uint64_t p, p1;
	const struct kvmdbg_event *ev;
	uint8_t img[72], step[72], copy[0x1000];

	fx_init_bare(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2);
	m->gpa = 0x200000;
	for (size_t i = 0; i < sizeof(m->buf); i++)
		m->buf[i] = (uint8_t)(i ^ 0x5a);
	memcpy(copy, m->buf, sizeof(copy));
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, cb_read, cb_write, cb_translate, m), ==,
			0);
	fx_attach(f, 0);
	fx_settle(f, 0);

	p = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s, 1, 0);
	p1 = fx_insert(f->vm, KVMDBG_POINT_SW_BREAK, s1, 1, KVMDBG_POINT_ONESHOT);
	x86_image(img, 0x00010001, 0, 0, 0, 0, 0);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* remove: -EFAULT, the point stays */
	m->fail_writes = true;
	g_assert_cmpint(kvmdbg_vm_remove(f->vm, KVMDBG_POINT_SW_BREAK, s), ==, -EFAULT);
	g_assert_true(fx_find(f->vm, KVMDBG_POINT_SW_BREAK, s) == p);
	g_assert_cmpint(kvmdbg_vm_get_point_count(f->vm), ==, 2);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);

	/* the step over it: -EFAULT, no kernel call, still pending */
	fx_x86_event(f, 0, 3, s, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[0]), ==, -EFAULT);
	assert_log_len(0);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	m->fail_writes = false;
	x86_image(step, 0x00010003, 0, 0, 0, 0, 0);
	fx_pre_run_applies_step(f->vcpu[0], FX_VCPU_FD, step);
	g_assert_cmphex(m->buf[0x10], ==, copy[0x10]);
	fx_x86_resume(f, 0, 1, s + 1, FX_DR6_STEP);
	g_assert_cmphex(m->buf[0x10], ==, 0xcc);
	fx_pre_run_applies(f->vcpu[0], FX_VCPU_FD, img);

	/* re-arming a one-shot: -EFAULT, still disarmed; then it works */
	fx_x86_event(f, 0, 3, s1, FX_DR6_NONE, ev, KVMDBG_EVENT_SW_BREAKPOINT);
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
	fx_fini(f);
	g_free(m);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);

	g_test_add_func("/kvmdbg/unit/memory/masked-read-write", test_masked_read_write);
	g_test_add_func("/kvmdbg/unit/memory/cross-page", test_cross_page);
	g_test_add_func("/kvmdbg/unit/memory/bad-input", test_access_bad_input);

	g_test_add_func("/kvmdbg/unit/memory/translate-vcpu/walk", test_translate_vcpu_walk);
	g_test_add_func("/kvmdbg/unit/memory/translate-vcpu/kvm", test_translate_vcpu_kvm);
	g_test_add_func("/kvmdbg/unit/memory/translate-kernel", test_sw_translate_kernel);
	g_test_add_func("/kvmdbg/unit/memory/no-default-translation-without-walker",
			test_no_default_translation_without_walker);

	g_test_add_func("/kvmdbg/unit/memory/remove-memory", test_remove_memory);
	fx_test_add("/kvmdbg/unit/memory/add-bad", fx_setup_baseline, test_add_memory_bad);
	g_test_add_func("/kvmdbg/unit/memory/alias-refused", test_alias_refused);

	g_test_add_func("/kvmdbg/unit/memory/callbacks", test_sw_memory_callbacks);
	g_test_add_func("/kvmdbg/unit/memory/write-fails", test_sw_write_fails);

	g_test_add_func("/kvmdbg/unit/memory/write-past-ram-writes-nothing", test_write_past_ram);
	g_test_add_func("/kvmdbg/unit/memory/huge-length", test_huge_length);
	g_test_add_func("/kvmdbg/unit/memory/split-insn-second-page-refused",
			test_split_insn_second_page_refused);
	return g_test_run();
}
