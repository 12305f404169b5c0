// SPDX-License-Identifier: LGPL-2.1-or-later
/* The unit tier's shared fixture (see fixture.h). */
#include <errno.h>
#include <string.h>

#include "fixture.h"

#define RUN_BYTES 2368 /* the largest struct kvm_run (s390); fake_run_new() gives 4096 */

const int fx_no_event_storage;
const uint8_t fx_x86_off[72];

int fx_translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	(void)user_data;
	*ret_gpa = gva;
	return 0;
}

int fx_translate_reversed(void *user_data, uint64_t gva, uint64_t *ret_gpa)
{
	uint64_t off = gva - FX_GPA;

	(void)user_data;
	if (off >= FX_SIZE)
		return -EFAULT;
	*ret_gpa = FX_GPA + (FX_SIZE / FX_PAGE - 1 - off / FX_PAGE) * FX_PAGE + off % FX_PAGE;
	return 0;
}

int fx_read_mem(void *user_data, uint64_t gpa, void *buf, size_t len)
{
	struct fx *f = user_data;

	g_assert_cmpuint(gpa - FX_GPA + len, <=, FX_SIZE);
	memcpy(buf, fx_mem(f, gpa), len);
	return 0;
}

int fx_write_mem(void *user_data, uint64_t gpa, const void *buf, size_t len)
{
	struct fx *f = user_data;

	if (f->fail_writes) {
		if (f->fail_writes != FX_ALWAYS)
			f->fail_writes--;
		return f->write_err;
	}
	g_assert_cmpuint(gpa - FX_GPA + len, <=, FX_SIZE);
	memcpy(fx_mem(f, gpa), buf, len);
	return 0;
}

void fx_fail_writes(struct fx *f, int err, unsigned int count)
{
	g_assert_cmpint(err, <, 0);
	f->write_err = err;
	f->fail_writes = count;
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
	f->expected_mem = g_malloc(FX_SIZE);
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++)
		f->run[i] = fake_run_new();
}

void fx_init_plain(struct fx *f, const char *arch, int debug2)
{
	fx_init_bare(f, arch, debug2);
	fake_set_cap(FX_CAP_HW_BPS, 0);
	fake_set_cap(FX_CAP_HW_WPS, 0);
	fake_set_cap(FX_CAP_PPC_GUEST_DEBUG_SSTEP, 0);
	fake_set_one_reg(FX_REG_PPC_DEBUG_INST, 0, -ENOENT);
}

void fx_attach(struct fx *f, unsigned int i)
{
	g_assert_cmpuint(i, <, FX_MAX_VCPUS);
	g_assert_null(f->vcpu[i]);
	g_assert_cmpint(kvmdbg_vcpu_new(f->vm, FX_VCPU_FD + (int)i, f->run[i], &f->vcpu[i]), ==,
			0);
	g_assert_nonnull(f->vcpu[i]);
	g_assert_true(kvmdbg_vcpu_get_vm(f->vcpu[i]) == f->vm);
}

void fx_vm(struct fx *f, unsigned int nr_vcpus)
{
	g_assert_cmpuint(nr_vcpus, <=, FX_MAX_VCPUS);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_add_memory(f->vm, FX_GPA, FX_SIZE, f->mem), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, NULL, NULL, fx_translate_identity, NULL),
			==, 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		fx_attach(f, i);
}

void fx_vm_callbacks(struct fx *f, unsigned int nr_vcpus)
{
	g_assert_cmpuint(nr_vcpus, <=, FX_MAX_VCPUS);
	g_assert_cmpint(kvmdbg_vm_new(FX_VM_FD, &f->vm), ==, 0);
	g_assert_cmpint(kvmdbg_vm_set_memory_ops(f->vm, fx_read_mem, fx_write_mem,
						 fx_translate_identity, f), ==, 0);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		fx_attach(f, i);
}

void fx_init(struct fx *f, const char *arch, int debug2, unsigned int nr_vcpus)
{
	fx_init_bare(f, arch, debug2);
	fx_vm(f, nr_vcpus);
}

void fx_free_vm(struct fx *f)
{
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++) {
		kvmdbg_vcpu_free(f->vcpu[i]);
		f->vcpu[i] = NULL;
	}
	kvmdbg_vm_free(f->vm);
	f->vm = NULL;
}

void fx_fini(struct fx *f)
{
	fx_free_vm(f);
	for (unsigned int i = 0; i < FX_MAX_VCPUS; i++)
		g_free(f->run[i]);
	g_free(f->mem);
	g_free(f->orig);
	g_free(f->expected_mem);
	memset(f, 0, sizeof(*f));
}

void fx_fini_restored(struct fx *f)
{
	fx_free_vm(f);
	g_assert_cmpmem(f->mem, FX_SIZE, f->orig, FX_SIZE);
	fx_fini(f);
}

void fx_settle_vcpu(struct kvmdbg_vcpu *vcpu, int fd)
{
	int ret;

	fake_log_clear();
	ret = kvmdbg_vcpu_pre_run(vcpu);
	g_assert_cmpint(ret, >=, 0);
	g_assert_cmpint(ret, <=, 1);
	assert_log_len((size_t)ret);
	if (ret == 1)
		assert_gd(0, fd, fx_x86_off);
	fake_log_clear();
}

void fx_settle(struct fx *f, unsigned int i)
{
	fx_settle_vcpu(f->vcpu[i], FX_VCPU_FD + (int)i);
}

void fx_setup_x86(struct fx *f, gconstpointer data)
{
	(void)data;
	fx_init(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2, 1);
	fx_settle(f, 0);
}

void fx_setup_baseline(struct fx *f, gconstpointer data)
{
	(void)data;
	fx_init(f, "x86_64", FAKE_DEFAULT_GUEST_DEBUG2, 2);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_SW_BREAK, FX_BASE_SW, 1, 0, NULL,
					 NULL), ==, 0);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, KVMDBG_POINT_HW_BREAK, FX_BASE_HW, 1, 0, NULL,
					 NULL), ==, 0);
	for (unsigned int i = 0; i < 2; i++)
		g_assert_cmpint(kvmdbg_vcpu_pre_run(f->vcpu[i]), ==, 1);
	fx_mark(f);
}

void fx_teardown(struct fx *f, gconstpointer data)
{
	(void)data;
	fx_fini(f);
}

void fx_refuse_insert(struct fx *f, int type, uint64_t addr, uint64_t len, unsigned int flags,
		      int err)
{
	uint64_t p = FX_NO_POINT;

	g_test_message("insert type %d addr 0x%" G_GINT64_MODIFIER "x len %" G_GUINT64_FORMAT
		       " flags 0x%x: expect %d",
		       type, addr, len, flags, err);
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)type, addr, len, flags,
					 NULL, &p), ==, err);
	g_assert_true(p == FX_NO_POINT);
	g_assert_cmpint(kvmdbg_vcpu_insert(f->vcpu[0], (enum kvmdbg_point_type)type, addr, len,
					   flags, NULL, &p), ==, err);
	g_assert_true(p == FX_NO_POINT);
	/* without ret_point too */
	g_assert_cmpint(kvmdbg_vm_insert(f->vm, (enum kvmdbg_point_type)type, addr, len, flags,
					 NULL, NULL), ==, err);
}

void fx_mark(struct fx *f)
{
	memcpy(f->expected_mem, f->mem, FX_SIZE);
	f->expected_count = kvmdbg_vm_get_point_count(f->vm);
	fake_log_clear();
}

uint64_t fx_insert(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
		   uint64_t len, unsigned int flags)
{
	uint64_t p = 0;

	g_assert_cmpint(kvmdbg_vm_insert(vm, type, addr, len, flags, NULL, &p), ==, 0);
	g_assert_cmpuint(p, !=, 0);
	return p;
}

uint64_t fx_vinsert(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr,
		    uint64_t len, unsigned int flags)
{
	uint64_t p = 0;

	g_assert_cmpint(kvmdbg_vcpu_insert(vcpu, type, addr, len, flags, NULL, &p), ==, 0);
	g_assert_cmpuint(p, !=, 0);
	return p;
}

struct fake_call fx_pre_run_one(struct kvmdbg_vcpu *vcpu, int fd, size_t size)
{
	struct fake_call c;

	fake_log_clear();
	g_assert_cmpint(kvmdbg_vcpu_pre_run(vcpu), ==, 1);
	assert_log_len(1);
	c = fake_log_get(0);
	g_assert_cmpint(c.kind, ==, FAKE_SET_GUEST_DEBUG);
	g_assert_cmpint(c.fd, ==, fd);
	g_assert_cmpuint(c.size, ==, size);
	g_assert_cmpint(c.ret, ==, 0);
	fake_log_clear();
	return c;
}

void fx_assert_features(struct kvmdbg_vm *vm, const int expected[10])
{
	for (int i = 1; i <= 9; i++) {
		g_test_message("feature %d", i);
		g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)i), ==, expected[i]);
	}
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)0), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)10), ==, -EINVAL);
	g_assert_cmpint(kvmdbg_vm_has_feature(vm, (enum kvmdbg_feature)-1), ==, -EINVAL);
}

int fx_exit(struct fx *f, unsigned int i, const struct kvmdbg_event **ev)
{
	*ev = FX_NO_EVENT;
	return kvmdbg_vcpu_handle_exit(f->vcpu[i], 0, ev);
}

int fx_x86_exit(struct fx *f, unsigned int i, uint32_t exception, uint64_t pc, uint64_t dr6,
		const struct kvmdbg_event **ev)
{
	size_t calls = fake_log_len();
	int ret;

	if (exception == 3)
		fx_x86_bp(f->run[i], pc);
	else
		fx_x86_db(f->run[i], pc, dr6);
	ret = fx_exit(f, i, ev);
	assert_log_len(calls);
	return ret;
}

void fx_assert_raw(const struct kvmdbg_event *ev, uint32_t exception, uint64_t status)
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

void fx_put(uint8_t *p, uint64_t v, int n, bool be)
{
	for (int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

uint64_t fx_get(const uint8_t *p, int n, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
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
	fx_put((uint8_t *)run + 8, reason, 4, be);
}

static void x86_debug(struct kvm_run *run, uint32_t exception, uint64_t pc)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, false);
	fx_put(b + 32, exception, 4, false);
	fx_put(b + 40, pc, 8, false);
}

void fx_x86_db(struct kvm_run *run, uint64_t pc, uint64_t dr6)
{
	uint8_t *b = (uint8_t *)run;

	x86_debug(run, 1, pc);
	fx_put(b + 48, dr6, 8, false);
	/* dr7: 0 on this host (host-kvm.md), the guest's DR7 on VMX/SVM; the library has its own */
	fx_put(b + 56, 0, 8, false);
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
	fx_put(b + 14, 0, 2, false); /* flags: hsr_high not valid */
	fx_put(b + 32, hsr, 4, false);
	if (hsr >> 26 == 0x34)
		fx_put(b + 40, far, 8, false);
}

void fx_ppc(struct kvm_run *run, bool be, bool has_address, uint64_t address, bool has_status,
	    uint32_t status)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, be);
	if (has_address)
		fx_put(b + 32, address, 8, be);
	if (has_status)
		fx_put(b + 40, status, 4, be);
}

void fx_s390_debug(struct kvm_run *run, uint64_t psw, uint64_t addr, uint8_t type)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 4, true);
	fx_put(b + 40, psw, 8, true);
	fx_put(b + 48, addr, 8, true);
	b[56] = type;
}

void fx_s390_sieic(struct kvm_run *run, uint64_t psw, uint8_t icpt, uint16_t ipa, uint32_t ipb)
{
	uint8_t *b = (uint8_t *)run;

	fx_garbage(run);
	fx_exit_reason(run, 13, true);
	fx_put(b + 40, psw, 8, true);
	b[48] = icpt;
	fx_put(b + 50, ipa, 2, true);
	fx_put(b + 52, ipb, 4, true);
}

void fx_riscv(struct kvm_run *run)
{
	fx_garbage(run);
	fx_exit_reason(run, 4, false);
}

void fx_loongarch(struct kvm_run *run)
{
	fx_riscv(run);
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
