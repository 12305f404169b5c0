/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmdbg - a guest-debug layer over Linux KVM.
 */
#ifndef KVMDBG_KVMDBG_H
#define KVMDBG_KVMDBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/version.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @file kvmdbg.h
 * @brief The whole public API of libkvmdbg.
 */

/**
 * @defgroup common Conventions, version and errors
 * @{
 *
 * Every fallible call returns 0 (or a non-negative count or code) on success and a
 * negative errno value on failure. Bad caller input, NULL included, is @c -EINVAL and is
 * refused before the kernel sees anything; what the architecture or the running kernel
 * cannot do is @c -EOPNOTSUPP; exhausted hardware slots are @c -ENOSPC. A call that fails
 * changes nothing. Out-parameters are named @c ret_* and come last; they are left
 * untouched on failure.
 *
 * The library never opens or closes a file descriptor, never runs @c KVM_RUN, never logs
 * and keeps no global state.
 */

struct kvm_run;

/**
 * @brief Runtime version of the library.
 * @return The version string of the library that is linked, for example "0.2.0"; a static
 *         string.
 * @since 0.1
 */
const char *kvmdbg_version_string(void);

/** @} */

/**
 * @defgroup vm The VM object
 * @{
 *
 * A VM object is attached to a KVM VM file descriptor the caller owns. It holds the
 * VM-wide breakpoint table, the way to reach guest memory, the probed capabilities and
 * the list of attached vCPU objects. Every VM function may be called from any thread,
 * including while vCPUs run: changes reach a vCPU at its next kvmdbg_vcpu_pre_run().
 */

struct kvmdbg_vm;
struct kvmdbg_vcpu;
struct kvmdbg_point;
struct kvmdbg_event;

/**
 * @brief Features a VM can be asked about with kvmdbg_vm_has_feature().
 * @since 0.1
 */
enum kvmdbg_feature {
	/** KVM_SET_GUEST_DEBUG works at all. */
	KVMDBG_FEATURE_GUEST_DEBUG = 1,
	/** Single-step. */
	KVMDBG_FEATURE_SINGLE_STEP = 2,
	/** Software breakpoints (the kernel intercepts the breakpoint instruction). */
	KVMDBG_FEATURE_SW_BREAKPOINT = 3,
	/** Hardware execute breakpoints. */
	KVMDBG_FEATURE_HW_BREAKPOINT = 4,
	/** Write watchpoints. */
	KVMDBG_FEATURE_WATCH_WRITE = 5,
	/** Read-only watchpoints (never on x86). */
	KVMDBG_FEATURE_WATCH_READ = 6,
	/** Read-or-write watchpoints. */
	KVMDBG_FEATURE_WATCH_ACCESS = 7,
	/** Interrupts are held off while single-stepping (x86 KVM_GUESTDBG_BLOCKIRQ). */
	KVMDBG_FEATURE_STEP_BLOCK_IRQ = 8,
	/**
	 * A guest-owned breakpoint or debug exception can be handed back to the guest.
	 */
	KVMDBG_FEATURE_REINJECT = 9,
};

/**
 * @brief Attach a new VM object to a KVM VM file descriptor.
 *
 * Probes the kernel's guest-debug capabilities with @c KVM_CHECK_EXTENSION on @p vm_fd.
 * The file descriptor stays the caller's: the VM object never closes it, and it must stay
 * open until kvmdbg_vm_free().
 *
 * @param vm_fd A KVM VM file descriptor (from @c KVM_CREATE_VM).
 * @param ret_vm Where to store the new object.
 * @return 0 on success; -EINVAL if @p vm_fd is negative, is not a KVM VM file descriptor
 *         (the @c /dev/kvm fd itself, a vCPU fd or any other file), or @p ret_vm is NULL;
 *         -ENOMEM.
 * @since 0.1
 */
int kvmdbg_vm_new(int vm_fd, struct kvmdbg_vm **ret_vm);

/**
 * @brief Free a VM object and everything it owns.
 *
 * Every software breakpoint still inserted is removed first, so guest memory is left as
 * it was before the library touched it (except where the guest itself overwrote a
 * breakpoint). vCPU objects still attached are freed with it, as by kvmdbg_vcpu_free();
 * their pointers are invalid afterwards. No vCPU of the VM may be inside a library call
 * at the time.
 *
 * @param vm The VM object; NULL is a no-op.
 * @since 0.1
 */
void kvmdbg_vm_free(struct kvmdbg_vm *vm);

/**
 * @brief Ask whether the kernel and architecture offer a feature.
 *
 * Answers come from the capability probe done by kvmdbg_vm_new(); where the kernel does
 * not advertise @c KVM_CAP_SET_GUEST_DEBUG, the first kvmdbg_vcpu_new() makes a trial
 * call and settles the answer.
 *
 * A feature the kernel accepts can still be one a particular host does not deliver (a
 * nested or paravirtual KVM); the library cannot see that without running a guest, which
 * kvmdbg_vm_probe() does on request (see kvmdbg_vm_get_support()).
 *
 * @param vm The VM object.
 * @param feature One of enum kvmdbg_feature.
 * @return 1 if offered, 0 if not, -EINVAL for a NULL @p vm or an unknown @p feature.
 * @since 0.1
 */
int kvmdbg_vm_has_feature(struct kvmdbg_vm *vm, enum kvmdbg_feature feature);

/**
 * @brief How far a feature works, as kvmdbg_vm_get_support() reports it.
 * @since 0.2
 */
enum kvmdbg_support {
	/** The kernel or the architecture does not offer it. */
	KVMDBG_SUPPORT_NONE = 0,
	/** The kernel accepts it; whether it is delivered was not probed. */
	KVMDBG_SUPPORT_ACCEPTED = 1,
	/**
	 * The kernel accepts it, but the probe saw it not delivered (the guest ran past a
	 * breakpoint, a watched store did not stop it, the vCPU wedged).
	 */
	KVMDBG_SUPPORT_NOT_DELIVERED = 2,
	/** The probe saw it work: the exit came, at the right place. */
	KVMDBG_SUPPORT_DELIVERED = 3,
};

/**
 * @brief Find out which accepted features this host really delivers.
 *
 * Some kernels accept a guest-debug request and never act on it (a paravirtual or nested
 * KVM may take @c USE_SW_BP and wedge the vCPU at the first @c int3, or take data
 * watchpoints and never fire them). This opt-in probe creates a throwaway VM with @c
 * KVM_CREATE_VM on @p kvm_fd, runs a tiny real-mode guest once per feature, and records
 * for each whether the exit came where it should. It takes a few milliseconds, touches
 * nothing of the caller's VM, and leaves no file descriptor open.
 *
 * x86 only: the probe guests are x86 code. Elsewhere it returns -EOPNOTSUPP and the answers
 * stay #KVMDBG_SUPPORT_ACCEPTED.
 *
 * @param vm The VM object whose answers it records.
 * @param kvm_fd An open @c /dev/kvm file descriptor (it stays the caller's).
 * @return 0; -EINVAL for a NULL @p vm or a negative @p kvm_fd; -EOPNOTSUPP off x86; the
 *         negative errno of a failing ioctl (a probe guest that the host cannot run at all
 *         is not a failure: that feature is recorded as not delivered); -ENOMEM.
 * @since 0.2
 */
int kvmdbg_vm_probe(struct kvmdbg_vm *vm, int kvm_fd);

/**
 * @brief How far a feature works on this host.
 *
 * Without kvmdbg_vm_probe() every feature kvmdbg_vm_has_feature() reports is
 * #KVMDBG_SUPPORT_ACCEPTED; after it, the features it could probe are
 * #KVMDBG_SUPPORT_DELIVERED or #KVMDBG_SUPPORT_NOT_DELIVERED (on x86: single-step, software
 * breakpoints, hardware breakpoints, write and read-or-write watchpoints).
 *
 * @param vm The VM object.
 * @param feature One of enum kvmdbg_feature.
 * @return An enum kvmdbg_support value; -EINVAL for a NULL @p vm or an unknown @p feature.
 * @since 0.2
 */
int kvmdbg_vm_get_support(struct kvmdbg_vm *vm, enum kvmdbg_feature feature);

/**
 * @brief Number of hardware debug slots of each vCPU.
 *
 * On x86 the four address registers DR0-DR3 are shared between execute breakpoints and
 * watchpoints, so this is 4 for both.
 *
 * @param vm The VM object.
 * @param watchpoints false for breakpoint slots, true for watchpoint slots.
 * @return The slot count (0 when the kernel has none), or -EINVAL for a NULL @p vm.
 * @since 0.1
 */
int kvmdbg_vm_get_hw_slots(struct kvmdbg_vm *vm, bool watchpoints);

/**
 * @brief The control bits the kernel accepts in @c KVM_SET_GUEST_DEBUG.
 *
 * This is the @c KVM_CAP_SET_GUEST_DEBUG2 mask intersected with the bits the library can
 * send on this architecture (s390 reports @c KVM_GUESTDBG_EXIT_PENDING, which its ioctl
 * refuses), or, on kernels that predate the capability, the bits the architecture has always
 * had. The library never sends a bit outside it.
 *
 * @param vm The VM object.
 * @param ret_mask Where to store the mask.
 * @return 0, or -EINVAL for a NULL argument.
 * @since 0.1
 */
int kvmdbg_vm_get_control_mask(struct kvmdbg_vm *vm, uint32_t *ret_mask);

/**
 * @defgroup memory Guest memory
 * @{
 *
 * Software breakpoints are written into guest memory, so the library needs a way to read
 * and write it and to translate the addresses breakpoints are set at (guest-virtual, or
 * linear on x86) into guest-physical addresses. The caller either registers its guest RAM
 * regions or supplies callbacks; both may be combined (regions are tried first).
 *
 * Translation: a translate callback if there is one; else the VM's default translation
 * (kvmdbg_vm_set_default_translation()), which works on the translating vCPU
 * (kvmdbg_vm_set_translate_vcpu(); by default the vCPU that reported the latest event, else
 * the first attached one):
 * - On x86 and arm64, by default, the library walks the guest's page tables itself
 *   (#KVMDBG_TRANSLATION_WALK) from that vCPU's translation registers (x86: CR0, CR3, CR4,
 *   EFER, the PAE PDPTRs and the guest's MAXPHYADDR; arm64: SCTLR_EL1, TCR_EL1, TTBR0_EL1,
 *   TTBR1_EL1 and ID_AA64MMFR0_EL1, stage 1 of EL1&0). It reads the tables through the
 *   registered regions and the read callback, with the VM object's lock held, and never
 *   writes them: no Accessed or Dirty bit changes, so a snapshot taken before compares
 *   equal after. An address that no entry maps is -EFAULT; registers the architecture
 *   forbids or the walker does not know (x86 long mode without PAE, arm64 AArch32 EL1, a
 *   reserved granule) are -EINVAL.
 * - On x86, on request, @c KVM_TRANSLATE on that vCPU (#KVMDBG_TRANSLATION_KVM): the
 *   kernel's own walk, which sets the Accessed bits of the entries it passes.
 * - Elsewhere (s390, ppc, riscv, LoongArch) there is no default: a guest whose addresses are
 *   physical ones says so with kvmdbg_translate_identity(), any other needs a callback, and
 *   software breakpoints (and s390 watchpoints) are refused with -EOPNOTSUPP until then.
 *
 * Both defaults ask the kernel through the vCPU (its registers, or @c KVM_TRANSLATE), which
 * waits while that vCPU is inside @c KVM_RUN: the library never holds its lock across it, so
 * only the calling thread waits, and a vCPU thread translating for its own stop never waits.
 * The page tables a walk uses are the ones that vCPU has loaded: under KPTI a kernel address
 * does not translate through a vCPU that runs user code (-EFAULT); choose the vCPU.
 *
 * What a translation costs: a walk reads the registers once per library call, whatever the
 * number of addresses it translates (an insert near a page's end, a kvmdbg_vm_read_memory()
 * over several pages): on x86 two vCPU calls (@c KVM_GET_SREGS2 or @c KVM_GET_SREGS, and
 * @c KVM_GET_CPUID2), on arm64 five @c KVM_GET_ONE_REG (two while the MMU is off); each
 * address then costs up to five reads of guest memory, with no system call.
 * @c KVM_TRANSLATE is one vCPU call per address. A vCPU call is a system call that loads the
 * vCPU (the guide gives measured figures), far dearer than a walk's reads: a caller that
 * inserts many points in a guest it knows (an identity map, a kernel's linear map) spares
 * them with a callback.
 *
 * The same translation and the same lock serve kvmdbg_vm_read_memory() and
 * kvmdbg_vm_write_memory(): guest memory as the guest's program sees it, with the original
 * bytes in place of every planted breakpoint instruction, which is what a debugger shows
 * and edits.
 */

/**
 * @brief Read guest-physical memory.
 * @param user_data The pointer given to kvmdbg_vm_set_memory_ops().
 * @param gpa Guest-physical address.
 * @param buf Destination.
 * @param len Byte count.
 * @return 0, or a negative errno (-EFAULT when @p gpa is not backed).
 */
typedef int (*kvmdbg_read_fn)(void *user_data, uint64_t gpa, void *buf, size_t len);

/**
 * @brief Write guest-physical memory.
 * @param user_data The pointer given to kvmdbg_vm_set_memory_ops().
 * @param gpa Guest-physical address.
 * @param buf Source.
 * @param len Byte count.
 * @return 0, or a negative errno (-EFAULT when @p gpa is not backed).
 */
typedef int (*kvmdbg_write_fn)(void *user_data, uint64_t gpa, const void *buf, size_t len);

/**
 * @brief Translate a guest-virtual (x86: linear) address to guest-physical.
 * @param user_data The pointer given to kvmdbg_vm_set_memory_ops().
 * @param gva Guest-virtual address.
 * @param ret_gpa Where to store the guest-physical address.
 * @return 0, or a negative errno (-EFAULT when @p gva is not mapped).
 */
typedef int (*kvmdbg_translate_fn)(void *user_data, uint64_t gva, uint64_t *ret_gpa);

/**
 * @brief The identity translation, to pass as kvmdbg_vm_set_memory_ops()'s @p translate.
 *
 * For a guest whose virtual addresses are its physical ones (no MMU, or an identity map the
 * caller vouches for).
 *
 * @param user_data Ignored.
 * @param gva The address.
 * @param ret_gpa Set to @p gva.
 * @return 0, or -EINVAL for a NULL @p ret_gpa.
 * @since 0.2
 */
int kvmdbg_translate_identity(void *user_data, uint64_t gva, uint64_t *ret_gpa);

/**
 * @brief Register a region of guest RAM mapped into this process.
 *
 * @param vm The VM object.
 * @param gpa Guest-physical base address.
 * @param size Size in bytes (not 0, not wrapping around).
 * @param host Where the region is mapped in this process; it must stay mapped until the
 *             region is removed or the VM object is freed.
 * @return 0; -EINVAL for NULL or an empty or wrapping region; -EEXIST if it overlaps a
 *         region already registered; -ENOMEM.
 * @since 0.1
 */
int kvmdbg_vm_add_memory(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t size, void *host);

/**
 * @brief Forget a region of guest RAM registered with kvmdbg_vm_add_memory().
 *
 * For a VMM that unmaps or remaps guest memory: after this call the library no longer
 * touches @p host. Points whose bytes lie in the region stay as they are: the library still
 * counts their breakpoint instructions as planted there, so a VMM that moves the memory
 * (keeping its contents) registers the new mapping and carries on; one that replaces the
 * contents removes those points first, or tells the library with
 * kvmdbg_vm_mark_all_armed() that the new contents hold them.
 *
 * @param vm The VM object.
 * @param gpa The guest-physical base address the region was registered with.
 * @return 0; -EINVAL for a NULL @p vm; -ENOENT if no region starts at @p gpa.
 * @since 0.2
 */
int kvmdbg_vm_remove_memory(struct kvmdbg_vm *vm, uint64_t gpa);

/**
 * @brief Set callbacks for guest memory access and address translation.
 *
 * Any callback may be NULL: reads and writes then use the registered regions only, and
 * translation uses the default translation (x86 and arm64: the library's page walk;
 * elsewhere none, see the introduction of this group). The read and write callbacks are
 * called with the VM object's lock held (a page walk reads the page tables through them
 * too), the translate callback without it; all of them from whichever thread calls into the
 * library, with every signal blocked when that is a vCPU call (kvmdbg_vcpu_pre_run(),
 * kvmdbg_vcpu_handle_exit()). They must not call back into the library.
 *
 * @param vm The VM object.
 * @param read Guest-physical read, or NULL.
 * @param write Guest-physical write, or NULL.
 * @param translate Guest-virtual to guest-physical translation, kvmdbg_translate_identity,
 *                  or NULL.
 * @param user_data Passed to every callback.
 * @return 0, or -EINVAL for a NULL @p vm.
 * @since 0.1
 */
int kvmdbg_vm_set_memory_ops(struct kvmdbg_vm *vm, kvmdbg_read_fn read, kvmdbg_write_fn write,
			     kvmdbg_translate_fn translate, void *user_data);

/**
 * @brief Choose the vCPU whose address translation VM-wide calls use.
 *
 * The default translation, a walk or @c KVM_TRANSLATE, follows the page tables a vCPU has
 * loaded (its CR3, its TTBRs): a kernel address may not translate through a vCPU that runs
 * user code (KPTI), and a user address translates in the process that vCPU runs. A gdb
 * stub passes the vCPU gdb selected. Without a choice (or after passing NULL), the vCPU that
 * reported the latest event translates, else the first one attached. A translate callback,
 * when there is one, is called instead and gets no vCPU.
 *
 * @param vm The VM object.
 * @param vcpu A vCPU of @p vm, or NULL for the default.
 * @return 0; -EINVAL for a NULL @p vm or a vCPU of another VM.
 * @since 0.2
 */
int kvmdbg_vm_set_translate_vcpu(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu);

/**
 * @brief How a VM translates addresses when it has no translate callback.
 * @since 0.2
 */
enum kvmdbg_translation {
	/** The architecture's default: #KVMDBG_TRANSLATION_WALK on x86 and arm64, else none. */
	KVMDBG_TRANSLATION_DEFAULT = 0,
	/** No translation: every translation fails with -EOPNOTSUPP. */
	KVMDBG_TRANSLATION_NONE = 1,
	/** The library walks the guest's page tables (x86, arm64). */
	KVMDBG_TRANSLATION_WALK = 2,
	/** @c KVM_TRANSLATE on the translating vCPU (x86). */
	KVMDBG_TRANSLATION_KVM = 3,
};

/**
 * @brief Choose how the VM translates addresses when it has no translate callback.
 *
 * For a debugger that wants the kernel's own answer (#KVMDBG_TRANSLATION_KVM, x86), or a
 * caller that wants every translation refused until it sets a callback
 * (#KVMDBG_TRANSLATION_NONE). A translate callback (kvmdbg_vm_set_memory_ops()) is always
 * used instead when there is one. Points already inserted keep the addresses they were
 * translated to.
 *
 * @param vm The VM object.
 * @param how The translation; #KVMDBG_TRANSLATION_DEFAULT goes back to the architecture's.
 * @return 0; -EINVAL for a NULL @p vm or an unknown @p how; -EOPNOTSUPP when the
 *         architecture has no such translation (a walk off x86 and arm64, @c KVM_TRANSLATE
 *         off x86).
 * @since 0.2
 */
int kvmdbg_vm_set_default_translation(struct kvmdbg_vm *vm, enum kvmdbg_translation how);

/**
 * @brief The translation the VM uses when it has no translate callback.
 *
 * @param vm The VM object.
 * @param ret_how Where to store it: #KVMDBG_TRANSLATION_NONE, #KVMDBG_TRANSLATION_WALK or
 *                #KVMDBG_TRANSLATION_KVM, never #KVMDBG_TRANSLATION_DEFAULT.
 * @return 0, or -EINVAL for a NULL argument.
 * @since 0.2
 */
int kvmdbg_vm_get_default_translation(struct kvmdbg_vm *vm, enum kvmdbg_translation *ret_how);

/**
 * @brief Translate a guest-virtual address as the library does for its own calls.
 *
 * The translate callback if there is one, else the default translation (see the
 * introduction of this group), for one address: what a gdb stub needs to show a physical
 * address or to reach a page the way a breakpoint insert would. Every call reads the
 * registers anew (see the cost in the introduction).
 *
 * @param vm The VM object.
 * @param vcpu The vCPU whose translation applies, or NULL for the default (see
 *             kvmdbg_vm_set_translate_vcpu()).
 * @param gva Guest-virtual (x86: linear) address.
 * @param ret_gpa Where to store the guest-physical address.
 * @return 0; -EINVAL for a NULL argument or a vCPU of another VM; -EFAULT when @p gva does
 *         not translate (no entry maps it, a page table is not backed, or no vCPU is
 *         attached); -EINVAL when the vCPU's translation registers are ones the walker
 *         cannot use; -EOPNOTSUPP when there is no translation; a callback's or the
 *         kernel's error.
 * @since 0.2
 */
int kvmdbg_vm_translate(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t gva,
			uint64_t *ret_gpa);

/**
 * @brief Read guest memory as the guest's program sees it.
 *
 * Bytes under a planted software breakpoint read as the original instruction, not as the
 * breakpoint instruction. The range may cross pages: each page is translated on its own.
 *
 * @param vm The VM object.
 * @param vcpu The vCPU whose translation applies, or NULL for the default (see
 *             kvmdbg_vm_set_translate_vcpu()).
 * @param addr Guest-virtual (x86: linear) address.
 * @param buf Destination.
 * @param len Byte count.
 * @return 0; -EINVAL for NULL arguments, a range that wraps or a @p len of half the
 *         address space or more; -EFAULT when a page does
 *         not translate or is not backed (nothing is stored in @p buf then); -EOPNOTSUPP
 *         when there is no translation (see the introduction); a callback's error, or the
 *         kernel's error of a vCPU call the translation made (as kvmdbg_vm_translate()).
 * @since 0.2
 */
int kvmdbg_vm_read_memory(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr, void *buf,
			  size_t len);

/**
 * @brief Write guest memory as the guest's program sees it.
 *
 * Where the range covers a planted software breakpoint, the new bytes become the original
 * bytes the breakpoint will restore, and the breakpoint instruction stays in memory: the
 * breakpoint keeps working, and removing it later leaves what was written here. Every page
 * is translated, and found in guest memory, before anything is written: a range that does
 * not translate whole, or that runs past the registered memory where no write callback
 * takes it, changes nothing.
 *
 * @param vm The VM object.
 * @param vcpu The vCPU whose translation applies, or NULL for the default.
 * @param addr Guest-virtual (x86: linear) address.
 * @param buf Source.
 * @param len Byte count.
 * @return 0; as kvmdbg_vm_read_memory() otherwise.  The one write that can be left
 *         half done is a write callback's that fails midway: the bytes before it are
 *         written.
 * @since 0.2
 */
int kvmdbg_vm_write_memory(struct kvmdbg_vm *vm, struct kvmdbg_vcpu *vcpu, uint64_t addr,
			   const void *buf, size_t len);

/**
 * @brief Read guest-physical memory as the guest's program sees it.
 *
 * As kvmdbg_vm_read_memory(), by guest-physical address, without translation.
 *
 * @param vm The VM object.
 * @param gpa Guest-physical address.
 * @param buf Destination.
 * @param len Byte count.
 * @return 0; -EINVAL for NULL arguments, a range that wraps or a @p len of half the
 *         address space or more; -EFAULT when not backed; a callback's error.
 * @since 0.2
 */
int kvmdbg_vm_read_phys(struct kvmdbg_vm *vm, uint64_t gpa, void *buf, size_t len);

/**
 * @brief Write guest-physical memory as the guest's program sees it.
 *
 * As kvmdbg_vm_write_memory(), by guest-physical address, without translation.
 *
 * @param vm The VM object.
 * @param gpa Guest-physical address.
 * @param buf Source.
 * @param len Byte count.
 * @return As kvmdbg_vm_read_phys().
 * @since 0.2
 */
int kvmdbg_vm_write_phys(struct kvmdbg_vm *vm, uint64_t gpa, const void *buf, size_t len);

/** @} */

/**
 * @defgroup points Breakpoints and watchpoints
 * @{
 *
 * A point is a breakpoint or a watchpoint. VM-wide points (kvmdbg_vm_insert()) apply to
 * every vCPU, present and future; vCPU points (kvmdbg_vcpu_insert()) fire on one vCPU
 * only. A point is identified by its scope, type and address: removing is by that key, so
 * removing twice is a clean -ENOENT. Each point also has an id, a number unique within its
 * VM and never reused: a point removed and inserted again at the same place has a new id.
 * The library hands out no pointer into its own state: events carry what they say about
 * their point by value, and kvmdbg_vm_get_point() gives a snapshot the caller owns
 * (libgpiod's line-info objects work the same way), so any thread may remove a point at
 * any time without invalidating what another thread holds.
 */

/**
 * @brief Kind of point.  The values match the GDB remote protocol's Z packet types.
 * @since 0.1
 */
enum kvmdbg_point_type {
	/**
	 * Software breakpoint: the architecture's breakpoint instruction in guest memory.
	 */
	KVMDBG_POINT_SW_BREAK = 0,
	/** Hardware execute breakpoint (a debug register slot). */
	KVMDBG_POINT_HW_BREAK = 1,
	/** Watchpoint on writes. */
	KVMDBG_POINT_WATCH_WRITE = 2,
	/** Watchpoint on reads only (-EOPNOTSUPP on x86, which cannot do it). */
	KVMDBG_POINT_WATCH_READ = 3,
	/** Watchpoint on reads and writes. */
	KVMDBG_POINT_WATCH_ACCESS = 4,
};

/**
 * @brief Flags for kvmdbg_vm_insert() and kvmdbg_vcpu_insert().
 * @since 0.1
 */
enum kvmdbg_point_flags {
	/**
	 * Fire once: the point disarms itself when it is hit (a software breakpoint puts
	 * the original bytes back, a hardware one disables its slot), stays in the table
	 * with kvmdbg_point_is_armed() false on its snapshots, and can be armed again with
	 * kvmdbg_vm_rearm().
	 */
	KVMDBG_POINT_ONESHOT = 1 << 0,
	/**
	 * Software breakpoints: where the address does not translate yet, or what it
	 * translates to is not guest memory yet (code not loaded, a page not mapped, a
	 * kernel not yet decompressed), insert it all the same as a pending point, which
	 * kvmdbg_vm_plant_pending() plants once it can be.  Without this flag such an insert
	 * fails with -EFAULT.  A pending point has an address and an id, and no place in
	 * memory: kvmdbg_point_is_pending() says so.  (Since 0.2.)
	 */
	KVMDBG_POINT_PENDING = 1 << 1,
	/**
	 * Software breakpoints: when kvmdbg_vm_heal() finds other bytes where the library
	 * wrote the breakpoint instruction (the guest loaded or patched code there), the
	 * point is planted again over the new code, whose bytes become its original ones.
	 * Without this flag the guest's code stays and the point is lost, as before: its
	 * removal returns 1.  (Since 0.2.)
	 */
	KVMDBG_POINT_SELF_HEAL = 1 << 2,
};

/**
 * @brief Insert a VM-wide breakpoint or watchpoint.
 *
 * A software breakpoint is written into guest memory at once, after the original bytes
 * have been saved. A hardware point takes a slot on every attached vCPU (and on every
 * vCPU attached later); if any vCPU has no free slot, nothing is inserted.
 *
 * Insert the first software breakpoint while the vCPUs are stopped (or kick them, see
 * kvmdbg_vcpu_kick()): until a vCPU's next kvmdbg_vcpu_pre_run() its kernel does not yet
 * intercept the breakpoint instruction, and a guest that reaches it then takes the trap
 * itself.
 *
 * What each architecture accepts:
 * - x86: watchpoints of 1, 2, 4 or 8 bytes, naturally aligned, write or read-or-write
 *   (no read-only); 4 slots shared by breakpoints and watchpoints.
 * - arm64: watchpoints of 1 to 8 bytes within one aligned doubleword, read, write or
 *   both; breakpoint and watchpoint slot counts from the kernel.
 * - s390: write watchpoints of 1 to 100 bytes; at most 50 hardware points.  The kernel
 *   needs the guest-physical address of every hardware point, breakpoints too: it comes
 *   from the translate callback (kvmdbg_translate_identity() for a guest without
 *   paging), and without one the insert fails with -EOPNOTSUPP.
 * - ppc: BookE has 2 breakpoint and 2 watchpoint slots; Book3S has no hardware points at
 *   all (-EOPNOTSUPP).  A software breakpoint needs an attached vCPU first (the
 *   instruction is read from it).
 * - Breakpoints take a length of 0, 1 or the architecture's instruction size (s390 2,
 *   ppc and arm64 4, riscv 2 or 4).
 *
 * Where the kernel cannot single-step (riscv, ppc Book3S HV) the library cannot step over
 * a breakpoint either, and per-vCPU software breakpoints are refused with -EOPNOTSUPP.
 *
 * The address is translated before the VM's lock is taken (see @ref memory), so a
 * translation that waits (@c KVM_TRANSLATE on a running vCPU) holds up only this call. A
 * breakpoint instruction that crosses a page boundary (s390's 4-byte DIAG, riscv's 4-byte
 * ebreak at the last halfword of a page) is written page by page, each page where it
 * translates. Two virtual addresses that map to the same physical bytes cannot both hold
 * a software breakpoint: the second is refused with -EEXIST.
 *
 * @param vm The VM object.
 * @param type The kind of point.
 * @param addr Guest-virtual address (x86: linear; the same value @c KVM_EXIT_DEBUG
 *             reports as pc).
 * @param len Watched length, or 0 for breakpoints (see above).
 * @param flags A mask of enum kvmdbg_point_flags (#KVMDBG_POINT_PENDING and
 *              #KVMDBG_POINT_SELF_HEAL for software breakpoints only).
 * @param user_data Any pointer; events of the point carry it.
 * @param ret_id Where to store the new point's id, or NULL.
 * @return 0 on success. -EINVAL: NULL @p vm, unknown type or flags, bad length or
 *         alignment. -EOPNOTSUPP: the architecture or the kernel cannot do this kind, or
 *         there is no address translation (see @ref memory). -EEXIST: a point of the same
 *         type at the same address exists that some vCPU would also carry (for software
 *         breakpoints: any whose instruction would overlap this one's, virtually or
 *         physically). -ENOSPC: no free hardware slot. -EFAULT: the address does not
 *         translate or is not backed by guest memory. A read, write or translate
 *         callback's error; the kernel's error of a vCPU call the default translation
 *         made (a register read, @c KVM_TRANSLATE). -ENOMEM.
 * @since 0.1; 0.2 added @p ret_id (the 0.1 call returned a point object).
 */
int kvmdbg_vm_insert(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr, uint64_t len,
		     unsigned int flags, void *user_data, uint64_t *ret_id);

/**
 * @brief Insert a VM-wide point that fires only in one address space.
 *
 * As kvmdbg_vm_insert(), but the point is the library's only while the vCPU that hits it
 * runs in the address space that @p space names: a hit in any other (another process
 * running the same shared code, say) is stepped over unseen, as another vCPU's breakpoint
 * is, and counted
 * (kvmdbg_point_get_foreign_hits()). What an address space is, per architecture
 * (kvmdbg_vcpu_get_space() reads a vCPU's):
 * - x86: the page-table root, CR3 without the PCID and the flag bits (bits 51:12). A
 *   Linux process under KPTI has two, user and kernel (they differ in bit 12): a point for
 *   its user code takes the user one.
 * - arm64: the ASID, from TTBR1_EL1 where TCR_EL1.A1 says so (Linux sets it), else from
 *   TTBR0_EL1; 8 bits unless TCR_EL1.AS. Under KPTI a Linux process has two ASIDs too,
 *   the user one odd (USER_ASID_FLAG).
 * - elsewhere: -EOPNOTSUPP.
 *
 * The check costs a register read (one @c KVM_GET_SREGS or three @c KVM_GET_ONE_REG) on
 * each hit of a scoped point only; a hit of any other point reads nothing. The point is
 * planted as any other: a software breakpoint through the translation of the insert,
 * which must be that of @p space (see kvmdbg_vm_set_translate_vcpu()).
 *
 * @param vm The VM object.
 * @param type The kind of point.
 * @param addr As kvmdbg_vm_insert().
 * @param len As kvmdbg_vm_insert().
 * @param flags As kvmdbg_vm_insert().
 * @param space The address-space id the point fires in.
 * @param user_data Any pointer; events of the point carry it.
 * @param ret_id Where to store the new point's id, or NULL.
 * @return As kvmdbg_vm_insert(); -EOPNOTSUPP where the architecture has no address-space
 *         id.
 * @since 0.2
 */
int kvmdbg_vm_insert_in_space(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
			      uint64_t len, unsigned int flags, uint64_t space, void *user_data,
			      uint64_t *ret_id);

/**
 * @brief Insert many VM-wide software breakpoints at once.
 *
 * As kvmdbg_vm_insert() of each address with length 0, the same @p flags and @p
 * user_data, but in one call: the VM's lock is taken once per 4096 points rather than
 * twice per point, and each guest page is translated once, not once per point (the
 * translation of a page is reused for every address on it within this call). A
 * coverage fuzzer plants a breakpoint on every basic block this way.
 *
 * All or nothing: if one address fails, the points this call inserted before it are
 * removed again (as kvmdbg_vm_remove() would; one whose bytes cannot be restored stays,
 * as there), the error is returned and @p ret_failed says which address it was.
 *
 * @param vm The VM object.
 * @param type #KVMDBG_POINT_SW_BREAK (hardware points are few: insert them one by one).
 * @param addrs The addresses, as kvmdbg_vm_insert() takes them; sorted ones translate
 *              fastest.
 * @param n How many.
 * @param flags A mask of enum kvmdbg_point_flags, for every point.
 * @param user_data Any pointer, for every point.
 * @param ret_ids Where to store the n new ids, in the order of @p addrs, or NULL; left
 *                untouched when the call fails.
 * @param ret_failed Where to store the index of the address that failed, or NULL.
 * @return 0 when all were inserted; -EINVAL for a NULL @p vm or @p addrs, an unknown
 *         type or flags, a bad alignment; -EOPNOTSUPP for a hardware type, or when the
 *         kernel cannot do software breakpoints; -EEXIST for an address taken, or one whose
 *         instruction would overlap another's; -EFAULT for one that does not translate
 *         or is not guest memory (unless #KVMDBG_POINT_PENDING); a callback's error, or
 *         the kernel's error of a vCPU call the translation made (as kvmdbg_vm_insert());
 *         -ENOSPC past 16,777,215 software breakpoints; -ENOMEM.
 * @since 0.2
 */
int kvmdbg_vm_insert_many(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, const uint64_t *addrs,
			  size_t n, unsigned int flags, void *user_data, uint64_t *ret_ids,
			  size_t *ret_failed);

/**
 * @brief Remove a VM-wide point.
 *
 * A software breakpoint gets its original bytes back, unless the guest overwrote the
 * breakpoint instruction since: then guest memory is left as the guest wrote it and 1 is
 * returned.
 *
 * @param vm The VM object.
 * @param type The type it was inserted with.
 * @param addr The address it was inserted with.
 * @return 0 when removed; 1 when removed but the guest had overwritten the breakpoint
 *         instruction (memory not restored); -EINVAL for a NULL @p vm or unknown type;
 *         -ENOENT if there is no such VM-wide point; -EFAULT if guest memory could not be
 *         written (the point then stays).
 * @since 0.1
 */
int kvmdbg_vm_remove(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr);

/**
 * @brief Find a VM-wide point.
 * @param vm The VM object.
 * @param type Its type.
 * @param addr Its address.
 * @param ret_id Where to store its id.
 * @return 0; -EINVAL for NULL arguments or an unknown type; -ENOENT if there is no such
 *         VM-wide point.
 * @since 0.2
 */
int kvmdbg_vm_find(struct kvmdbg_vm *vm, enum kvmdbg_point_type type, uint64_t addr,
		   uint64_t *ret_id);

/**
 * @brief A snapshot of a point, which the caller owns.
 *
 * The snapshot says what the point was at the time of the call; it stays valid, unchanged,
 * until kvmdbg_point_free(), whatever happens to the point itself.
 *
 * @param vm The VM object.
 * @param id The point's id.
 * @param ret_point Where to store the new snapshot.
 * @return 0; -EINVAL for NULL arguments; -ENOENT if the VM has no point with that id (any
 *         more); -ENOMEM.
 * @since 0.2
 */
int kvmdbg_vm_get_point(struct kvmdbg_vm *vm, uint64_t id, struct kvmdbg_point **ret_point);

/**
 * @brief Free a point snapshot.
 * @param point The snapshot; NULL is a no-op.
 * @since 0.2
 */
void kvmdbg_point_free(struct kvmdbg_point *point);

/**
 * @brief Remove every point of the VM, VM-wide and per vCPU.
 *
 * Software breakpoints the guest overwrote are removed without restoring memory, as with
 * kvmdbg_vm_remove(). A breakpoint whose original bytes cannot be written back stays, and
 * the error is returned after every other point was removed: call again once memory is
 * writable, before kvmdbg_vm_free() (which would leave its instruction in guest memory).
 *
 * The memory that held the breakpoints stays with the VM object for the next ones (a
 * fuzzer that removes and inserts a million each round allocates once); kvmdbg_vm_free()
 * gives it back.
 *
 * @param vm The VM object.
 * @return The number of points removed; -EINVAL for a NULL @p vm; the first write error
 *         when some software breakpoint could not be removed (-EFAULT, or a write
 *         callback's error).
 * @since 0.1
 */
int kvmdbg_vm_remove_all(struct kvmdbg_vm *vm);

/**
 * @brief Arm again every one-shot point that has fired.
 *
 * The fuzzer's reset: after a snapshot restore or between inputs, every fired one-shot
 * software breakpoint gets its breakpoint instruction back and every fired hardware one
 * its slot. If guest memory was restored from a snapshot taken with the breakpoints in
 * it, use kvmdbg_vm_mark_all_armed() instead.
 *
 * It costs what fired, not what exists: the library keeps the fired points in a list.
 *
 * @param vm The VM object.
 * @return The number of points armed again, or -EINVAL for a NULL @p vm; -EFAULT (or a write
 *         callback's error) if guest memory could not be written (points armed up to then
 *         stay armed, the others stay fired).
 * @since 0.1
 */
int kvmdbg_vm_rearm(struct kvmdbg_vm *vm);

/**
 * @brief Tell the library that guest memory again holds every software breakpoint.
 *
 * For a caller that restored guest RAM from a snapshot taken while all software
 * breakpoints were inserted: no guest memory is written; every point that fired (software
 * and hardware one-shots) is marked armed again, and every software breakpoint counts as in
 * memory. It costs what fired since the last reset, not what exists.
 *
 * @param vm The VM object.
 * @return The number of points whose state changed, or -EINVAL for a NULL @p vm.
 * @since 0.1
 */
int kvmdbg_vm_mark_all_armed(struct kvmdbg_vm *vm);

/**
 * @brief Plant the pending software breakpoints whose address can be planted now.
 *
 * Each point inserted with #KVMDBG_POINT_PENDING that has no place in memory yet is
 * translated again (as an insert translates: see @ref memory) and, if its address now
 * translates to guest memory, planted as an insert would have planted it. Call it where
 * new code may have appeared: at each stop, after the guest loaded a module or a program,
 * after kvmdbg_vm_add_memory(). It costs a translation per pending point, and nothing when
 * none is pending.
 *
 * @param vm The VM object.
 * @return The number of points planted (0 or more); if none could be planted, the first
 *         error other than -EFAULT (the address is still not there), such as a write
 *         callback's; -EINVAL for a NULL @p vm; -ENOMEM.
 * @since 0.2
 */
int kvmdbg_vm_plant_pending(struct kvmdbg_vm *vm);

/**
 * @brief Plant self-healing software breakpoints again where the guest wrote over them.
 *
 * For each planted point inserted with #KVMDBG_POINT_SELF_HEAL whose instruction has a
 * byte in [@p gpa, @p gpa + @p len) (every such point when @p len is 0), the bytes in
 * memory are read; where they are no longer the breakpoint instruction, the guest's new
 * bytes become the point's original bytes and the instruction is written over them again.
 * The guest's code is never overwritten by old bytes. A point whose original bytes are in
 * memory right now (a one-shot that fired, a step over it under way) is left alone. Pass
 * the pages a dirty log reports, or call it with @p len 0 at each stop: it costs a read
 * per self-healing point, and nothing for the others.
 *
 * @param vm The VM object.
 * @param gpa The first guest-physical byte that may have changed.
 * @param len How many; 0 for every self-healing point.
 * @return The number of points planted again; if none was, the first read or write error
 *         met; -EINVAL for a NULL @p vm or a range that wraps.
 * @since 0.2
 */
int kvmdbg_vm_heal(struct kvmdbg_vm *vm, uint64_t gpa, uint64_t len);

/**
 * @brief Number of points in the VM, VM-wide and per vCPU.
 * @param vm The VM object.
 * @return The count, or -EINVAL for a NULL @p vm.
 * @since 0.1
 */
long kvmdbg_vm_get_point_count(struct kvmdbg_vm *vm);

/**
 * @brief The id of a point.
 * @param point A snapshot.
 * @return Its id; 0 for NULL.
 * @since 0.2
 */
uint64_t kvmdbg_point_get_id(const struct kvmdbg_point *point);

/**
 * @brief The type of a point.
 * @param point A snapshot.
 * @return Its type; 0 for NULL.
 * @since 0.1
 */
enum kvmdbg_point_type kvmdbg_point_get_type(const struct kvmdbg_point *point);

/**
 * @brief The address of a point.
 * @param point A snapshot.
 * @return The address it was inserted at; 0 for NULL.
 * @since 0.1
 */
uint64_t kvmdbg_point_get_addr(const struct kvmdbg_point *point);

/**
 * @brief The length of a point.
 * @param point A snapshot.
 * @return The watched length; for a software breakpoint, the length of the instruction the
 *         library wrote; for a hardware breakpoint, 1 (it matches one address); 0 for
 *         NULL.
 * @since 0.1
 */
uint64_t kvmdbg_point_get_len(const struct kvmdbg_point *point);

/**
 * @brief The flags of a point.
 * @param point A snapshot.
 * @return Its enum kvmdbg_point_flags mask; 0 for NULL.
 * @since 0.1
 */
unsigned int kvmdbg_point_get_flags(const struct kvmdbg_point *point);

/**
 * @brief The caller's pointer.
 * @param point A snapshot.
 * @return The @c user_data it was inserted with; NULL for NULL.
 * @since 0.1
 */
void *kvmdbg_point_get_user_data(const struct kvmdbg_point *point);

/**
 * @brief The vCPU a point belongs to.
 * @param point A snapshot.
 * @return The vCPU object, or NULL for a VM-wide point.
 * @since 0.1
 */
struct kvmdbg_vcpu *kvmdbg_point_get_vcpu(const struct kvmdbg_point *point);

/**
 * @brief Whether a point is armed.
 * @param point A snapshot.
 * @return false for a one-shot point that has fired (until re-armed), true otherwise.
 * @since 0.1
 */
bool kvmdbg_point_is_armed(const struct kvmdbg_point *point);

/**
 * @brief How many times a point fired.
 * @param point A snapshot.
 * @return The number of events this point caused since it was inserted; 0 for NULL.
 * @since 0.1
 */
uint64_t kvmdbg_point_get_hit_count(const struct kvmdbg_point *point);

/**
 * @brief The address space a point fires in (kvmdbg_vm_insert_in_space()).
 * @param point A snapshot.
 * @param ret_space Where to store it.
 * @return 0; -ENODATA for a point that fires in every address space; -EINVAL for NULL
 *         arguments.
 * @since 0.2
 */
int kvmdbg_point_get_space(const struct kvmdbg_point *point, uint64_t *ret_space);

/**
 * @brief How often a scoped point was hit in another address space, and stepped over.
 * @param point A snapshot.
 * @return The count; 0 for unscoped points and for NULL.
 * @since 0.2
 */
uint64_t kvmdbg_point_get_foreign_hits(const struct kvmdbg_point *point);

/**
 * @brief Whether a software breakpoint is pending, not planted yet.
 *
 * A point inserted with #KVMDBG_POINT_PENDING whose address did not translate to guest
 * memory yet; kvmdbg_vm_plant_pending() plants it once it does.
 *
 * @param point A snapshot.
 * @return true if pending; false for any other point and for NULL.
 * @since 0.2
 */
bool kvmdbg_point_is_pending(const struct kvmdbg_point *point);

/**
 * @brief How often kvmdbg_vm_heal() planted a self-healing breakpoint again over new code.
 * @param point A snapshot.
 * @return The count; 0 for other points and for NULL.
 * @since 0.2
 */
uint64_t kvmdbg_point_get_heal_count(const struct kvmdbg_point *point);

/** @} */

/** @} */

/**
 * @defgroup vcpu The vCPU object and the run loop
 * @{
 *
 * A vCPU object is attached to a KVM vCPU file descriptor and its @c kvm_run mapping,
 * both owned by the caller. It is used by one thread at a time, normally the one that
 * runs the vCPU; another thread may use it while the vCPU thread is parked outside the
 * library, if the hand-over is synchronised (a mutex, a condition variable).  The point
 * functions (kvmdbg_vcpu_insert(), kvmdbg_vcpu_remove(), kvmdbg_vcpu_find()) and
 * kvmdbg_vcpu_kick() may be called from any thread at any time.
 *
 * Signals: VMMs pause vCPU threads with signals whose handlers may block (kvmtool's pause
 * handler waits until the VM is resumed). A vCPU thread may be parked that way anywhere,
 * inside kvmdbg_vcpu_pre_run() and kvmdbg_vcpu_handle_exit() included: it blocks no other
 * thread, because these calls hold the VM's lock only with every signal blocked (a signal
 * that arrives then is handled right after). That costs two system calls per call that takes
 * the lock (a breakpoint exit does); a VMM that never parks a vCPU thread in a signal handler
 * turns it off with kvmdbg_vm_set_signal_guard(). A @c KVM_RUN that a signal interrupted is
 * the VMM's business: kvmdbg_vcpu_handle_exit() says #KVMDBG_EXIT_NOT_DEBUG with @c
 * exit_reason @c KVM_EXIT_INTR, never an error.
 *
 * The caller keeps its own run loop:
 *
 * @code
 * for (;;) {
 *         const struct kvmdbg_event *ev;
 *
 *         ret = kvmdbg_vcpu_pre_run(vcpu);
 *         if (ret < 0)
 *                 break;
 *         ret = ioctl(vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
 *         ret = kvmdbg_vcpu_handle_exit(vcpu, ret, &ev);
 *         if (ret == KVMDBG_EXIT_EVENT)
 *                 ... report ev ...
 *         else if (ret == KVMDBG_EXIT_NOT_DEBUG)
 *                 ... handle the exit as before ...
 *         // KVMDBG_EXIT_RESUME: the library handled it; run again
 * }
 * @endcode
 */

/**
 * @brief Choose whether vCPU calls block signals while they hold the VM's lock.
 *
 * On by default: kvmdbg_vcpu_pre_run(), kvmdbg_vcpu_handle_exit() and the other calls a vCPU
 * thread makes hold the VM's lock only with every signal blocked, so that a signal handler
 * that parks the thread (kvmtool's pause) cannot park it holding the lock that the thread
 * resuming it needs. Blocking and unblocking are two system calls each time the lock is
 * taken: a breakpoint exit takes it once, an exit at the guest's own breakpoint twice.
 *
 * A VMM whose signal handlers never wait (a fuzzer running one vCPU on one thread, a VMM
 * that stops vCPUs with kvmdbg_vcpu_kick() and a handler that only returns) may turn it
 * off; a breakpoint exit then makes no system call at all. Turning it off in a VMM whose
 * handlers do wait brings the deadlock back.
 *
 * @param vm The VM object.
 * @param enable true to block signals (the default), false not to.
 * @return 0, or -EINVAL for a NULL @p vm.
 * @since 0.2
 */
int kvmdbg_vm_set_signal_guard(struct kvmdbg_vm *vm, bool enable);

/**
 * @brief The address space the vCPU runs in now, as kvmdbg_vm_insert_in_space() takes it.
 *
 * Read from the vCPU (x86: @c KVM_GET_SREGS, CR3; arm64: TCR_EL1 and the TTBRs with @c
 * KVM_GET_ONE_REG), so call it while the vCPU is stopped, on its thread or while it is
 * parked: a stop in the process a debugger wants gives the id to scope points to.
 *
 * @param vcpu The vCPU object.
 * @param ret_space Where to store the id.
 * @return 0; -EINVAL for NULL arguments; -EOPNOTSUPP where the architecture has no
 *         address-space id; the register read's error.
 * @since 0.2
 */
int kvmdbg_vcpu_get_space(struct kvmdbg_vcpu *vcpu, uint64_t *ret_space);

/**
 * @brief Kick callback: make the vCPU thread leave @c KVM_RUN (typically pthread_kill()
 *        with a signal whose handler does nothing).
 * @param user_data The pointer given to kvmdbg_vcpu_set_kick().
 */
typedef void (*kvmdbg_kick_fn)(void *user_data);

/**
 * @brief Attach a new vCPU object to a KVM vCPU.
 *
 * The new vCPU takes a slot for every VM-wide hardware point.
 *
 * @param vm The VM the vCPU belongs to.
 * @param vcpu_fd The vCPU file descriptor (from @c KVM_CREATE_VCPU); it stays the
 *                caller's.
 * @param run The vCPU's @c kvm_run mapping; it must stay mapped until kvmdbg_vcpu_free().
 * @param ret_vcpu Where to store the new object. Where the kernel does not advertise @c
 *                 KVM_CAP_SET_GUEST_DEBUG, the first vCPU attached makes one trial @c
 *                 KVM_SET_GUEST_DEBUG (debugging off) to find out whether it works.
 *
 * @return 0; -EINVAL for NULL arguments or a negative fd; -EEXIST if @p vcpu_fd is
 *         already attached; -ENOMEM.
 * @since 0.1
 */
int kvmdbg_vcpu_new(struct kvmdbg_vm *vm, int vcpu_fd, struct kvm_run *run,
		    struct kvmdbg_vcpu **ret_vcpu);

/**
 * @brief Detach and free a vCPU object.
 *
 * Its own points are removed. A software breakpoint of its own whose original bytes cannot
 * be written back stays in the VM, owned by no vCPU: every vCPU steps over it unseen,
 * kvmdbg_vm_get_point_count() counts it, and kvmdbg_vm_remove_all() (or
 * kvmdbg_vm_remove() by its address) removes it once memory is writable. The kernel's debug
 * state of the vCPU is left as it was last set; call kvmdbg_vcpu_pre_run() after removing
 * everything to switch debugging off first.
 *
 * @param vcpu The vCPU object; NULL is a no-op.
 * @since 0.1
 */
void kvmdbg_vcpu_free(struct kvmdbg_vcpu *vcpu);

/**
 * @brief The VM object a vCPU belongs to.
 * @param vcpu The vCPU object.
 * @return Its VM object, or NULL for a NULL @p vcpu.
 * @since 0.1
 */
struct kvmdbg_vm *kvmdbg_vcpu_get_vm(struct kvmdbg_vcpu *vcpu);

/**
 * @brief Insert a breakpoint or watchpoint that fires on this vCPU only.
 *
 * Arguments and errors as kvmdbg_vm_insert(). A software breakpoint is still written into
 * the shared guest memory; when another vCPU hits it, the library steps that vCPU over it
 * silently. -EEXIST also when a VM-wide point of the same type sits at the same address.
 *
 * @param vcpu The vCPU object.
 * @param type The kind of point.
 * @param addr The address.
 * @param len The watched length (see kvmdbg_vm_insert()).
 * @param flags A mask of enum kvmdbg_point_flags.
 * @param user_data Any pointer.
 * @param ret_id Where to store the new point's id, or NULL.
 * @return As kvmdbg_vm_insert().
 * @since 0.1; 0.2 added @p ret_id (the 0.1 call returned a point object).
 */
int kvmdbg_vcpu_insert(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr,
		       uint64_t len, unsigned int flags, void *user_data, uint64_t *ret_id);

/**
 * @brief Remove a point of this vCPU.
 * @param vcpu The vCPU object.
 * @param type The type it was inserted with.
 * @param addr The address it was inserted with.
 * @return As kvmdbg_vm_remove(); -ENOENT if this vCPU has no such point.
 * @since 0.1
 */
int kvmdbg_vcpu_remove(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr);

/**
 * @brief Find a point of this vCPU.
 * @param vcpu The vCPU object.
 * @param type Its type.
 * @param addr Its address.
 * @param ret_id Where to store its id.
 * @return 0; -EINVAL for NULL arguments or an unknown type; -ENOENT if this vCPU has no
 *         such point.
 * @since 0.2
 */
int kvmdbg_vcpu_find(struct kvmdbg_vcpu *vcpu, enum kvmdbg_point_type type, uint64_t addr,
		     uint64_t *ret_id);

/**
 * @brief Switch single-step on or off for this vCPU.
 *
 * While on, every instruction the vCPU executes ends with a #KVMDBG_EVENT_STEP.
 * Interrupts are held off while stepping where the kernel offers it
 * (#KVMDBG_FEATURE_STEP_BLOCK_IRQ), so a step does not land in an interrupt handler.
 *
 * x86: KVM (VMX and SVM) keeps the trap flag set only while the instruction pointer equals
 * the one it saw at the last @c KVM_SET_GUEST_DEBUG; a @c KVM_SET_REGS that moves the
 * instruction pointer, or an instruction KVM emulates (MMIO, string I/O), drops it (@c
 * KVM_SET_SREGS writes no RFLAGS and leaves it alone). So every run
 * of a stepping x86 vCPU starts with one @c KVM_SET_GUEST_DEBUG from kvmdbg_vcpu_pre_run(),
 * as QEMU and the kernel's own selftest do: register writes may come anywhere before that
 * call, and no step turns into a free run.
 *
 * @param vcpu The vCPU object.
 * @param enable true to step.
 * @return 0; -EINVAL for a NULL @p vcpu; -EOPNOTSUPP if the kernel cannot single-step.
 * @since 0.1
 */
int kvmdbg_vcpu_set_single_step(struct kvmdbg_vcpu *vcpu, bool enable);

/**
 * @brief Whether single-step is on.
 * @param vcpu The vCPU object.
 * @return true if on; false if off or @p vcpu is NULL.
 * @since 0.1
 */
bool kvmdbg_vcpu_is_single_step(struct kvmdbg_vcpu *vcpu);

/**
 * @brief Make the guest's accesses to its debug registers stop the vCPU (x86 DR7.GD).
 *
 * Each guest @c mov to or from a debug register then ends in a
 * #KVMDBG_EVENT_DEBUG_REG_ACCESS before it executes. Running again lets the instruction
 * run: the next kvmdbg_vcpu_pre_run() turns the trap off for that one instruction and on
 * again after it.
 *
 * @param vcpu The vCPU object.
 * @param enable true to trap.
 * @return 0; -EINVAL for a NULL @p vcpu; -EOPNOTSUPP on an architecture without it.
 * @since 0.1
 */
int kvmdbg_vcpu_set_trap_debug_regs(struct kvmdbg_vcpu *vcpu, bool enable);

/**
 * @brief Apply pending debug state before @c KVM_RUN.
 *
 * Call it right before every @c KVM_RUN, after any register write of your own (x86 KVM
 * takes the instruction pointer to step from at this call). It issues at most one @c
 * KVM_SET_GUEST_DEBUG: when the vCPU's debug state changed since the last one, including
 * the temporary state of a step over a breakpoint or a hand-back of a guest exception, and
 * on x86 before every run that single-steps (see kvmdbg_vcpu_set_single_step()); otherwise
 * none.
 *
 * It may set @c immediate_exit in @c kvm_run: for a kick still pending, and on x86 after an
 * MMIO write exit while stepping, whose instruction KVM finishes at the next @c KVM_RUN
 * without ever reporting its step: that @c KVM_RUN then completes the write and returns
 * -EINTR at once, and kvmdbg_vcpu_handle_exit() reports the step at the next instruction
 * (reading the registers for its pc).
 *
 * On s390 a failed @c KVM_SET_GUEST_DEBUG leaves the kernel with debugging off; the
 * library then sends its last good state again before it returns the error. A breakpoint
 * that could not be written back into guest memory after a step over it is written again
 * here, and its error returned until that works.
 *
 * @param vcpu The vCPU object.
 * @return 0 when nothing was applied, 1 when the kernel was updated; -EINVAL for a NULL
 *         @p vcpu; -EFAULT (or a memory callback's error) if guest memory could not be
 *         written for a step-over; or the negative errno of a failed @c
 *         KVM_SET_GUEST_DEBUG (the state stays pending, and guest memory as it was).
 * @since 0.1
 */
int kvmdbg_vcpu_pre_run(struct kvmdbg_vcpu *vcpu);

/**
 * @brief What kvmdbg_vcpu_handle_exit() found.
 * @since 0.1
 */
enum kvmdbg_exit {
	/** Not a debug exit: handle it as if the library were not there. */
	KVMDBG_EXIT_NOT_DEBUG = 0,
	/** A debug event for the caller; see the returned event. */
	KVMDBG_EXIT_EVENT = 1,
	/**
	 * The library handled the exit itself (a step-over finished, and so on): run
	 * again.
	 */
	KVMDBG_EXIT_RESUME = 2,
};

/**
 * @brief Turn a @c KVM_RUN result into a typed event.
 *
 * Decodes @c KVM_EXIT_DEBUG, finishes or cancels a step-over in progress, disarms a
 * one-shot point that fired, and recognises exceptions the guest raised itself. It
 * allocates nothing.  On x86 and s390 it makes no system call, except to translate an
 * address for an unknown software breakpoint, and on x86 @c KVM_GET_REGS and @c
 * KVM_GET_SREGS for the pc of a step over an MMIO write (see kvmdbg_vcpu_pre_run());
 * where the exit does not carry the pc it is
 * read with one @c KVM_GET_ONE_REG (arm64, riscv) or @c KVM_GET_REGS (ppc watchpoint and
 * Book3S step exits), and a failed read is returned.  On s390 a stop at a library
 * breakpoint moves @c psw_addr in the @c kvm_run mapping back to the breakpoint.
 *
 * A stop at a breakpoint is resumed simply by running again: the next
 * kvmdbg_vcpu_pre_run() steps over the breakpoint (software: original bytes back, one
 * step, breakpoint instruction again; hardware: slot off, one step, slot on). Moving the
 * vCPU's pc elsewhere first? Call kvmdbg_vcpu_cancel_resume().
 *
 * A @c KVM_RUN that failed with -EINTR is the library's when a kick was pending (an
 * #KVMDBG_EVENT_INTERRUPTED event; @c immediate_exit is cleared) or when it set @c
 * immediate_exit itself (see kvmdbg_vcpu_pre_run()); any other -EINTR (a signal, the VMM's
 * own @c immediate_exit, left untouched) gives #KVMDBG_EXIT_NOT_DEBUG with @c exit_reason
 * set to @c KVM_EXIT_INTR, as the kernel sets it for a signal.
 *
 * @param vcpu The vCPU object.
 * @param run_result 0 if @c KVM_RUN returned 0, else its negative errno.
 * @param ret_event Where to store the event (borrowed: valid until the next call of
 *                  kvmdbg_vcpu_handle_exit() or kvmdbg_vcpu_pre_run() on this vCPU; copy
 *                  it with kvmdbg_event_copy() to keep it); set only for
 *                  #KVMDBG_EXIT_EVENT.
 * @return An enum kvmdbg_exit value; -EINVAL for NULL arguments; @p run_result itself
 *         when @c KVM_RUN failed with anything but -EINTR; -EFAULT (or a memory callback's
 *         error) when a breakpoint instruction could not be written back after a step
 *         over it (the next kvmdbg_vcpu_pre_run() tries again), or -ENOMEM when even that
 *         retry could not be recorded; the error of a register read the exit needed.
 * @since 0.1
 */
int kvmdbg_vcpu_handle_exit(struct kvmdbg_vcpu *vcpu, int run_result,
			    const struct kvmdbg_event **ret_event);

/**
 * @brief Forget the step over the breakpoint the vCPU last stopped at.
 *
 * For a caller that moved the vCPU's pc away from a breakpoint it stopped at: the next
 * run then starts at the new pc without stepping over anything.
 *
 * If a step over a software breakpoint had started, its instruction goes back into guest
 * memory; if that write fails, it stays owed and the next kvmdbg_vcpu_pre_run() of any vCPU
 * tries again (and returns the error if it fails again): this call still returns 0.
 *
 * @param vcpu The vCPU object.
 * @return 0; -EINVAL for a NULL @p vcpu; -ENOMEM when an instruction that could not be
 *         written back could not be recorded as owed either (the breakpoint then stays out
 *         of guest memory).
 * @since 0.1
 */
int kvmdbg_vcpu_cancel_resume(struct kvmdbg_vcpu *vcpu);

/**
 * @brief Hand a guest-owned exception back to the guest.
 *
 * For a #KVMDBG_EVENT_GUEST_BREAKPOINT or #KVMDBG_EVENT_GUEST_DEBUG event, the next
 * kvmdbg_vcpu_pre_run() queues the same exception for the guest (x86: @c
 * KVM_GUESTDBG_INJECT_BP or @c KVM_GUESTDBG_INJECT_DB) in its one @c KVM_SET_GUEST_DEBUG.
 *
 * @param vcpu The vCPU object.
 * @param event The event, which must be the last one of this vCPU (the borrowed event, or
 *              a copy of it).
 * @return 0; -EINVAL for NULL arguments, an event of another vCPU, an older event, or one
 *         of another type;
 *         -EOPNOTSUPP where the kernel cannot inject (arm64, s390, ppc, riscv: the VMM
 *         must deliver the exception itself, guest BRKs on arm64 included).
 * @since 0.1
 */
int kvmdbg_vcpu_reinject(struct kvmdbg_vcpu *vcpu, const struct kvmdbg_event *event);

/**
 * @brief Set the callback kvmdbg_vcpu_kick() uses to interrupt a running vCPU.
 *
 * Returns only once no kick of another thread is still inside the old callback, so the
 * caller may free what the old callback used. The callback runs with a lock of the vCPU
 * object held: it must not call kvmdbg_vcpu_set_kick() itself.
 *
 * @param vcpu The vCPU object.
 * @param kick The callback, or NULL.
 * @param user_data Passed to @p kick.
 * @return 0, or -EINVAL for a NULL @p vcpu.
 * @since 0.1
 */
int kvmdbg_vcpu_set_kick(struct kvmdbg_vcpu *vcpu, kvmdbg_kick_fn kick, void *user_data);

/**
 * @brief Make the vCPU leave @c KVM_RUN, or not enter it, as soon as possible.
 *
 * Sets @c immediate_exit in the vCPU's @c kvm_run, marks a kick pending and calls the kick
 * callback. The next kvmdbg_vcpu_handle_exit() that sees @c KVM_RUN fail with -EINTR while
 * the kick is pending reports #KVMDBG_EVENT_INTERRUPTED once and clears @c immediate_exit.
 * An exit that raced with the kick is reported as usual and the kick stays pending:
 * kvmdbg_vcpu_pre_run() sets @c immediate_exit again, so the following @c KVM_RUN returns
 * -EINTR at once, and no kick is lost. The library never clears an @c immediate_exit that
 * it did not consume for a kick: a VMM that sets it for its own reasons sees its -EINTR as
 * #KVMDBG_EXIT_NOT_DEBUG (should its request meet a pending kick, the single -EINTR is
 * reported as #KVMDBG_EVENT_INTERRUPTED, which a VMM treats as "the vCPU left @c KVM_RUN"
 * for its own bookkeeping too). Safe from any thread; it does not wait for the vCPU (it
 * only takes a lock of its own, held only around the callback), but it is not
 * async-signal-safe.
 *
 * @param vcpu The vCPU object.
 * @return 0, or -EINVAL for a NULL @p vcpu.
 * @since 0.1
 */
int kvmdbg_vcpu_kick(struct kvmdbg_vcpu *vcpu);

/** @} */

/**
 * @defgroup events Events
 * @{
 *
 * An event is a value: what it says about the point that fired (its id, type, address,
 * length, flags, user data and hit count) is copied into it when it is reported, so it
 * stays true after the point is removed, by any thread. The event kvmdbg_vcpu_handle_exit()
 * hands out is borrowed from its vCPU object (nothing is allocated on the hot path) until
 * that vCPU's next kvmdbg_vcpu_pre_run() or kvmdbg_vcpu_handle_exit(); kvmdbg_event_copy()
 * makes one the caller keeps. One getter tells the type; the per-type getters return
 * -EINVAL (or 0) for an event of the wrong type.
 */

/**
 * @brief What stopped the vCPU.
 * @since 0.1
 */
enum kvmdbg_event_type {
	/** Something the library could not attribute; see the raw getters. */
	KVMDBG_EVENT_UNKNOWN = 0,
	/** One instruction was executed with single-step on. */
	KVMDBG_EVENT_STEP = 1,
	/** A software breakpoint of the library; pc is the breakpoint address. */
	KVMDBG_EVENT_SW_BREAKPOINT = 2,
	/** A hardware execute breakpoint; pc is the breakpoint address. */
	KVMDBG_EVENT_HW_BREAKPOINT = 3,
	/**
	 * A watchpoint.  On x86 the access has happened and pc is the next instruction; on
	 * arm64 pc is the accessing instruction, not yet run, and running again steps over
	 * it with the slot off.
	 */
	KVMDBG_EVENT_WATCHPOINT = 4,
	/** The guest touched a debug register (x86 DR7.GD); pc is that instruction. */
	KVMDBG_EVENT_DEBUG_REG_ACCESS = 5,
	/** A breakpoint instruction the library did not place (the guest's own int3). */
	KVMDBG_EVENT_GUEST_BREAKPOINT = 6,
	/** A debug exception the library did not cause (the guest's own \#DB). */
	KVMDBG_EVENT_GUEST_DEBUG = 7,
	/** kvmdbg_vcpu_kick() made the vCPU leave (or skip) @c KVM_RUN. */
	KVMDBG_EVENT_INTERRUPTED = 8,
};

/**
 * @brief Access kinds of a watchpoint event.
 * @since 0.1
 */
enum kvmdbg_access {
	/** A write. */
	KVMDBG_ACCESS_WRITE = 1,
	/** A read. */
	KVMDBG_ACCESS_READ = 2,
	/** A read or a write: the hardware does not say which (x86). */
	KVMDBG_ACCESS_READ_WRITE = 3,
};

/**
 * @brief The type of an event.
 * @param event The event.
 * @return Its enum kvmdbg_event_type; #KVMDBG_EVENT_UNKNOWN for NULL.
 * @since 0.1
 */
enum kvmdbg_event_type kvmdbg_event_get_type(const struct kvmdbg_event *event);

/**
 * @brief The name of an event type, for printing.
 * @param type An event type.
 * @return A static string such as "sw-breakpoint"; "unknown" for values out of range.
 * @since 0.1
 */
const char *kvmdbg_event_type_name(enum kvmdbg_event_type type);

/**
 * @brief The vCPU the event happened on.
 * @param event The event.
 * @return The vCPU object, or NULL for NULL.
 * @since 0.1
 */
struct kvmdbg_vcpu *kvmdbg_event_get_vcpu(const struct kvmdbg_event *event);

/**
 * @brief The program counter of the stop.
 *
 * On x86 this is the linear address (CS base + RIP), as reported by the kernel: the
 * breakpoint address for breakpoints and debug-register accesses, the next instruction
 * for steps and watchpoints.  Elsewhere it is the guest's pc: the breakpoint address for
 * breakpoints, the next instruction for steps, and for watchpoints the accessing
 * instruction on arm64 (the next one on ppc BookE and s390).
 *
 * @param event The event.
 * @return The pc; 0 for NULL or #KVMDBG_EVENT_INTERRUPTED.
 * @since 0.1
 */
uint64_t kvmdbg_event_get_pc(const struct kvmdbg_event *event);

/**
 * @brief The sequence number of the event on its vCPU.
 * @param event The event.
 * @return 1 for the vCPU's first event, one more for each following; 0 for NULL.
 * @since 0.2
 */
uint64_t kvmdbg_event_get_seqno(const struct kvmdbg_event *event);

/**
 * @brief The id of the point that fired.
 * @param event The event.
 * @return The point's id for breakpoint and watchpoint events of the library's points; 0
 *         for other events (ids start at 1).
 * @since 0.2
 */
uint64_t kvmdbg_event_get_point_id(const struct kvmdbg_event *event);

/**
 * @brief The type of the point that fired.
 * @param event The event.
 * @return An enum kvmdbg_point_type value, or -EINVAL for an event that names no point.
 * @since 0.2
 */
int kvmdbg_event_get_point_type(const struct kvmdbg_event *event);

/**
 * @brief The address of the point that fired.
 * @param event The event.
 * @return The address the point was inserted at; 0 for an event that names no point.
 * @since 0.2
 */
uint64_t kvmdbg_event_get_point_addr(const struct kvmdbg_event *event);

/**
 * @brief The length of the point that fired.
 * @param event The event.
 * @return As kvmdbg_point_get_len(); 0 for an event that names no point.
 * @since 0.2
 */
uint64_t kvmdbg_event_get_point_len(const struct kvmdbg_event *event);

/**
 * @brief The flags of the point that fired.
 * @param event The event.
 * @return Its enum kvmdbg_point_flags mask; 0 for an event that names no point.
 * @since 0.2
 */
unsigned int kvmdbg_event_get_point_flags(const struct kvmdbg_event *event);

/**
 * @brief The @c user_data of the point that fired.
 * @param event The event.
 * @return The pointer the point was inserted with; NULL for an event that names no point.
 * @since 0.2
 */
void *kvmdbg_event_get_user_data(const struct kvmdbg_event *event);

/**
 * @brief The hit count of the point that fired, this hit included.
 * @param event The event.
 * @return The count; 0 for an event that names no point.
 * @since 0.2
 */
uint64_t kvmdbg_event_get_hit_count(const struct kvmdbg_event *event);

/**
 * @brief The hardware slot that fired.
 * @param event The event.
 * @return The slot number (x86: 0-3 for DR0-DR3) for hardware breakpoint and watchpoint
 *         events; -EINVAL for other types.
 * @since 0.1
 */
int kvmdbg_event_get_slot(const struct kvmdbg_event *event);

/**
 * @brief Access kind of a watchpoint event.
 * @param event The event.
 * @return An enum kvmdbg_access value (the access that happened where the hardware says,
 *         as on arm64 and ppc BookE, else the point's kind), or -EINVAL if @p event is
 *         not a watchpoint event.
 * @since 0.1
 */
int kvmdbg_event_get_access(const struct kvmdbg_event *event);

/**
 * @brief The data address a watchpoint event is about.
 * @param event The event.
 * @param ret_addr Where to store it: the address the hardware reports where it does
 *                 (arm64: the faulting address), else the watched address (x86 cannot
 *                 tell the exact byte).
 * @return 0, or -EINVAL if @p event is not a watchpoint event or an argument is NULL.
 * @since 0.1
 */
int kvmdbg_event_get_data_addr(const struct kvmdbg_event *event, uint64_t *ret_addr);

/**
 * @brief The raw exception number of the exit.
 *
 * x86: 1 for \#DB, 3 for \#BP.  s390: the exit type (1, 2 or 4) or, for a software
 * breakpoint, the intercept code (0x2c or 0x04).  arm64: the ESR exception class.
 *
 * @param event The event.
 * @param ret_exception Where to store it.
 * @return 0, -EINVAL for NULL arguments, -ENODATA for an event with no kernel exit behind
 *         it (#KVMDBG_EVENT_INTERRUPTED) or an architecture that has no such field (ppc,
 *         riscv).
 * @since 0.1
 */
int kvmdbg_event_get_raw_exception(const struct kvmdbg_event *event, uint32_t *ret_exception);

/**
 * @brief The raw debug status of the exit.
 *
 * x86: DR6 as reported by the kernel for a \#DB (none for a \#BP, whose exit the kernel
 * writes without DR6).  s390: the address, or ipa << 32 | ipb for a software breakpoint.
 * ppc: BookE's status word (none on Book3S, whose kernels leave it stale).  arm64: the
 * ESR.  riscv: none (-ENODATA).
 *
 * @param event The event.
 * @param ret_status Where to store it.
 * @return 0, -EINVAL for NULL arguments, -ENODATA as kvmdbg_event_get_raw_exception().
 * @since 0.1
 */
int kvmdbg_event_get_raw_status(const struct kvmdbg_event *event, uint64_t *ret_status);

/**
 * @brief Copy an event, to keep it past the next call on its vCPU.
 *
 * The copy holds everything by value but the vCPU it names: kvmdbg_event_get_vcpu() of a
 * copy returns a pointer that is valid only until that vCPU is freed with
 * kvmdbg_vcpu_free().
 *
 * @param event The event (borrowed or a copy).
 * @param ret_copy Where to store the copy, which the caller frees with kvmdbg_event_free().
 * @return 0; -EINVAL for NULL arguments; -ENOMEM.
 * @since 0.2
 */
int kvmdbg_event_copy(const struct kvmdbg_event *event, struct kvmdbg_event **ret_copy);

/**
 * @brief Free a copy made by kvmdbg_event_copy().
 *
 * An event borrowed from kvmdbg_vcpu_handle_exit() is not the caller's to free: passing one
 * does nothing.
 *
 * @param event The copy; NULL is a no-op.
 * @since 0.2
 */
void kvmdbg_event_free(struct kvmdbg_event *event);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* KVMDBG_KVMDBG_H */
