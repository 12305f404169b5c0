/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arm64 and ppc64 guest harness of the kvm suite, the parts both share: raw ioctls only (see
 * rguest.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <glib.h>

#include "rguest.h"

uint64_t rg_prog_addr(const struct rg_prog *prog, unsigned int label)
{
	if (label >= prog->nr_offs)
		abort();
	return RG_CODE + prog->offs[label];
}

size_t rg_prog_size(const struct rg_prog *prog)
{
	return (size_t)(prog->end - prog->start);
}

static int rg_guest_init(struct kc_guest *g, const char **ret_why)
{
	size_t stub = (size_t)(rg_arch_stub_end - rg_arch_stub);

	if (stub > RG_VECTOR_STRIDE)
		abort();
	for (uint64_t v = 0; v < RG_VECTORS_SIZE; v += RG_VECTOR_STRIDE)
		memcpy(kc_mem(g, RG_VECTORS + v), rg_arch_stub, stub);
	return 0;
}

void rg_load(struct kc_guest *g, const struct rg_prog *prog)
{
	size_t size = rg_prog_size(prog);

	if (size > RG_CODE_MAX)
		abort();
	memcpy(kc_mem(g, RG_CODE), prog->start, size);
}

int rg_settle(struct kc_guest *g, unsigned int i)
{
	struct kvm_run *run = g->vcpus[i].run;
	int ret;

	if (run->exit_reason != KVM_EXIT_MMIO)
		return 0;
	run->immediate_exit = 1;
	ret = ioctl(g->vcpus[i].fd, KVM_RUN, 0) < 0 ? -errno : 0;
	run->immediate_exit = 0;
	if (ret != -EINTR)
		return ret < 0 ? ret : -EPROTO;
	/* settled: a second call does nothing */
	run->exit_reason = KVM_EXIT_INTR;
	return 0;
}

int rg_enter(struct kc_guest *g, unsigned int i, uint64_t pc)
{
	int ret = rg_settle(g, i);

	if (ret < 0)
		return ret;
	return rg_arch_enter(g, i, pc);
}

uint64_t rg_pc(struct kc_guest *g, unsigned int i)
{
	uint64_t pc;

	return rg_get_pc(g, i, &pc) < 0 ? ~0ull : pc;
}

uint64_t rg_gpr(struct kc_guest *g, unsigned int i, unsigned int n)
{
	uint64_t val = 0;

	g_assert_cmpint(rg_get_gpr(g, i, n, &val), ==, 0);
	return val;
}

int rg_get_one_reg(struct kc_guest *g, unsigned int i, uint64_t id, uint64_t *ret_val)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	/* the 32-bit registers the suite reads land in the low half (little-endian hosts) */
	if (ioctl(g->vcpus[i].fd, KVM_GET_ONE_REG, &reg) < 0)
		return -errno;
	*ret_val = val;
	return 0;
}

int rg_set_one_reg(struct kc_guest *g, unsigned int i, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(g->vcpus[i].fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int rg_set_debug(struct kc_guest *g, unsigned int i, const struct kvm_guest_debug *dbg)
{
	return ioctl(g->vcpus[i].fd, KVM_SET_GUEST_DEBUG, dbg) < 0 ? -errno : 0;
}

/* The instruction word guest RAM holds at @pc; false if @pc is not an aligned word of RAM. */
static bool word_at(struct kc_guest *g, uint64_t pc, uint32_t *ret_word)
{
	/* unsigned: a pc below RAM wraps around to a large offset */
	if (pc - RG_MEM_BASE > RG_MEM_SIZE - sizeof(*ret_word) || pc % 4)
		return false;
	memcpy(ret_word, kc_mem(g, pc), sizeof(*ret_word));
	return true;
}

/*
 * " (memory there: 0x...)": the instruction word that guest RAM holds at @pc, or "" if @pc is
 * not in RAM.  An exit whose pc does not hold the instruction the exit describes means that the
 * vCPU ran something else than guest memory (seen in the vm tier: QEMU's TCG running a stale
 * translation, tests/vm/run.sh).
 */
static const char *pc_word(struct kc_guest *g, uint64_t pc, char *buf, size_t size)
{
	uint32_t word;

	if (!word_at(g, pc, &word))
		snprintf(buf, size, "%s", "");
	else
		snprintf(buf, size, " (memory there: 0x%08x)", word);
	return buf;
}

/*
 * Whether the word guest RAM holds at an MMIO exit's pc cannot have made the exit: on arm64
 * KVM reports MMIO at the faulting load or store, and A64's loads and stores are the
 * encodings with bit 27 set and bit 25 clear.  Then the vCPU ran code that memory does not
 * hold: the arm64 machines' QEMU fault of tests/vm/run.sh (setup_arm64), which tests/vm/init.sh
 * recognises by EMULATOR_FAULT and answers by running the program once more.
 */
static bool mmio_impossible(struct kc_guest *g, uint64_t pc)
{
#if defined(__aarch64__)
	uint32_t word;

	return word_at(g, pc, &word) && (word & 0x0a000000) != 0x08000000;
#else
	(void)g;
	(void)pc;
	return false;
#endif
}

const char *rg_exit_str(struct kc_guest *g, unsigned int i, char *buf, size_t size)
{
	const struct kvm_run *run = g->vcpus[i].run;
	uint64_t pc = rg_pc(g, i);
	char mem[40], data[32] = "";

	pc_word(g, pc, mem, sizeof(mem));
	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		if (run->mmio.is_write && run->mmio.len <= sizeof(uint64_t)) {
			uint64_t val = 0;

			/* the bytes as the guest stored them; little-endian guests and hosts */
			memcpy(&val, run->mmio.data, run->mmio.len);
			snprintf(data, sizeof(data), " (0x%llx)", (unsigned long long)val);
		}
		snprintf(buf, size, "mmio %s of %u bytes%s at 0x%llx, pc 0x%llx%s%s",
			 run->mmio.is_write ? "write" : "read", run->mmio.len, data,
			 (unsigned long long)run->mmio.phys_addr, (unsigned long long)pc, mem,
			 mmio_impossible(g, pc) ? "; EMULATOR_FAULT: no load or store there, the "
						  "vCPU ran code that guest memory does not hold"
						: "");
		break;
	case KVM_EXIT_DEBUG:
#if defined(__aarch64__)
		snprintf(buf, size, "debug exit, esr 0x%x (class 0x%x), far 0x%llx, pc 0x%llx%s",
			 run->debug.arch.hsr, run->debug.arch.hsr >> 26,
			 (unsigned long long)run->debug.arch.far, (unsigned long long)pc, mem);
#else
		snprintf(buf, size, "debug exit, status 0x%x, address 0x%llx, pc 0x%llx%s",
			 run->debug.arch.status, (unsigned long long)run->debug.arch.address,
			 (unsigned long long)pc, mem);
#endif
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, size, "internal error, suberror %u, pc 0x%llx%s",
			 run->internal.suberror, (unsigned long long)pc, mem);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, size, "entry failure 0x%llx",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		snprintf(buf, size, "system event %u", run->system_event.type);
		break;
	default:
		snprintf(buf, size, "exit reason %u, pc 0x%llx%s", run->exit_reason,
			 (unsigned long long)pc, mem);
		break;
	}
	return buf;
}

bool rg_exit_is_mmio(struct kc_guest *g, unsigned int i, uint64_t port)
{
	const struct kvm_run *run = g->vcpus[i].run;

	return run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write && run->mmio.len == 4 &&
	       run->mmio.phys_addr == RG_MMIO + port;
}

const struct kc_arch kc_arch = {
	.mem_base = RG_MEM_BASE,
	.mem_size = RG_MEM_SIZE,
	.vm_type = RG_VM_TYPE,
#if defined(__powerpc64__)
	.create_vm_why = "KVM_CREATE_VM(KVM_VM_PPC_PR) failed (the harness runs KVM-PR guests)",
#else
	.create_vm_why = "KVM_CREATE_VM failed",
#endif
	.watchdog_seconds = RG_WATCHDOG_SECONDS,
	.guest_init = rg_guest_init,
	.vcpu_init = rg_arch_init_vcpu,
	.pc = rg_pc,
	.exit_str = rg_exit_str,
};
