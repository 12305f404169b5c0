// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fake kernel edge: records every call and returns programmed results (see fake-kernel.h).
 */
#include <errno.h>
#include <string.h>

#include "arch/arch.h"
#include "kernel.h"
#include "walk/walk.h"

#include "fake-kernel.h"

#define MAX_CAPS 32
#define MAX_FAULTS 16
#define MAX_REGS 16
#define MAX_PAGING 8

struct fake_cap {
	unsigned long cap;
	int value;
};

struct fake_range {
	uint64_t start;
	uint64_t len;
};

static GMutex fake_lock;
static GArray *fake_log; /* of struct fake_call */
static struct fake_cap fake_caps[MAX_CAPS];
static unsigned int fake_nr_caps;
static int fake_gd_err;
static unsigned int fake_gd_fail_count;
static uint64_t fake_delta;
static struct fake_range fake_faults[MAX_FAULTS];
static unsigned int fake_nr_faults;
static bool fake_initialised;
static const struct arch *fake_arch;
static int fake_cap_err;
static unsigned int fake_cap_fail_count;
static struct {
	uint64_t id;
	uint64_t value;
	int err;
} fake_regs[MAX_REGS];
static unsigned int fake_nr_regs;
static uint64_t fake_pc;
static int fake_pc_err;
static void (*fake_translate_hook)(void *data, int fd, uint64_t gva);
static int fake_not_vm[8];
static unsigned int fake_nr_not_vm;
static int (*fake_trial)(void *data, const uint8_t *mem, uint16_t ip, const void *debug,
			 size_t size, struct trial_exit *ret);
static void *fake_trial_data;
static void *fake_translate_hook_data;
static struct {
	int fd; /* -1: every vCPU without its own */
	struct walk_x86_regs regs;
	int err;
} fake_paging[MAX_PAGING];
static unsigned int fake_nr_paging;
static const struct fake_model_hooks *fake_model;
static void *fake_model_data;

static void fake_set_cap_locked(unsigned long cap, int value)
{
	for (unsigned int i = 0; i < fake_nr_caps; i++) {
		if (fake_caps[i].cap == cap) {
			fake_caps[i].value = value;
			return;
		}
	}
	g_assert_cmpuint(fake_nr_caps, <, MAX_CAPS);
	fake_caps[fake_nr_caps].cap = cap;
	fake_caps[fake_nr_caps].value = value;
	fake_nr_caps++;
}

static void fake_reset_locked(void)
{
	if (!fake_log)
		fake_log = g_array_new(FALSE, TRUE, sizeof(struct fake_call));
	g_array_set_size(fake_log, 0);
	fake_nr_caps = 0;
	fake_set_cap_locked(FAKE_CAP_SET_GUEST_DEBUG, FAKE_DEFAULT_GUEST_DEBUG);
	fake_set_cap_locked(FAKE_CAP_SET_GUEST_DEBUG2, FAKE_DEFAULT_GUEST_DEBUG2);
	fake_gd_err = 0;
	fake_gd_fail_count = 0;
	fake_delta = 0;
	fake_nr_faults = 0;
	fake_arch = &arch_x86;
	fake_cap_err = 0;
	fake_cap_fail_count = 0;
	fake_nr_regs = 0;
	fake_pc = 0;
	fake_pc_err = -ENOSYS; /* a test that wants KVM_GET_REGS says so */
	fake_translate_hook = NULL;
	fake_translate_hook_data = NULL;
	/* after INIT: CR0.ET, CD and NW; no CPUID set, so MAXPHYADDR 36 (cpuid_maxphyaddr()) */
	fake_nr_paging = 1;
	fake_paging[0].fd = -1;
	fake_paging[0].regs = (struct walk_x86_regs){ .cr0 = 0x60000010, .maxphyaddr = 36 };
	fake_paging[0].err = 0;
	fake_nr_not_vm = 0;
	fake_trial = NULL;
	fake_trial_data = NULL;
	fake_model = NULL;
	fake_model_data = NULL;
	fake_initialised = true;
}

static void fake_ensure_locked(void)
{
	if (!fake_initialised)
		fake_reset_locked();
}

void fake_kernel_reset(void)
{
	g_mutex_lock(&fake_lock);
	fake_reset_locked();
	g_mutex_unlock(&fake_lock);
}

void fake_set_arch(const struct arch *arch, int debug2_mask)
{
	g_assert_nonnull(arch);
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_arch = arch;
	fake_set_cap_locked(FAKE_CAP_SET_GUEST_DEBUG, 1);
	fake_set_cap_locked(FAKE_CAP_SET_GUEST_DEBUG2, debug2_mask);
	g_mutex_unlock(&fake_lock);
}

const struct arch *fake_get_arch(void)
{
	const struct arch *arch;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	arch = fake_arch;
	g_mutex_unlock(&fake_lock);
	return arch;
}

void fake_fail_enable_cap(int err, unsigned int count)
{
	g_assert_cmpint(err, <, 0);
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_cap_err = err;
	fake_cap_fail_count = count;
	g_mutex_unlock(&fake_lock);
}

void fake_set_one_reg(uint64_t id, uint64_t value, int err)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (unsigned int i = 0; i < fake_nr_regs; i++) {
		if (fake_regs[i].id == id) {
			fake_regs[i].value = value;
			fake_regs[i].err = err;
			g_mutex_unlock(&fake_lock);
			return;
		}
	}
	g_assert_cmpuint(fake_nr_regs, <, MAX_REGS);
	fake_regs[fake_nr_regs].id = id;
	fake_regs[fake_nr_regs].value = value;
	fake_regs[fake_nr_regs].err = err;
	fake_nr_regs++;
	g_mutex_unlock(&fake_lock);
}

void fake_set_x86_paging(int fd, const struct walk_x86_regs *regs, int err)
{
	unsigned int i;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (i = 0; i < fake_nr_paging && fake_paging[i].fd != fd; i++)
		;
	if (i == fake_nr_paging) {
		g_assert_cmpuint(fake_nr_paging, <, MAX_PAGING);
		fake_nr_paging++;
	}
	fake_paging[i].fd = fd;
	fake_paging[i].regs = regs ? *regs : (struct walk_x86_regs){ 0 };
	fake_paging[i].err = err;
	g_mutex_unlock(&fake_lock);
}

void fake_set_regs_pc(uint64_t pc, int err)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_pc = pc;
	fake_pc_err = err;
	g_mutex_unlock(&fake_lock);
}

void fake_set_model(const struct fake_model_hooks *hooks, void *data)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_model = hooks;
	fake_model_data = data;
	g_mutex_unlock(&fake_lock);
}

void fake_log_clear(void)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	g_array_set_size(fake_log, 0);
	g_mutex_unlock(&fake_lock);
}

size_t fake_log_len(void)
{
	size_t n;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	n = fake_log->len;
	g_mutex_unlock(&fake_lock);
	return n;
}

struct fake_call fake_log_get(size_t i)
{
	struct fake_call c;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	if (i >= fake_log->len) {
		size_t len = fake_log->len;

		g_mutex_unlock(&fake_lock);
		fake_log_dump();
		g_error("fake kernel log has %zu entries, entry %zu asked for", len, i);
	}
	c = g_array_index(fake_log, struct fake_call, i);
	g_mutex_unlock(&fake_lock);
	return c;
}

size_t fake_log_count(enum fake_call_kind kind)
{
	size_t n = 0;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (guint i = 0; i < fake_log->len; i++)
		if (g_array_index(fake_log, struct fake_call, i).kind == kind)
			n++;
	g_mutex_unlock(&fake_lock);
	return n;
}

void fake_log_dump(void)
{
	size_t len = fake_log_len();

	g_test_message("fake kernel log: %zu entries", len);
	for (size_t i = 0; i < len; i++) {
		struct fake_call c = fake_log_get(i);

		switch (c.kind) {
		case FAKE_CHECK_EXTENSION:
			g_test_message("  [%zu] check_extension(fd %d, cap %lu) = %d", i, c.fd,
				       c.cap, c.ret);
			break;
		case FAKE_TRANSLATE:
			g_test_message("  [%zu] translate(fd %d, gva 0x%" G_GINT64_MODIFIER
				       "x) = %d, gpa 0x%" G_GINT64_MODIFIER "x",
				       i, c.fd, c.gva, c.ret, c.gpa);
			break;
		case FAKE_SET_GUEST_DEBUG: {
			char *what;

			what = g_strdup_printf("  [%zu] set_guest_debug(fd %d, size %zu) = %d", i,
					       c.fd, c.size, c.ret);

			fake_dump_image(what, c.bytes, c.size < FAKE_MAX_IMAGE ? c.size
										 : FAKE_MAX_IMAGE);
			if (c.aux_len)
				fake_dump_image("      array", c.aux, c.aux_len);
			g_free(what);
			break;
		}
		case FAKE_ENABLE_CAP:
			g_test_message("  [%zu] enable_cap(fd %d, cap %lu) = %d", i, c.fd, c.cap,
				       c.ret);
			break;
		case FAKE_GET_ONE_REG:
			g_test_message("  [%zu] get_one_reg(fd %d, id 0x%" G_GINT64_MODIFIER
				       "x) = %d, value 0x%" G_GINT64_MODIFIER "x",
				       i, c.fd, c.reg, c.ret, c.value);
			break;
		case FAKE_GET_X86_PAGING:
			g_test_message("  [%zu] get_x86_paging(vm fd %d, fd %d) = %d, cr3 0x%"
				       G_GINT64_MODIFIER "x",
				       i, c.vm_fd, c.fd, c.ret, c.value);
			break;
		case FAKE_GET_REGS:
			g_test_message("  [%zu] get_regs(fd %d) = %d, pc 0x%" G_GINT64_MODIFIER "x",
				       i, c.fd, c.ret, c.value);
			break;
		default:
			g_test_message("  [%zu] kind %d?", i, (int)c.kind);
		}
	}
}

void fake_set_cap(unsigned long cap, int value)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_set_cap_locked(cap, value);
	g_mutex_unlock(&fake_lock);
}

void fake_fail_set_guest_debug(int err, unsigned int count)
{
	g_assert_cmpint(err, <, 0);
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_gd_err = err;
	fake_gd_fail_count = count;
	g_mutex_unlock(&fake_lock);
}

void fake_translate_set_delta(uint64_t delta)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_delta = delta;
	g_mutex_unlock(&fake_lock);
}

void fake_translate_add_fault(uint64_t start, uint64_t len)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	g_assert_cmpuint(fake_nr_faults, <, MAX_FAULTS);
	fake_faults[fake_nr_faults].start = start;
	fake_faults[fake_nr_faults].len = len;
	fake_nr_faults++;
	g_mutex_unlock(&fake_lock);
}

/* The functions of lib/kernel.h. */

/* A programmed failure: err while *count lasts, counting down; 0 after.  fake_lock held. */
static int take_failure(unsigned int *count, int err)
{
	if (!*count)
		return 0;
	(*count)--;
	return err;
}

const struct arch *kernel_arch(void)
{
	return fake_get_arch();
}

int kernel_enable_cap(int fd, unsigned long cap)
{
	struct fake_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	ret = take_failure(&fake_cap_fail_count, fake_cap_err);
	if (!ret && fake_model && fake_model->enable_cap)
		fake_model->enable_cap(fake_model_data, fd, cap, &ret);
	c.kind = FAKE_ENABLE_CAP;
	c.fd = fd;
	c.cap = cap;
	c.ret = ret;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

/* A u64 of struct kvm_sregs: the register FAKE_SREG(offset) of fake_set_one_reg(). */
int kernel_get_sregs_u64(int vcpu_fd, size_t offset, uint64_t *ret_value)
{
	return kernel_get_one_reg(vcpu_fd, FAKE_SREG(offset), ret_value);
}

/* The test's hook, outside the fake's lock: a vCPU call that may wait (see fake-kernel.h). */
static void call_hook(int fd, uint64_t gva)
{
	void (*hook)(void *data, int fd, uint64_t gva);
	void *hook_data;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	hook = fake_translate_hook;
	hook_data = fake_translate_hook_data;
	g_mutex_unlock(&fake_lock);
	if (hook)
		hook(hook_data, fd, gva);
}

int kernel_get_one_reg(int vcpu_fd, uint64_t id, uint64_t *ret_value)
{
	struct fake_call c;
	int ret = -ENOENT; /* the kernel's answer for a register it does not have */

	call_hook(vcpu_fd, 0);
	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (unsigned int i = 0; i < fake_nr_regs; i++) {
		if (fake_regs[i].id == id) {
			ret = fake_regs[i].err;
			if (!ret)
				c.value = fake_regs[i].value;
		}
	}
	if (fake_model && fake_model->get_one_reg) {
		uint64_t v = 0;
		int r;

		if (fake_model->get_one_reg(fake_model_data, vcpu_fd, id, &v, &r)) {
			ret = r;
			c.value = r ? 0 : v;
		}
	}
	c.kind = FAKE_GET_ONE_REG;
	c.fd = vcpu_fd;
	c.reg = id;
	c.ret = ret;
	if (ret == 0)
		*ret_value = c.value;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

int kernel_get_regs_pc(int vcpu_fd, size_t pc_offset, uint64_t *ret_pc)
{
	struct fake_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	ret = fake_pc_err;
	c.value = fake_pc;
	if (fake_model && fake_model->get_regs_pc) {
		uint64_t v = 0;
		int r;

		if (fake_model->get_regs_pc(fake_model_data, vcpu_fd, &v, &r)) {
			ret = r;
			c.value = v;
		}
	}
	c.kind = FAKE_GET_REGS;
	c.fd = vcpu_fd;
	c.ret = ret;
	if (ret == 0)
		*ret_pc = c.value;
	else
		c.value = 0;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

/*
 * s390: struct kvm_guest_debug holds a pointer (big-endian u64 at 16) to nr_hw_bp (u32 at 8)
 * entries of 32 bytes; copy them as the kernel does during the call.
 */
static void fake_copy_aux(struct fake_call *c, const uint8_t *buf, size_t size)
{
	uint64_t ptr = 0;
	uint32_t nr = 0;

	if (!fake_arch->aux_size || size < 24)
		return;
	for (int i = 0; i < 4; i++)
		nr = nr << 8 | buf[8 + i];
	for (int i = 0; i < 8; i++)
		ptr = ptr << 8 | buf[16 + i];
	if (!nr || !ptr)
		return;
	g_assert_cmpuint(nr, <=, FAKE_MAX_AUX / 32);
	c->aux_len = (size_t)nr * 32;
	memcpy(c->aux, (const void *)(uintptr_t)ptr, c->aux_len);
}

int kernel_check_extension(int fd, unsigned long cap)
{
	struct fake_call c;
	int ret = 0;

	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (unsigned int i = 0; i < fake_nr_caps; i++)
		if (fake_caps[i].cap == cap)
			ret = fake_caps[i].value;
	c.kind = FAKE_CHECK_EXTENSION;
	c.fd = fd;
	c.cap = cap;
	c.ret = ret;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

int kernel_set_guest_debug(int vcpu_fd, const void *buf, size_t size)
{
	struct fake_call c;
	int ret;

	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	ret = take_failure(&fake_gd_fail_count, fake_gd_err);
	c.kind = FAKE_SET_GUEST_DEBUG;
	c.fd = vcpu_fd;
	c.size = size;
	if (buf) {
		memcpy(c.bytes, buf, size < FAKE_MAX_IMAGE ? size : FAKE_MAX_IMAGE);
		fake_copy_aux(&c, buf, size);
	}
	if (!ret && fake_model && fake_model->set_guest_debug)
		fake_model->set_guest_debug(fake_model_data, vcpu_fd, buf, size, &ret);
	c.ret = ret;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

void fake_set_translate_hook(void (*hook)(void *data, int fd, uint64_t gva), void *data)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_translate_hook = hook;
	fake_translate_hook_data = data;
	g_mutex_unlock(&fake_lock);
}

int kernel_get_x86_paging(int vm_fd, int vcpu_fd, struct walk_x86_regs *ret)
{
	struct fake_call c;
	int err = -ENOSYS; /* nothing programmed (reset programs every vCPU) */

	call_hook(vcpu_fd, 0);
	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	/* the vCPU's own registers, else the ones for every vCPU */
	for (int pass = 0; pass < 2; pass++) {
		unsigned int i;

		for (i = 0; i < fake_nr_paging; i++)
			if (fake_paging[i].fd == (pass ? -1 : vcpu_fd))
				break;
		if (i == fake_nr_paging)
			continue;
		err = fake_paging[i].err;
		if (!err) {
			*ret = fake_paging[i].regs;
			c.value = ret->cr3;
		}
		break;
	}
	c.kind = FAKE_GET_X86_PAGING;
	c.fd = vcpu_fd;
	c.vm_fd = vm_fd;
	c.ret = err;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return err;
}

int kernel_translate(int vcpu_fd, uint64_t gva, uint64_t *ret_gpa)
{
	struct fake_call c;
	int ret = 0;

	call_hook(vcpu_fd, gva);
	memset(&c, 0, sizeof(c));
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	for (unsigned int i = 0; i < fake_nr_faults; i++)
		if (gva - fake_faults[i].start < fake_faults[i].len)
			ret = -EFAULT;
	c.gpa = gva + fake_delta;
	if (fake_model && fake_model->translate) {
		uint64_t gpa = 0;
		int r;

		if (fake_model->translate(fake_model_data, vcpu_fd, gva, &gpa, &r)) {
			ret = r;
			c.gpa = gpa;
		}
	}
	c.kind = FAKE_TRANSLATE;
	c.fd = vcpu_fd;
	c.gva = gva;
	c.ret = ret;
	if (ret == 0)
		*ret_gpa = c.gpa;
	else
		c.gpa = 0;
	g_array_append_val(fake_log, c);
	g_mutex_unlock(&fake_lock);
	return ret;
}

/* Helpers. */

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

void fake_dump_image(const char *what, const uint8_t *bytes, size_t size)
{
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "%s:", what);
	for (size_t i = 0; i < size; i++)
		g_string_append_printf(s, "%s%02x", i % 8 == 0 ? "  " : " ", bytes[i]);
	g_test_message("%s", s->str);
	if (size == 72) {
		uint32_t control = (uint32_t)(bytes[0] | bytes[1] << 8 | bytes[2] << 16 |
					      (uint32_t)bytes[3] << 24);

		g_test_message("    x86: control 0x%x dr0 0x%" G_GINT64_MODIFIER
			       "x dr1 0x%" G_GINT64_MODIFIER "x dr2 0x%" G_GINT64_MODIFIER
			       "x dr3 0x%" G_GINT64_MODIFIER "x dr7 0x%" G_GINT64_MODIFIER "x",
			       control, le64(bytes + 8), le64(bytes + 16), le64(bytes + 24),
			       le64(bytes + 32), le64(bytes + 64));
	}
	g_string_free(s, TRUE);
}

struct kvm_run *fake_run_new(void)
{
	return g_malloc0(FAKE_RUN_SIZE);
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

void x86_image(uint8_t out[72], uint32_t control, uint64_t dr0, uint64_t dr1, uint64_t dr2,
	       uint64_t dr3, uint64_t dr7)
{
	memset(out, 0, 72);
	put_le(out, control, 4);
	put_le(out + 8, dr0, 8);
	put_le(out + 16, dr1, 8);
	put_le(out + 24, dr2, 8);
	put_le(out + 32, dr3, 8);
	put_le(out + 64, dr7, 8);
}

void x86_set_exit_reason(struct kvm_run *run, uint32_t reason)
{
	put_le((uint8_t *)run + 8, reason, 4);
}

void x86_set_debug_exit(struct kvm_run *run, uint32_t exception, uint64_t pc, uint64_t dr6,
			uint64_t dr7)
{
	uint8_t *b = (uint8_t *)run;

	memset(b + 32, 0, 32);
	put_le(b + 8, 4, 4); /* KVM_EXIT_DEBUG */
	put_le(b + 32, exception, 4);
	put_le(b + 40, pc, 8);
	put_le(b + 48, dr6, 8);
	put_le(b + 56, dr7, 8);
}

int kernel_is_vm_fd(int fd)
{
	int ret;

	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	ret = 1;
	for (unsigned int i = 0; i < fake_nr_not_vm; i++)
		if (fake_not_vm[i] == fd)
			ret = 0;
	g_mutex_unlock(&fake_lock);
	return ret;
}

void fake_set_not_vm_fd(int fd)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	g_assert_cmpuint(fake_nr_not_vm, <, G_N_ELEMENTS(fake_not_vm));
	fake_not_vm[fake_nr_not_vm++] = fd;
	g_mutex_unlock(&fake_lock);
}

void fake_set_trial(int (*fn)(void *data, const uint8_t *mem, uint16_t ip, const void *debug,
			      size_t size, struct trial_exit *ret),
		    void *data)
{
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fake_trial = fn;
	fake_trial_data = data;
	g_mutex_unlock(&fake_lock);
}

int kernel_trial_run(int kvm_fd, const uint8_t *mem, uint16_t ip, const void *debug,
			    size_t debug_size, struct trial_exit *ret)
{
	int (*fn)(void *data, const uint8_t *mem, uint16_t ip, const void *debug, size_t size,
		  struct trial_exit *ret);
	void *data;

	(void)kvm_fd;
	g_mutex_lock(&fake_lock);
	fake_ensure_locked();
	fn = fake_trial;
	data = fake_trial_data;
	g_mutex_unlock(&fake_lock);
	if (!fn)
		return -EOPNOTSUPP;
	memset(ret, 0, sizeof(*ret));
	return fn(data, mem, ip, debug, debug_size, ret);
}
