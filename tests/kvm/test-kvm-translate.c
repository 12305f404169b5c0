/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kvm suite: the default address translation, the library's page walk over the registers of a
 * real vCPU, against what the CPU does and what KVM_TRANSLATE says.
 *
 * The guest's long-mode tables (guest.c) get one more level here: linear XL_VA .. XL_VA + 64 KiB
 * is mapped by a page table of 4 KiB pages in reverse order (page i at XL_PA + (15 - i) * 4 KiB),
 * so no virtual page is at its own physical address, nor at its neighbour's.  The new entries
 * have their Accessed bits clear: a translation that set them would show.  A program copied to
 * the physical page behind XL_CODE_VA and run there proves the walk matches the CPU: a write
 * through the walk changes what the vCPU executes, and breakpoints placed through it fire at
 * the virtual pc.
 */
#include <stdio.h>
#include <sys/ioctl.h>

#include "kvmtest.h"

#define INT3 0xcc

/* The 4 KiB page table behind XL_VA (guest-physical), and the pages it maps. */
#define XL_PT 0x10000ull
#define XL_PA 0x20000ull
#define XL_PAGES 16
#define XL_VA (GUEST_ALIAS_VA + 0x200000ull) /* PD_ALIAS[1] */
#define XL_CODE_VA (XL_VA + 0x1000ull)	      /* -> XL_PA + 14 * 4 KiB */
/* A second PML4 that maps the identity only (as a user CR3 under KPTI lacks the kernel) */
#define XL_PML4_B 0x11000ull
#define XL_PDPT_B 0x12000ull

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_A 0x20ull

static uint64_t xl_pa(unsigned int page)
{
	return XL_PA + (uint64_t)(XL_PAGES - 1 - page) * 0x1000;
}

static void put64_in(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static void put64(struct kc_test *t, uint64_t gpa, uint64_t v)
{
	put64_in(t->g.mem, gpa, v);
}

/* The extra tables, Accessed bits clear. */
static void build_tables(struct kc_test *t)
{
	put64(t, GUEST_PD_ALIAS + 8, XL_PT | PTE_P | PTE_RW);
	for (unsigned int i = 0; i < XL_PAGES; i++)
		put64(t, XL_PT + 8 * i, xl_pa(i) | PTE_P | PTE_RW);
	put64(t, XL_PML4_B, XL_PDPT_B | PTE_P | PTE_RW | PTE_A);
	put64(t, XL_PDPT_B, GUEST_PD | PTE_P | PTE_RW | PTE_A);
}

static uint64_t code_va(const struct guest_prog *prog, unsigned int label)
{
	return XL_CODE_VA + prog->offs[label];
}

static uint64_t code_pa(const struct guest_prog *prog, unsigned int label)
{
	return xl_pa(1) + prog->offs[label];
}

/* The long-mode bp program at XL_CODE_VA, vCPU 0 about to run its first instruction. */
static void start_at_va(struct kc_test *t, const struct guest_prog *prog)
{
	build_tables(t);
	memcpy(t->g.mem + xl_pa(1), prog->start, guest_prog_size(prog));
	g_assert_cmpint(guest_enter(&t->g, 0, GUEST_LONG64, code_va(prog, BP_START)), ==, 0);
}

/* KVM_TRANSLATE straight from the kernel: 0 and *gpa, -EFAULT when not valid, or -errno. */
static int kvm_translate(struct kc_test *t, unsigned int i, uint64_t va, uint64_t *gpa)
{
	struct kvm_translation tr = { .linear_address = va };

	if (ioctl(t->g.vcpus[i].fd, KVM_TRANSLATE, &tr) < 0)
		return -errno;
	if (!tr.valid)
		return -EFAULT;
	*gpa = tr.physical_address;
	return 0;
}

/* The addresses compared, with what the tables say. */
static const struct {
	uint64_t va;
	int ret;
	uint64_t pa;
} cases[] = {
	{ GUEST_CODE + 0x12, 0, GUEST_CODE + 0x12 },		/* identity, 2 MiB */
	{ 0x3ffff8, 0, 0x3ffff8 },				/* identity, second 2 MiB page */
	{ GUEST_ALIAS_VA + 0x1234, 0, GUEST_ALIAS_GPA + 0x1234 }, /* the 2 MiB alias */
	{ XL_VA, 0, XL_PA + 15 * 0x1000 },			/* 4 KiB, reversed */
	{ XL_VA + 0x1fff, 0, XL_PA + 14 * 0x1000 + 0xfff },
	{ XL_VA + 0xf800, 0, XL_PA + 0x800 },
	{ XL_VA + 0x10000, -EFAULT, 0 }, /* past the page table's entries */
	{ GUEST_UNMAPPED_VA, -EFAULT, 0 },
	{ 0x0000800000000000ull, -EFAULT, 0 }, /* not canonical, and PML4[256] is empty */
	{ 0xffff800000000000ull, -EFAULT, 0 }, /* PML4[256] */
};

/*
 * The walk and KVM_TRANSLATE agree on every address, and only the walk leaves the tables as
 * they were.
 */
static void test_walk_vs_kvm(struct kc_test *t, const void *data)
{
	g_autofree uint8_t *snap = NULL;
	enum kvmdbg_translation how;
	unsigned int changed = 0;

	KC_REQUIRE(t);
	kt_start(t, 0, &prog_bp[GUEST_LONG64], BP_START);
	build_tables(t);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);

	g_assert_cmpint(kvmdbg_vm_get_default_translation(t->vm, &how), ==, 0);
	g_assert_cmpint(how, ==, KVMDBG_TRANSLATION_WALK);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint64_t gpa = ~0ull;

		g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, cases[i].va, &gpa), ==,
				cases[i].ret);
		if (!cases[i].ret)
			g_assert_cmphex(gpa, ==, cases[i].pa);
		else
			g_assert_cmphex(gpa, ==, ~0ull);
	}
	/* not one byte changed: no Accessed bit set */
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);

	/* the kernel's answers, straight and through the library */
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint64_t gpa = ~0ull;

		g_assert_cmpint(kvm_translate(t, 0, cases[i].va, &gpa), ==, cases[i].ret);
		if (!cases[i].ret)
			g_assert_cmphex(gpa, ==, cases[i].pa);
	}
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t->vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint64_t gpa = ~0ull;

		g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, cases[i].va, &gpa), ==,
				cases[i].ret);
		if (!cases[i].ret)
			g_assert_cmphex(gpa, ==, cases[i].pa);
	}
	/*
	 * The kernel's walk set the Accessed bit of every entry it passed that lacked one: the
	 * PD entry of XL_VA and the PT entries of the three pages translated, nothing else
	 * (FNAME(update_accessed_dirty_bits), arch/x86/kvm/mmu/paging_tmpl.h).
	 */
	for (uint64_t a = 0; a < GUEST_MEM_SIZE; a += 8)
		if (memcmp(t->g.mem + a, snap + a, 8))
			changed++;
	g_test_message("KVM_TRANSLATE changed %u page-table entries", changed);
	put64_in(snap, GUEST_PD_ALIAS + 8, XL_PT | PTE_P | PTE_RW | PTE_A);
	for (unsigned int page = 0; page < XL_PAGES; page += 15)
		put64_in(snap, XL_PT + 8 * page, xl_pa(page) | PTE_P | PTE_RW | PTE_A);
	put64_in(snap, XL_PT + 8, xl_pa(1) | PTE_P | PTE_RW | PTE_A);
	kc_assert_mem(t, 0, snap, GUEST_MEM_SIZE);

	/*
	 * Not canonical, yet bits 47:0 mapped: the CPU faults (#GP) and so does the walk;
	 * KVM_TRANSLATE walks bits 47:0 without looking at the rest
	 * (kvm_arch_vcpu_ioctl_translate() checks nothing before the MMU's gva_to_gpa).
	 */
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t->vm, KVMDBG_TRANSLATION_WALK), ==, 0);
	{
		uint64_t gpa = ~0ull;

		g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, 0xffff000000008000ull, &gpa), ==,
				-EFAULT);
		g_assert_cmpint(kvm_translate(t, 0, 0xffff000000008000ull, &gpa), ==, 0);
		g_assert_cmphex(gpa, ==, 0x8000);
	}
}

/*
 * The translation is the translating vCPU's: with vCPU 1 on a PML4 that maps the identity only,
 * the alias translates through vCPU 0 and not through vCPU 1, by the walk as by KVM_TRANSLATE.
 */
static void test_per_vcpu(struct kc_test *t, const void *data)
{
	const uint64_t va = XL_VA + 0x1234;
	struct kvm_sregs sregs;
	uint64_t gpa = ~0ull;

	KC_REQUIRE(t);
	kt_start(t, 0, &prog_bp[GUEST_LONG64], BP_START);
	build_tables(t);
	g_assert_cmpint(guest_enter(&t->g, 1, GUEST_LONG64, GUEST_CODE), ==, 0);
	g_assert_cmpint(ioctl(t->g.vcpus[1].fd, KVM_GET_SREGS, &sregs), ==, 0);
	sregs.cr3 = XL_PML4_B;
	g_assert_cmpint(ioctl(t->g.vcpus[1].fd, KVM_SET_SREGS, &sregs), ==, 0);

	for (int k = 0; k < 2; k++) {
		enum kvmdbg_translation how = k ? KVMDBG_TRANSLATION_KVM : KVMDBG_TRANSLATION_WALK;

		g_test_message("%s", k ? "KVM_TRANSLATE" : "walk");
		g_assert_cmpint(kvmdbg_vm_set_default_translation(t->vm, how), ==, 0);
		g_assert_cmpint(kvmdbg_vm_translate(t->vm, t->vcpu[0], va, &gpa), ==, 0);
		g_assert_cmphex(gpa, ==, xl_pa(1) + 0x234);
		g_assert_cmpint(kvmdbg_vm_translate(t->vm, t->vcpu[1], va, &gpa), ==, -EFAULT);
		g_assert_cmpint(kvmdbg_vm_translate(t->vm, t->vcpu[1], GUEST_CODE, &gpa), ==, 0);
		g_assert_cmphex(gpa, ==, GUEST_CODE);
		/* the VM-wide calls follow the chosen vCPU */
		g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(t->vm, t->vcpu[1]), ==, 0);
		g_assert_cmpint(
			kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, va, 1, 0, NULL, NULL), ==,
			-EFAULT);
		g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(t->vm, t->vcpu[0]), ==, 0);
		g_assert_cmpint(
			kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, va, 1, 0, NULL, NULL), ==,
			0);
		g_assert_cmphex(t->g.mem[xl_pa(1) + 0x234], ==, INT3);
		g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, va), ==, 0);
		g_assert_cmpint(kvmdbg_vm_set_translate_vcpu(t->vm, NULL), ==, 0);
	}
}

/*
 * A write through the walk lands where the vCPU fetches: the inner loop's count (the immediate
 * of "mov $5, %ecx" at BP_OUTER) becomes 7, read back through the walk too, and the guest ends
 * with eax = BP_PASSES * 7.
 */
static void test_write_at_virtual(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const uint8_t want[5] = { 0xb9, BP_INNER_COUNT, 0, 0, 0 }; /* mov $5, %ecx */
	const uint32_t count = 7;
	uint8_t insn[5];

	KC_REQUIRE(t);
	start_at_va(t, prog);
	g_assert_cmpint(kvmdbg_vm_read_memory(t->vm, NULL, code_va(prog, BP_OUTER), insn, 5), ==,
			0);
	g_assert_cmpmem(insn, 5, want, 5);
	g_assert_cmpint(kvmdbg_vm_write_memory(t->vm, NULL, code_va(prog, BP_OUTER) + 1, &count,
					       4),
			==, 0);
	g_assert_cmpmem(t->g.mem + code_pa(prog, BP_OUTER) + 1, 4, &count, 4);
	/* the identity page at the same offset is not it */
	g_assert_cmpint(memcmp(t->g.mem + xl_pa(0) + prog->offs[BP_OUTER] + 1, &count, 4), !=, 0);

	for (int pass = 0; pass < BP_PASSES; pass++)
		kt_expect_out(t, 0, GUEST_PORT_PASS);
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * count);
	/* the pc is virtual too: at the out or past it, as the kernel completes it or not */
	(void)kt_out_completed(t, 0, code_va(prog, BP_DONE), code_va(prog, BP_DONE) + 2);
}

/* A hardware breakpoint at the virtual pc (x86 takes linear addresses: no translation). */
static void test_hw_at_virtual(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	const struct kvmdbg_event *ev;
	uint64_t p;

	KC_REQUIRE(t);
	if (!kt_require_hw_breakpoints())
		return;
	start_at_va(t, prog);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_HW_BREAK, code_va(prog, BP_INNER2), 1,
					 0, NULL, &p), ==, 0);
	ev = kc_expect_event(t, 0, KVMDBG_EVENT_HW_BREAKPOINT, code_va(prog, BP_INNER2));
	g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, p);
	g_assert_cmphex(kt_regs(t, 0).rax, ==, 1);
}

static bool require_sw_breakpoints(void)
{
	const char *why;

	if (kt_probe_sw_breakpoints(&why) == 1)
		return true;
	g_test_skip_printf("the kernel does not deliver software breakpoints: %s", why);
	return false;
}

/*
 * A software breakpoint at the virtual pc, inserted with no translate callback: the int3 goes
 * to the physical page the walk found (checked byte for byte), and the vCPU stops there at the
 * virtual pc, every pass; removed, the program runs to its end with its own bytes.
 */
static void test_sw_at_virtual(struct kc_test *t, const void *data)
{
	const struct guest_prog *prog = &prog_bp[GUEST_LONG64];
	g_autofree uint8_t *expect = NULL, *snap = NULL;
	const struct kvmdbg_event *ev;
	uint64_t p;

	KC_REQUIRE(t);
	start_at_va(t, prog);
	snap = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	expect = kc_memdup(t->g.mem, GUEST_MEM_SIZE);
	g_assert_cmpint(kvmdbg_vm_insert(t->vm, KVMDBG_POINT_SW_BREAK, code_va(prog, BP_PASS), 1, 0,
					 NULL, &p), ==, 0);
	expect[code_pa(prog, BP_PASS)] = INT3;
	kc_assert_mem(t, 0, expect, GUEST_MEM_SIZE);
	if (!require_sw_breakpoints())
		return;

	for (int pass = 0; pass < BP_PASSES; pass++) {
		ev = kc_expect_event(t, 0, KVMDBG_EVENT_SW_BREAKPOINT, code_va(prog, BP_PASS));
		g_assert_cmpuint(kvmdbg_event_get_point_id(ev), ==, p);
		kt_expect_out(t, 0, GUEST_PORT_PASS);
	}
	kt_expect_out(t, 0, GUEST_PORT_DONE);
	g_assert_cmpuint(kc_point(t->vm, p).hits, ==, BP_PASSES);
	g_assert_cmphex(kt_regs(t, 0).rax & 0xffffffff, ==, BP_PASSES * BP_INNER_COUNT);
	g_assert_cmpint(kvmdbg_vm_remove(t->vm, KVMDBG_POINT_SW_BREAK, code_va(prog, BP_PASS)), ==,
			0);
	g_assert_cmpmem(t->g.mem + xl_pa(1), guest_prog_size(prog), prog->start,
			guest_prog_size(prog));
}

/* Medians of n samples of fn(arg), in ns. */
static uint64_t median_ns(void (*fn)(struct kc_test *t, uint64_t arg), struct kc_test *t,
			  uint64_t arg, unsigned int n)
{
	g_autofree uint64_t *s = g_new(uint64_t, n);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t t0 = kc_now_ns();

		fn(t, arg);
		s[i] = kc_now_ns() - t0;
	}
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			uint64_t x = s[j];

			s[j] = s[j - 1];
			s[j - 1] = x;
		}
	return s[n / 2];
}

static void one_translate(struct kc_test *t, uint64_t va)
{
	uint64_t gpa;

	g_assert_cmpint(kvmdbg_vm_translate(t->vm, NULL, va, &gpa), ==, 0);
}

/* kvmdbg_vm_read_memory() of arg pages from XL_VA: one register read, arg walks. */
static void read_pages(struct kc_test *t, uint64_t pages)
{
	static uint8_t buf[XL_PAGES * 0x1000];

	g_assert_cmpint(kvmdbg_vm_read_memory(t->vm, NULL, XL_VA, buf, pages * 0x1000), ==, 0);
}

static void raw_sregs(struct kc_test *t, uint64_t two)
{
	struct kvm_sregs2 s2;
	struct kvm_sregs s;

	if (two)
		g_assert_cmpint(ioctl(t->g.vcpus[0].fd, KVM_GET_SREGS2, &s2), ==, 0);
	else
		g_assert_cmpint(ioctl(t->g.vcpus[0].fd, KVM_GET_SREGS, &s), ==, 0);
}

static void raw_cpuid(struct kc_test *t, uint64_t arg)
{
	static struct {
		struct kvm_cpuid2 c;
		struct kvm_cpuid_entry2 e[256];
	} buf;

	(void)arg;
	buf.c.nent = 256;
	g_assert_cmpint(ioctl(t->g.vcpus[0].fd, KVM_GET_CPUID2, &buf), ==, 0);
}

/*
 * What a translation costs on this host (medians, reported): the walk per call (the register
 * reads) and per address, KVM_TRANSLATE per address.  The answers are asserted, not the times.
 */
static void test_cost(struct kc_test *t, const void *data)
{
	const unsigned int n = 2000;
	uint64_t walk, walk1, walk16, kvm, kvm16, sregs, cpuid;
	bool has_sregs2;

	KC_REQUIRE(t);
	kt_start(t, 0, &prog_bp[GUEST_LONG64], BP_START);
	build_tables(t);
	has_sregs2 = ioctl(t->g.vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SREGS2) > 0;

	walk = median_ns(one_translate, t, XL_VA + 0x10, n);
	walk1 = median_ns(read_pages, t, 1, n);
	walk16 = median_ns(read_pages, t, 16, n);
	sregs = median_ns(raw_sregs, t, has_sregs2, n);
	cpuid = median_ns(raw_cpuid, t, 0, n);
	g_assert_cmpint(kvmdbg_vm_set_default_translation(t->vm, KVMDBG_TRANSLATION_KVM), ==, 0);
	kvm = median_ns(one_translate, t, XL_VA + 0x10, n);
	kvm16 = median_ns(read_pages, t, 16, n);
	g_test_message("walk: kvmdbg_vm_translate() %" PRIu64 " ns (%s %" PRIu64
		       " ns + KVM_GET_CPUID2 %" PRIu64 " ns of it); kvmdbg_vm_read_memory() "
		       "of 1 page %" PRIu64 " ns, of 16 pages %" PRIu64 " ns: %" PRIu64
		       " ns per further page",
		       walk, has_sregs2 ? "KVM_GET_SREGS2" : "KVM_GET_SREGS", sregs, cpuid, walk1,
		       walk16, (walk16 - walk1) / 15);
	g_test_message("KVM_TRANSLATE: kvmdbg_vm_translate() %" PRIu64
		       " ns; kvmdbg_vm_read_memory() of 16 pages %" PRIu64 " ns",
		       kvm, kvm16);
}

int main(int argc, char **argv)
{
	kt_init(&argc, &argv);

	g_test_add("/kvmdbg/kvm/translate/walk-vs-kvm", struct kc_test, NULL, kc_setup1,
		   test_walk_vs_kvm, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/per-vcpu", struct kc_test, NULL, kc_setup2,
		   test_per_vcpu, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/write-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_write_at_virtual, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/hw-bp-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_hw_at_virtual, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/sw-bp-at-virtual", struct kc_test, NULL, kc_setup1,
		   test_sw_at_virtual, kc_teardown);
	g_test_add("/kvmdbg/kvm/translate/cost", struct kc_test, NULL, kc_setup1, test_cost,
		   kc_teardown);
	return g_test_run();
}
