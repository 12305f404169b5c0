// SPDX-License-Identifier: LGPL-2.1-or-later
/* Guest memory access for software breakpoints: registered regions first, then callbacks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "kernel.h"

static struct kvmdbg_region *find_region(struct kvmdbg_vm *vm, uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < vm->nr_regions; i++) {
		struct kvmdbg_region *r = &vm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

int kvmdbg_mem_read(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len)
{
	struct kvmdbg_region *r = find_region(vm, gpa, len);

	if (r) {
		memcpy(buf, r->host + (gpa - r->gpa), len);
		return 0;
	}
	if (vm->read)
		return vm->read(vm->mem_data, gpa, buf, len);
	return -EFAULT;
}

int kvmdbg_mem_write(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len)
{
	struct kvmdbg_region *r = find_region(vm, gpa, len);

	if (r) {
		memcpy(r->host + (gpa - r->gpa), buf, len);
		return 0;
	}
	if (vm->write)
		return vm->write(vm->mem_data, gpa, buf, len);
	return -EFAULT;
}

/*
 * The architecture default is KVM_TRANSLATE (x86) or identity.  KVM_TRANSLATE goes to @vcpu
 * when the caller is that vCPU's own thread (which is then not inside KVM_RUN, so the call
 * cannot block on it), else to the first attached vCPU.
 */
int kvmdbg_mem_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t gva,
			 uint64_t *ret_gpa)
{
	if (vm->translate)
		return vm->translate(vm->mem_data, gva, ret_gpa);
	if (!vm->arch->kvm_translate) {
		*ret_gpa = gva;
		return 0;
	}
	if (!vcpu)
		vcpu = vm->vcpus;
	if (!vcpu)
		return -EFAULT;
	return kvmdbg_kernel_translate(vcpu->fd, gva, ret_gpa);
}

KVMDBG_EXPORT int kvmdbg_vm_add_memory(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t size,
				       void *host)
{
	struct kvmdbg_region *nr;
	int ret = 0;

	if (!vm || !host || !size || gpa + (size - 1) < gpa)
		return -EINVAL;

	pthread_mutex_lock(&vm->lock);
	for (size_t i = 0; i < vm->nr_regions; i++) {
		const struct kvmdbg_region *r = &vm->regions[i];

		if (gpa <= r->gpa + (r->size - 1) && r->gpa <= gpa + (size - 1)) {
			ret = -EEXIST;
			goto out;
		}
	}
	nr = realloc(vm->regions, (vm->nr_regions + 1) * sizeof(*nr));
	if (!nr) {
		ret = -ENOMEM;
		goto out;
	}
	vm->regions = nr;
	vm->regions[vm->nr_regions++] = (struct kvmdbg_region){
		.gpa = gpa,
		.size = size,
		.host = host,
	};
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

KVMDBG_EXPORT int kvmdbg_vm_set_memory_ops(struct kvmdbg_vm *vm, kvmdbg_read_fn read,
					   kvmdbg_write_fn write, kvmdbg_translate_fn translate,
					   void *user_data)
{
	if (!vm)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	vm->read = read;
	vm->write = write;
	vm->translate = translate;
	vm->mem_data = user_data;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}
