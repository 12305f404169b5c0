// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Counters by symbol interposition.  libkvmdbg.so calls ioctl(), malloc() and friends and
 * pthread_sigmask() through its PLT; an executable that defines these symbols comes first in
 * the lookup order, so the library's calls land here, are counted, and go on to glibc.  What
 * the bench itself calls is counted too: each figure is a counter difference across a loop
 * whose only calls are the ones it measures.
 *
 * The allocators forward to glibc's __libc_*() entry points, so that mallinfo2() still sees
 * every block.  Sanitizer builds have their own malloc, which these would bypass: there the
 * allocation counter is left out (BENCH_NO_MALLOC_HOOK) and reported as not measured.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

struct counts counts;

static int stand_in_vm = -1, stand_in_vcpu = -1;
static bool time_ioctls;

void count_time_ioctls(bool on)
{
	time_ioctls = on;
}

void count_stand_in(int vm_fd, int vcpu_fd)
{
	stand_in_vm = vm_fd;
	stand_in_vcpu = vcpu_fd;
}

/*
 * What a stand-in VM fd answers: the capabilities this project's development host reports
 * (research/host-kvm.md), which are all that kvmdbg_vm_new() asks.  kernel_is_vm_fd() tells a
 * VM fd by KVM_CHECK_EXTENSION working and KVM_GET_API_VERSION not.
 */
static long stand_in(int fd, unsigned long request, void *arg)
{
	if (fd == stand_in_vm && request == KVM_CHECK_EXTENSION) {
		switch ((unsigned long)arg) {
		case KVM_CAP_USER_MEMORY:
		case KVM_CAP_SET_GUEST_DEBUG:
			return 1;
		case KVM_CAP_SET_GUEST_DEBUG2:
			return 0x1f0003;
		default:
			return 0;
		}
	}
	if (fd == stand_in_vcpu && request == KVM_SET_GUEST_DEBUG)
		return 0;
	errno = ENOTTY;
	return -1;
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	counts.ioctl++;
	if (fd >= 0 && (fd == stand_in_vm || fd == stand_in_vcpu))
		return (int)stand_in(fd, request, arg);
	if (time_ioctls) {
		uint64_t t0 = now_ns();
		int ret = (int)syscall(SYS_ioctl, fd, request, arg);

		counts.ioctl_ns += now_ns() - t0;
		return ret;
	}
	return (int)syscall(SYS_ioctl, fd, request, arg);
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	static int (*next)(int, const sigset_t *, sigset_t *);

	counts.sigmask++;
	if (!next) {
		*(void **)&next = dlsym(RTLD_NEXT, "pthread_sigmask");
		if (!next)
			abort();
	}
	return next(how, set, old);
}

#ifndef BENCH_NO_MALLOC_HOOK
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

void *malloc(size_t size)
{
	counts.alloc++;
	return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	counts.alloc++;
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	counts.alloc++;
	return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
	__libc_free(ptr);
}
#endif

bool count_alloc_works(void)
{
	static int works = -1;

	/* found out once, at start: the trial allocation must not land in a measurement */
	if (works < 0) {
		uint64_t before = counts.alloc;
		/* volatile: the compiler may drop a malloc/free pair it can see */
		void *volatile p = malloc(16);

		free(p);
		works = counts.alloc != before;
	}
	return works;
}

double heap_per(uint64_t before, uint64_t after, long n)
{
	if (!count_alloc_works())
		return NAN;
	return (double)(int64_t)(after - before) / (double)n;
}

uint64_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (uint64_t)mi.uordblks + (uint64_t)mi.hblkhd;
}
