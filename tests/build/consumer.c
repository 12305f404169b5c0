/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A program built the way a user of libkvmdbg builds one: against the installed tree with
 * pkg-config (as C, as C++ and statically), and as a Meson project that has the library as a
 * subproject.  It calls only what works without /dev/kvm.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <kvmdbg/kvmdbg.h>

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "consumer: %s failed\n", what);
		failures++;
	}
}

int main(void)
{
	struct kvmdbg_vm *vm = NULL;
	const char *version = kvmdbg_version_string();

	check(version != NULL && strcmp(version, KVMDBG_VERSION_STRING) == 0,
	      "kvmdbg_version_string() == KVMDBG_VERSION_STRING");
	check(kvmdbg_vm_new(-1, &vm) == -EINVAL && vm == NULL, "kvmdbg_vm_new(-1) == -EINVAL");
	check(kvmdbg_vm_new(0, NULL) == -EINVAL, "kvmdbg_vm_new(0, NULL) == -EINVAL");
	check(kvmdbg_vm_has_feature(NULL, KVMDBG_FEATURE_GUEST_DEBUG) == -EINVAL,
	      "kvmdbg_vm_has_feature(NULL) == -EINVAL");
	check(kvmdbg_vcpu_get_vm(NULL) == NULL, "kvmdbg_vcpu_get_vm(NULL) == NULL");
	check(kvmdbg_event_get_type(NULL) == KVMDBG_EVENT_UNKNOWN,
	      "kvmdbg_event_get_type(NULL) == KVMDBG_EVENT_UNKNOWN");
	check(kvmdbg_event_type_name(KVMDBG_EVENT_STEP) != NULL, "kvmdbg_event_type_name()");
	kvmdbg_vm_free(NULL);
	kvmdbg_vcpu_free(NULL);

	if (failures)
		return 1;
	printf("consumer: libkvmdbg %s (headers %s) works\n", version, KVMDBG_VERSION_STRING);
	return 0;
}
