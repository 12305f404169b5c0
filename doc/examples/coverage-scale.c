// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * coverage-scale: what a million coverage breakpoints cost, measured through the public API
 * on a real VM: one kvmdbg_vm_insert_many() call plants a one-shot software breakpoint every
 * 4 bytes of 4 MiB of guest memory ("kernel text"), the heap it takes per breakpoint, the time
 * of the insert, of a reset when nothing fired and of removing them all.
 *
 * The program checks that every breakpoint is planted, that the heap grows by less than 40
 * bytes per breakpoint (the library's records are about 30: doc/internals.md), that a reset
 * with nothing fired changes nothing, that a bulk insert with one bad address leaves nothing
 * behind and names the address, that removing them all gives back guest memory byte for byte,
 * that inserting them again takes no more heap (the library keeps its records and table for
 * new points) and that freeing the VM object gives the heap back.  Times are printed, not
 * checked.  The guest never runs, so every KVM will do; 77 when there is none.  doc/guide.md
 * cites it for its figures.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "vmm.h"

#define TEXT_GPA 0x100000ull
#define TEXT_SIZE (4ull << 20)
#define STRIDE 4
#define COUNT (TEXT_SIZE / STRIDE)
#define BAD_BATCH 1000

static const uint8_t guest_hlt[] = { 0xf4 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Bytes the heap holds now, mmapped blocks included. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int fail(const char *what)
{
	fprintf(stderr, "coverage-scale: %s\n", what);
	return 1;
}

/* The 4 MiB of "kernel text": guest memory of its own slot, registered with the library too. */
static int add_text(struct vmm *v, uint8_t *text)
{
	struct kvm_userspace_memory_region region = {
		.slot = 1,
		.guest_phys_addr = TEXT_GPA,
		.memory_size = TEXT_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)text,
	};

	if (ioctl(v->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return kvmdbg_vm_add_memory(v->dbg, TEXT_GPA, TEXT_SIZE, text);
}

int main(void)
{
	uint64_t *addrs = NULL, bad[BAD_BATCH];
	uint8_t *text = MAP_FAILED;
	size_t heap0, heap1, failed = 0;
	double t0, per_point;
	struct vmm v;
	int ret;

	alarm(60);
	ret = vmm_open(&v, "coverage-scale", guest_hlt, sizeof(guest_hlt));
	if (ret != 0)
		return ret == TINYVM_EXIT_SKIP ? TINYVM_EXIT_SKIP : 1;
	addrs = malloc(COUNT * sizeof(*addrs));
	text = mmap(NULL, TEXT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!addrs || text == MAP_FAILED) {
		ret = fail("out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < TEXT_SIZE; i++)
		text[i] = (uint8_t)(i * 7 + 1);	/* never 0xcc at a breakpoint address */
	for (uint64_t i = 0; i < COUNT; i++)
		addrs[i] = TEXT_GPA + i * STRIDE;
	ret = add_text(&v, text);
	if (ret == 0)
		ret = kvmdbg_vm_set_memory_ops(v.dbg, NULL, NULL, kvmdbg_translate_identity, NULL);
	if (ret == 0)
		ret = kvmdbg_vm_set_signal_guard(v.dbg, false);
	if (ret < 0) {
		fprintf(stderr, "coverage-scale: setup: %s\n", strerror(-ret));
		ret = 1;
		goto out;
	}

	heap0 = heap_in_use();
	t0 = now_us();
	ret = kvmdbg_vm_insert_many(v.dbg, KVMDBG_POINT_SW_BREAK, addrs, COUNT,
				    KVMDBG_POINT_ONESHOT, NULL, NULL, &failed);
	if (ret < 0) {
		fprintf(stderr, "coverage-scale: insert at 0x%" PRIx64 ": %s\n", addrs[failed],
			strerror(-ret));
		ret = 1;
		goto out;
	}
	printf("%llu breakpoints inserted in %.0f ms\n", COUNT, (now_us() - t0) / 1e3);
	heap1 = heap_in_use();
	if (heap1 <= heap0) {
		/* another allocator (a sanitizer's, say) that mallinfo2() does not see */
		printf("heap: not measurable here\n");
	} else {
		per_point = (double)(heap1 - heap0) / (double)COUNT;
		printf("heap: %.1f bytes per breakpoint\n", per_point);
		if (per_point >= 40) {
			ret = fail("more than 40 bytes per breakpoint");
			goto out;
		}
	}
	if (kvmdbg_vm_get_point_count(v.dbg) != (long)COUNT) {
		ret = fail("not every breakpoint is in the table");
		goto out;
	}
	for (uint64_t i = 0; i < COUNT; i++) {
		if (text[i * STRIDE] != 0xcc) {
			ret = fail("a breakpoint is not in guest memory");
			goto out;
		}
	}

	/* A reset with nothing fired costs what fired: nothing. */
	t0 = now_us();
	ret = kvmdbg_vm_mark_all_armed(v.dbg);
	printf("reset with nothing fired: %.1f us\n", now_us() - t0);
	if (ret != 0) {
		ret = fail("a reset with nothing fired changed something");
		goto out;
	}

	/* All or nothing: the last address of a batch lies outside guest memory. */
	for (uint64_t i = 0; i < BAD_BATCH; i++)
		bad[i] = TEXT_GPA + i * STRIDE + 1;
	bad[BAD_BATCH - 1] = TEXT_GPA + TEXT_SIZE + 0x1000;
	ret = kvmdbg_vm_insert_many(v.dbg, KVMDBG_POINT_SW_BREAK, bad, BAD_BATCH, 0, NULL, NULL,
				    &failed);
	if (ret != -EFAULT || failed != BAD_BATCH - 1 ||
	    kvmdbg_vm_get_point_count(v.dbg) != (long)COUNT || text[1] != 8) {
		ret = fail("a failed bulk insert left something behind");
		goto out;
	}

	t0 = now_us();
	ret = kvmdbg_vm_remove_all(v.dbg);
	printf("removed in %.0f ms\n", (now_us() - t0) / 1e3);
	if (ret != (int)COUNT) {
		ret = fail("not every breakpoint was removed");
		goto out;
	}
	for (uint64_t i = 0; i < TEXT_SIZE; i++) {
		if (text[i] != (uint8_t)(i * 7 + 1)) {
			ret = fail("guest memory is not as before");
			goto out;
		}
	}
	/* The library keeps its records and table for the next points, until kvmdbg_vm_free(). */
	ret = kvmdbg_vm_insert_many(v.dbg, KVMDBG_POINT_SW_BREAK, addrs, COUNT,
				    KVMDBG_POINT_ONESHOT, NULL, NULL, &failed);
	if (ret < 0) {
		ret = fail("cannot insert them again");
		goto out;
	}
	printf("inserted again: the heap grew by %zd bytes\n", (ssize_t)(heap_in_use() - heap1));
	if (heap1 > heap0 && heap_in_use() > heap1 + 64 * 1024) {
		ret = fail("inserting again took more memory");
		goto out;
	}
	vmm_close(&v);
	printf("the VM object freed: the heap is %zd bytes from where it was\n",
	       (ssize_t)(heap_in_use() - heap0));
	if (heap1 > heap0 && heap_in_use() > heap0 + 64 * 1024) {
		ret = fail("the heap did not shrink back");
		goto out;
	}
	ret = 0;

out:
	vmm_close(&v);
	if (text != MAP_FAILED)
		munmap(text, TEXT_SIZE);
	free(addrs);
	return ret;
}
