// SPDX-License-Identifier: LGPL-2.1-or-later
/* tinyvm: see tinyvm.h.  Only setup; nothing here is shown in the documentation. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tinyvm.h"

#define CR0_PE (1u << 0)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_PG (1u << 31)
#define CR4_PAE (1u << 5)
#define EFER_LME (1u << 8)
#define EFER_LMA (1u << 10)
#define TINYVM_TSS 0x0e00u	/* a TSS for 64-bit mode: KVM wants a usable TR */

static int xioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

/* Every vector -> TINYVM_STUB: out %al, $TINYVM_TRAP_PORT; hlt; jmp back to the hlt. */
static void setup_ram(uint8_t *ram)
{
	static const uint8_t stub[] = { 0xe6, TINYVM_TRAP_PORT, 0xf4, 0xeb, 0xfd };

	memcpy(ram + TINYVM_STUB, stub, sizeof(stub));
	for (unsigned int v = 0; v < 256; v++) {
		uint16_t entry[2] = { 0, TINYVM_STUB >> 4 };

		memcpy(ram + 4 * v, entry, sizeof(entry));
	}
}

int tinyvm_open(struct tinyvm *t, const void *code, size_t size, const char **ret_why)
{
	struct kvm_userspace_memory_region region;
	int ret;

	memset(t, 0, sizeof(*t));
	t->kvm_fd = t->vm_fd = t->vcpu_fd = -1;
	if (size > TINYVM_CODE_MAX) {
		*ret_why = "guest code too large";
		return -E2BIG;
	}

	t->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (t->kvm_fd < 0) {
		ret = -errno;
		*ret_why = "cannot open /dev/kvm";
		goto fail;
	}
	ret = xioctl(t->kvm_fd, KVM_GET_API_VERSION, NULL);
	if (ret != KVM_API_VERSION) {
		ret = ret < 0 ? ret : -EPROTO;
		*ret_why = "KVM_GET_API_VERSION is not 12";
		goto fail;
	}
	ret = xioctl(t->kvm_fd, KVM_CREATE_VM, NULL);
	if (ret < 0) {
		*ret_why = "KVM_CREATE_VM failed";
		goto fail;
	}
	t->vm_fd = ret;
	/* Intel hosts without unrestricted guest need this for real mode. */
	(void)ioctl(t->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);

	t->ram = mmap(NULL, TINYVM_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (t->ram == MAP_FAILED) {
		t->ram = NULL;
		ret = -errno;
		*ret_why = "cannot map guest RAM";
		goto fail;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = TINYVM_RAM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)t->ram,
	};
	ret = xioctl(t->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (ret < 0) {
		*ret_why = "KVM_SET_USER_MEMORY_REGION failed";
		goto fail;
	}
	setup_ram(t->ram);
	memcpy(t->ram + TINYVM_CODE, code, size);

	ret = xioctl(t->vm_fd, KVM_CREATE_VCPU, NULL);
	if (ret < 0) {
		*ret_why = "KVM_CREATE_VCPU failed";
		goto fail;
	}
	t->vcpu_fd = ret;
	ret = xioctl(t->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret < (int)sizeof(struct kvm_run)) {
		ret = ret < 0 ? ret : -EPROTO;
		*ret_why = "KVM_GET_VCPU_MMAP_SIZE failed";
		goto fail;
	}
	t->run_size = (size_t)ret;
	t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, t->vcpu_fd, 0);
	if (t->run == MAP_FAILED) {
		t->run = NULL;
		ret = -errno;
		*ret_why = "cannot map kvm_run";
		goto fail;
	}
	ret = tinyvm_start(t, 0);
	if (ret < 0) {
		*ret_why = "cannot put the vCPU in real mode";
		goto fail;
	}
	return 0;

fail:
	tinyvm_close(t);
	return ret;
}

void tinyvm_close(struct tinyvm *t)
{
	if (t->run)
		munmap(t->run, t->run_size);
	if (t->vcpu_fd >= 0)
		close(t->vcpu_fd);
	if (t->ram)
		munmap(t->ram, TINYVM_RAM_SIZE);
	if (t->vm_fd >= 0)
		close(t->vm_fd);
	if (t->kvm_fd >= 0)
		close(t->kvm_fd);
	memset(t, 0, sizeof(*t));
	t->kvm_fd = t->vm_fd = t->vcpu_fd = -1;
}

int tinyvm_start(struct tinyvm *t, uint16_t ip)
{
	struct kvm_segment data = {
		.limit = 0xffff,
		.type = 3,
		.present = 1,
		.s = 1,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = xioctl(t->vcpu_fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	sregs.cs = data;
	sregs.cs.type = 0xb;
	sregs.cs.selector = TINYVM_CODE >> 4;
	sregs.cs.base = TINYVM_CODE;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.idt.base = 0;
	sregs.idt.limit = 0x3ff;
	sregs.cr0 = CR0_ET | CR0_NE;
	sregs.cr4 = 0;
	sregs.efer = 0;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	ret = xioctl(t->vcpu_fd, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		return ret;

	memset(&regs, 0, sizeof(regs));
	regs.rip = ip;
	regs.rsp = TINYVM_STACK;
	regs.rflags = 0x2;
	return xioctl(t->vcpu_fd, KVM_SET_REGS, &regs);
}

static void put_u64(uint8_t *ram, uint32_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, sizeof(v));
}

void tinyvm_identity_map(struct tinyvm *t, uint32_t pml4, uint32_t tables)
{
	const uint64_t dir = TINYVM_PTE_PRESENT | TINYVM_PTE_WRITE;

	memset(t->ram + pml4, 0, 0x1000);
	memset(t->ram + tables, 0, 0x3000);
	put_u64(t->ram, pml4, tables | dir);
	put_u64(t->ram, tables, (tables + 0x1000) | dir);
	put_u64(t->ram, tables + 0x1000, (tables + 0x2000) | dir);
	for (uint32_t page = 0; page < TINYVM_RAM_SIZE; page += 0x1000)
		put_u64(t->ram, TINYVM_PTE(tables, page), page | dir);
}

int tinyvm_start_paged(struct tinyvm *t, uint16_t ip, uint32_t cr3)
{
	struct kvm_segment code = {
		.limit = 0xffffffff,
		.selector = 0x08,
		.type = 0xb,
		.present = 1,
		.s = 1,
		.l = 1,
		.g = 1,
	};
	struct kvm_segment data = code;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = xioctl(t->vcpu_fd, KVM_GET_SREGS, &sregs);
	if (ret < 0)
		return ret;
	data.selector = 0x10;
	data.type = 3;
	data.l = 0;
	data.db = 1;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = (struct kvm_segment){
		.base = TINYVM_TSS,
		.limit = 0x67,
		.selector = 0x18,
		.type = 0xb,
		.present = 1,
	};
	sregs.ldt = (struct kvm_segment){ .unusable = 1 };
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = cr3;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	memset(sregs.interrupt_bitmap, 0, sizeof(sregs.interrupt_bitmap));
	ret = xioctl(t->vcpu_fd, KVM_SET_SREGS, &sregs);
	if (ret < 0)
		return ret;

	memset(&regs, 0, sizeof(regs));
	regs.rip = tinyvm_addr(ip);
	regs.rsp = TINYVM_STACK;
	regs.rflags = 0x2;
	return xioctl(t->vcpu_fd, KVM_SET_REGS, &regs);
}

int tinyvm_run(struct tinyvm *t)
{
	return xioctl(t->vcpu_fd, KVM_RUN, NULL);
}

bool tinyvm_exit_is_out(const struct tinyvm *t, uint16_t port)
{
	return t->run->exit_reason == KVM_EXIT_IO && t->run->io.direction == KVM_EXIT_IO_OUT &&
	       t->run->io.port == port;
}

int tinyvm_get_ax(struct tinyvm *t, uint16_t *ret_ax)
{
	struct kvm_regs regs;
	int ret = xioctl(t->vcpu_fd, KVM_GET_REGS, &regs);

	if (ret < 0)
		return ret;
	*ret_ax = (uint16_t)regs.rax;
	return 0;
}

int tinyvm_get_ip(struct tinyvm *t, uint16_t *ret_ip)
{
	struct kvm_regs regs;
	int ret = xioctl(t->vcpu_fd, KVM_GET_REGS, &regs);

	if (ret < 0)
		return ret;
	*ret_ip = (uint16_t)regs.rip;
	return 0;
}

const char *tinyvm_exit_name(const struct tinyvm *t)
{
	static _Thread_local char buf[64];

	switch (t->run->exit_reason) {
	case KVM_EXIT_IO:
		snprintf(buf, sizeof(buf), "exit io %s port 0x%x",
			 t->run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", t->run->io.port);
		break;
	case KVM_EXIT_DEBUG:
		snprintf(buf, sizeof(buf), "exit debug (exception %u)",
			 t->run->debug.arch.exception);
		break;
	case KVM_EXIT_HLT:
		snprintf(buf, sizeof(buf), "exit hlt");
		break;
	case KVM_EXIT_SHUTDOWN:
		snprintf(buf, sizeof(buf), "exit shutdown (a triple fault)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf), "exit internal error %u", t->run->internal.suberror);
		break;
	default:
		snprintf(buf, sizeof(buf), "exit %u", t->run->exit_reason);
		break;
	}
	return buf;
}
