// SPDX-License-Identifier: LGPL-2.1-or-later
/* The unit tier's shared fixture (see fixture.h). */
#include <errno.h>
#include <string.h>

#include "fixture.h"

#define RUN_BYTES 2368 /* the largest struct kvm_run (s390); fake_run_new() gives 4096 */

static int translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva;
	return 0;
}

void fx_init_bare(struct fx *f, const char *arch, int debug2)
{
	memset(f, 0, sizeof(*f));
	fake_kernel_reset();
	f->arch = arch_by_name(arch);
	g_assert_nonnull(f->arch);
	fake_set_arch(f->arch, debug2);
	/* what the vm tier's machines report: QEMU's arm64 "max" CPU, Book3S PR */
	fake_set_cap(FX_CAP_HW_BPS, 6);
	fake_set_cap(FX_CAP_HW_WPS, 4);
	fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 1);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0x00dddd00, 0);
	f->mem = g_malloc(FX_SIZE);
	for (size_t i = 0; i < FX_SIZE; i++)
		f->mem[i] = (uint8_t)(i * 37 + 11);
	f->orig = g_memdup2(f->mem, FX_SIZE);
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++)
		f->run[i] = fake_run_new();
}

void fx_vm(struct fx *f, unsigned int nr_vcpus)
{
	g_assert_cmpuint(nr_vcpus, <=, FX_MAX_VCPUS);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, translate_identity, NULL), ==,
			0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		g_assert_cmpint(kvmdbg_vcpu_new(f->vm, FX_VCPU_FD + (int)i, f->run[i],
						&f->vcpu[i]), ==, 0);
}

void fx_init(struct fx *f, const char *arch, int debug2, unsigned int nr_vcpus)
{
	fx_init_bare(f, arch, debug2);
	fx_vm(f, nr_vcpus);
}

void fx_fini(struct fx *f)
{
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++)
		kvmdbg_vcpu_free(f->vcpu[i]);
	kvmdbg_vm_free(f->vm);
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->orig);
	memset(f, 0, sizeof(*f));
}

int fx_exit(struct fx *f, unsigned int i, const struct kvmdbg_event **ev)
{
	*ev = NULL;
	return kvmdbg_vcpu_handle_exit(f->vcpu[i], 0, ev);
}

static void put(uint8_t *p, uint64_t v, int n, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

void fx_garbage(struct kvm_run *run)
{
	uint8_t *b = (uint8_t *)run;

	/* request_interrupt_window, immediate_exit and padding (0..7) are the caller's */
	for (size_t i = 8; i < RUN_BYTES; i++)
		b[i] = (uint8_t)(0xa5 ^ (i * 29));
}

void fx_exit_reason(struct kvm_run *run, uint32_t reason, bool be)
{
	put((uint8_t *)run + 8, reason, 4, be);
}

static void x86_debug(struct kvm_run *run, uint32_t exception, uint64_t pc)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, false);
	put(b + 32, exception, 4, false);
	put(b + 40, pc, 8, false);
}

void fx_x86_db(struct kvm_run *run, uint64_t pc, uint64_t dr6)
{
	uint8_t *b = (uint8_t *)run;

	x86_debug(run, 1, pc);
	put(b + 48, dr6, 8, false);
	/* dr7: 0 on this host (host-kvm.md), the guest's DR7 on VMX/SVM; the library keeps its own */
	put(b + 56, 0, 8, false);
}

void fx_x86_bp(struct kvm_run *run, uint64_t pc)
{
	x86_debug(run, 3, pc);
}

void fx_arm64(struct kvm_run *run, uint32_t hsr, uint64_t far)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, false);
	put(b + 14, 0, 2, false); /* flags: hsr_high not valid */
	put(b + 32, hsr, 4, false);
	if (hsr >> 26 == 0x34)
		put(b + 40, far, 8, false);
}

void fx_ppc(struct kvm_run *run, bool be, bool has_address, uint64_t address, bool has_status,
	    uint32_t status)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, be);
	if (has_address)
		put(b + 32, address, 8, be);
	if (has_status)
		put(b + 40, status, 4, be);
}

void fx_s390_debug(struct kvm_run *run, uint64_t psw, uint64_t addr, uint8_t type)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, true);
	put(b + 40, psw, 8, true);
	put(b + 48, addr, 8, true);
	b[56] = type;
}

void fx_s390_sieic(struct kvm_run *run, uint64_t psw, uint8_t icpt, uint16_t ipa, uint32_t ipb)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 13, true);
	put(b + 40, psw, 8, true);
	b[48] = icpt;
	put(b + 50, ipa, 2, true);
	put(b + 52, ipb, 4, true);
}

void fx_riscv(struct kvm_run *run)
{
	fx_garbage(run);
	fx_exit_reason(run, 4, false);
}

struct fx_point fx_point(struct kvmdbg_vm *vm, uint64_t id)
{
	struct kvmdbg_point *p = NULL;
	struct fx_point r;

	g_assert_cmpint(kvmdbg_vm_get_point(vm, id, &p), ==, 0);
	r = (struct fx_point){
		.id = kvmdbg_point_get_id(p),
		.addr = kvmdbg_point_get_addr(p),
		.len = kvmdbg_point_get_len(p),
		.hits = kvmdbg_point_get_hit_count(p),
		.type = kvmdbg_point_get_type(p),
		.flags = kvmdbg_point_get_flags(p),
		.user_data = kvmdbg_point_get_user_data(p),
		.vcpu = kvmdbg_point_get_vcpu(p),
		.armed = kvmdbg_point_is_armed(p),
	};
	g_assert_cmpuint(r.id, ==, id);
	kvmdbg_point_free(p);
	return r;
}

bool fx_point_armed(struct kvmdbg_vm *vm, uint64_t id)
{
	return fx_point(vm, id).armed;
}

uint64_t fx_point_hits(struct kvmdbg_vm *vm, uint64_t id)
{
	return fx_point(vm, id).hits;
}

uint64_t fx_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr)
{
	uint64_t id = 0;
	int ret = kvmdbg_vm_find(vm, type, addr, &id);

	if (ret == -ENOENT)
		return 0;
	g_assert_cmpint(ret, ==, 0);
	g_assert_cmpuint(id, !=, 0);
	return id;
}
