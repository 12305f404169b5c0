/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkvmdbg-gdbserver - the GDB remote serial protocol over a libkvmdbg VM.
 */
#ifndef KVMDBG_GDBSERVER_H
#define KVMDBG_GDBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kvmdbg/kvmdbg.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @file gdbserver.h
 * @brief The whole public API of libkvmdbg-gdbserver.
 */

/**
 * @defgroup gdbserver The gdb server
 * @{
 *
 * libkvmdbg-gdbserver turns a libkvmdbg VM into a target for gdb's remote protocol (gdb 13,
 * all-stop): every vCPU is a gdb thread (thread N is the vCPU added N-th, from 1), gdb's
 * breakpoints and watchpoints are libkvmdbg points, its steps are libkvmdbg single-steps, and
 * every stop gdb hears of is a libkvmdbg event or a stop the VMM reports. It reads and writes
 * registers itself (@c KVM_GET_REGS, @c KVM_GET_SREGS, @c KVM_GET_FPU and their @c SET
 * counterparts on x86; @c KVM_GET_ONE_REG and @c KVM_SET_ONE_REG on arm64) on the vCPU file
 * descriptors the VMM gives it, and guest memory through kvmdbg_vm_read_memory() and
 * kvmdbg_vm_write_memory(), translated by the vCPU gdb has selected.
 *
 * Conventions are libkvmdbg's: 0 (or a non-negative count or code) or a negative errno;
 * -EINVAL for bad arguments, NULL included; @c ret_* out-parameters come last and are left
 * untouched on failure. The library keeps no global state, never logs on its own (see
 * kvmdbg_gdbserver_set_log_fn()), never closes a file descriptor it did not open, never
 * installs a signal handler and never touches @c immediate_exit itself: signals and the
 * @c kvm_run mapping stay the VMM's, and it interrupts a running vCPU only through
 * kvmdbg_vcpu_kick(), that is through the kick callback the VMM set with
 * kvmdbg_vcpu_set_kick().
 *
 * The VMM keeps its own run loop and its own threads; it replaces its calls of
 * kvmdbg_vcpu_pre_run() and kvmdbg_vcpu_handle_exit() by kvmdbg_gdbserver_vcpu_pre_run() and
 * kvmdbg_gdbserver_vcpu_handle_exit(). A vCPU that gdb holds stopped waits inside
 * kvmdbg_gdbserver_vcpu_pre_run(), outside @c KVM_RUN and outside every lock (a signal whose
 * handler blocks may park it there: kvmtool's pause works as before). When no debugger needs
 * a vCPU, both calls add an atomic load or two to libkvmdbg's, and no system call.
 *
 * All-stop is the server's: when one vCPU stops, the server kicks the others and waits until
 * each has parked before it tells gdb. Stops that happen together are queued, and each is
 * reported in turn, when gdb resumes the vCPU it belongs to; a queued breakpoint or
 * watchpoint stop whose point gdb has removed meanwhile is dropped (the vCPU then simply runs
 * on), and a queued step is reported only if gdb steps that vCPU again.
 *
 * Two threading recipes fit (gdbserver/README.md has each as a complete program):
 *
 * 1. A VMM with a thread per vCPU (kvmtool style; it may pause vCPUs with a signal whose
 *    handler blocks): the VMM sets a kick on every vCPU (a signal with an empty handler),
 *    adds the vCPUs, optionally calls kvmdbg_gdbserver_stop() so that gdb finds the guest at
 *    its entry point, starts its vCPU threads, and runs kvmdbg_gdbserver_serve() in a thread
 *    of its own for each connection it accepts:
 *
 * @code
 * // each vCPU thread
 * for (;;) {
 *         ret = kvmdbg_gdbserver_vcpu_pre_run(srv, index);
 *         if (ret < 0)
 *                 break;                  // -ESHUTDOWN: the VMM is ending
 *         ret = ioctl(vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
 *         ret = kvmdbg_gdbserver_vcpu_handle_exit(srv, index, ret);
 *         if (ret == KVMDBG_EXIT_NOT_DEBUG)
 *                 ... handle the exit as before ...
 * }
 *
 * // the server thread
 * while (kvmdbg_gdbserver_accept(listen_fd, &fd) == 0) {
 *         int end = kvmdbg_gdbserver_serve(srv, fd);
 *         close(fd);
 *         if (end == KVMDBG_GDBSERVER_END_KILLED || end == KVMDBG_GDBSERVER_END_EXITED)
 *                 break;                  // then kvmdbg_gdbserver_shutdown(), join, free
 * }
 * @endcode
 *
 * 2. A single-threaded VMM with one vCPU (Solo5 hvt style): the VMM accepts the connection
 *    itself and hands it over with kvmdbg_gdbserver_attach(); from then on the server talks
 *    to gdb from inside kvmdbg_gdbserver_vcpu_pre_run(), synchronously, whenever the vCPU is
 *    stopped, and looks for gdb's Ctrl-C at every exit that passes through
 *    kvmdbg_gdbserver_vcpu_handle_exit() (a VMM whose guest may run long without an exit
 *    makes input on the connection interrupt @c KVM_RUN, for example with @c O_ASYNC and a
 *    signal to the vCPU thread). The run loop is the same as above.
 *
 * Threads: kvmdbg_gdbserver_vcpu_pre_run(), kvmdbg_gdbserver_vcpu_handle_exit(),
 * kvmdbg_gdbserver_vcpu_report_stop(), kvmdbg_gdbserver_vcpu_report_exit() and
 * kvmdbg_gdbserver_vcpu_halt() are called by the thread that runs that vCPU;
 * kvmdbg_gdbserver_serve() by one thread at a time; kvmdbg_gdbserver_stop() and
 * kvmdbg_gdbserver_shutdown() by any thread. The setters and kvmdbg_gdbserver_add_vcpu() come
 * before the first serve, attach or hook call. Callbacks are called without any lock of the
 * server held, from the thread that serves gdb.
 *
 * What is not supported: non-stop mode, more than one gdb at a time, vCPUs added after the
 * server started, and a VMM that also consumes libkvmdbg events of its own on the same vCPUs
 * (the server takes every event).
 */

/** The server object. */
struct kvmdbg_gdbserver;

/**
 * @brief How a gdb session ended, as kvmdbg_gdbserver_serve() returns it.
 * @since 0.2
 */
enum kvmdbg_gdbserver_end {
	/**
	 * gdb went away without detaching (a closed connection, gdb's @c disconnect, a read
	 * error): gdb's points are removed and the guest stays stopped for the next gdb.
	 */
	KVMDBG_GDBSERVER_END_DISCONNECTED = 1,
	/** gdb detached (@c D): its points are removed and the guest runs on. */
	KVMDBG_GDBSERVER_END_DETACHED = 2,
	/** gdb killed the guest (@c k, @c vKill): the guest stays stopped; the VMM ends it. */
	KVMDBG_GDBSERVER_END_KILLED = 3,
	/** The guest ended (kvmdbg_gdbserver_vcpu_report_exit()) and gdb was told so. */
	KVMDBG_GDBSERVER_END_EXITED = 4,
	/** kvmdbg_gdbserver_shutdown() was called. */
	KVMDBG_GDBSERVER_END_SHUTDOWN = 5,
};

/**
 * @brief How gdb's software breakpoints (@c Z0) are done.
 * @since 0.2
 */
enum kvmdbg_gdbserver_break_mode {
	/**
	 * Software breakpoints, unless kvmdbg_vm_get_support() says this host does not
	 * deliver them (or the kernel does not offer them): then hardware breakpoints, each of
	 * which takes a debug slot, and the stops say @c hwbreak. @c monitor says which.
	 */
	KVMDBG_GDBSERVER_BREAK_AUTO = 0,
	/** Always software breakpoints (the architecture's breakpoint instruction). */
	KVMDBG_GDBSERVER_BREAK_SOFTWARE = 1,
	/** Always hardware breakpoints. */
	KVMDBG_GDBSERVER_BREAK_HARDWARE = 2,
};

/**
 * @brief Whether gdb's hardware watchpoints (@c Z2, @c Z3, @c Z4) are accepted.
 * @since 0.2
 */
enum kvmdbg_gdbserver_watch_mode {
	/**
	 * Accepted, except the kinds kvmdbg_vm_get_support() says this host does not deliver:
	 * those get the error @c E19, and gdb says it could not insert the watchpoint (its
	 * software watchpoints, @c set @c can-use-hw-watchpoints @c 0, still work).
	 */
	KVMDBG_GDBSERVER_WATCH_AUTO = 0,
	/** Accepted whatever the probe found. */
	KVMDBG_GDBSERVER_WATCH_ON = 1,
	/** Refused with @c E19. */
	KVMDBG_GDBSERVER_WATCH_OFF = 2,
};

/**
 * @brief How important a log message is.
 * @since 0.2
 */
enum kvmdbg_gdbserver_log_level {
	/** Something failed: a write to gdb, a register access, a resume. */
	KVMDBG_GDBSERVER_LOG_ERROR = 1,
	/** What a user wants to know: a refused breakpoint and why, a stop's reason. */
	KVMDBG_GDBSERVER_LOG_INFO = 2,
	/** Every packet in and out. */
	KVMDBG_GDBSERVER_LOG_DEBUG = 3,
};

/**
 * @brief Log callback.
 * @param user_data The pointer given to kvmdbg_gdbserver_set_log_fn().
 * @param level An enum kvmdbg_gdbserver_log_level value.
 * @param message One line, without a newline; valid during the call only.
 */
typedef void (*kvmdbg_gdbserver_log_fn)(void *user_data, int level, const char *message);

/**
 * @brief A VMM callback without arguments (see kvmdbg_gdbserver_set_vmm_fns()).
 * @param user_data The pointer given with the callback.
 */
typedef void (*kvmdbg_gdbserver_vmm_fn)(void *user_data);

/**
 * @brief Monitor callback: a @c monitor command the server does not know itself.
 * @param user_data The pointer given to kvmdbg_gdbserver_set_monitor_fn().
 * @param command The command line gdb sent, NUL-terminated.
 * @param out Where to write the answer (text, lines ending in a newline), NUL-terminated.
 * @param size The size of @p out.
 * @return 1 if the command was handled, 0 if the VMM does not know it either, or a
 *         negative errno (gdb then sees an error).
 */
typedef int (*kvmdbg_gdbserver_monitor_fn)(void *user_data, const char *command, char *out,
					   size_t size);

/**
 * @brief Session-end callback.
 * @param user_data The pointer given to kvmdbg_gdbserver_set_end_fn().
 * @param fd The connection that ended (the caller's; the server does not close it).
 * @param end An enum kvmdbg_gdbserver_end value.
 */
typedef void (*kvmdbg_gdbserver_end_fn)(void *user_data, int fd, int end);

/**
 * @brief Create a gdb server for a libkvmdbg VM.
 *
 * The VM object stays the caller's and must outlive the server. The server creates a few
 * event file descriptors of its own (close-on-exec), one per vCPU and one for itself.
 *
 * @param vm The VM object.
 * @param ret_server Where to store the new server.
 * @return 0; -EINVAL for NULL arguments; -EOPNOTSUPP on an architecture whose registers the
 *         server does not know (it knows x86-64 and arm64); -ENOMEM; the error of
 *         @c eventfd().
 * @since 0.2
 */
int kvmdbg_gdbserver_new(struct kvmdbg_vm *vm, struct kvmdbg_gdbserver **ret_server);

/**
 * @brief Free a server.
 *
 * gdb's points still inserted are removed. No thread may be inside a call of the server
 * (call kvmdbg_gdbserver_shutdown() and join the vCPU threads first).
 *
 * @param server The server; NULL is a no-op.
 * @since 0.2
 */
void kvmdbg_gdbserver_free(struct kvmdbg_gdbserver *server);

/**
 * @brief Add a vCPU, which gdb sees as the next thread.
 *
 * @param server The server.
 * @param vcpu The libkvmdbg vCPU object (of the server's VM); the caller has set its kick
 *             callback (kvmdbg_vcpu_set_kick()), or a vCPU inside @c KVM_RUN cannot be
 *             stopped for gdb.
 * @param vcpu_fd Its KVM vCPU file descriptor, for the register ioctls; it stays the
 *                caller's.
 * @return The vCPU's index (0 for the first: gdb's thread 1), which the vCPU calls take;
 *         -EINVAL for NULL, a negative fd or a vCPU of another VM; -EEXIST if it was added
 *         already; -EBUSY once the server has started (a session, a hook call); -ENOMEM.
 * @since 0.2
 */
int kvmdbg_gdbserver_add_vcpu(struct kvmdbg_gdbserver *server, struct kvmdbg_vcpu *vcpu,
			      int vcpu_fd);

/**
 * @brief Set the log callback.
 * @param server The server.
 * @param fn The callback, or NULL for no logging (the default).
 * @param user_data Passed to @p fn.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_log_fn(struct kvmdbg_gdbserver *server, kvmdbg_gdbserver_log_fn fn,
				void *user_data);

/**
 * @brief Choose how gdb's software breakpoints are done.
 * @param server The server.
 * @param mode An enum kvmdbg_gdbserver_break_mode value.
 * @return 0, or -EINVAL for a NULL @p server or an unknown @p mode.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_break_mode(struct kvmdbg_gdbserver *server,
				    enum kvmdbg_gdbserver_break_mode mode);

/**
 * @brief The libkvmdbg point type gdb's @c Z0 becomes with the current mode on this host.
 * @param server The server.
 * @return #KVMDBG_POINT_SW_BREAK or #KVMDBG_POINT_HW_BREAK; -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_get_break_type(struct kvmdbg_gdbserver *server);

/**
 * @brief Choose whether gdb's hardware watchpoints are accepted.
 * @param server The server.
 * @param mode An enum kvmdbg_gdbserver_watch_mode value.
 * @return 0, or -EINVAL for a NULL @p server or an unknown @p mode.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_watch_mode(struct kvmdbg_gdbserver *server,
				    enum kvmdbg_gdbserver_watch_mode mode);

/**
 * @brief Set the VMM's pause and resume callbacks.
 *
 * @p pause is called once every vCPU has stopped for gdb (each parked in
 * kvmdbg_gdbserver_vcpu_pre_run() or halted), before gdb hears of the stop; @p resume before
 * the server lets vCPUs run again. A VMM whose own machinery must know that the guest is
 * stopped uses them: one that pauses with signals marks its VM paused so that its own pause
 * and resume requests (a monitor, a snapshot) know the vCPUs are already out of the guest,
 * and stops its timers and device threads; both are optional.
 *
 * @param server The server.
 * @param pause Called when the guest stops for gdb, or NULL.
 * @param resume Called before the guest runs again, or NULL.
 * @param user_data Passed to both.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_vmm_fns(struct kvmdbg_gdbserver *server, kvmdbg_gdbserver_vmm_fn pause,
				 kvmdbg_gdbserver_vmm_fn resume, void *user_data);

/**
 * @brief Set a callback for @c monitor commands of the VMM's own.
 *
 * The server answers @c info, @c support, @c points, @c vcpus and @c help itself; anything
 * else goes to @p fn first.
 *
 * @param server The server.
 * @param fn The callback, or NULL.
 * @param user_data Passed to @p fn.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_monitor_fn(struct kvmdbg_gdbserver *server, kvmdbg_gdbserver_monitor_fn fn,
				    void *user_data);

/**
 * @brief Set a callback for the end of each session.
 *
 * Called from the thread that served the session, before kvmdbg_gdbserver_serve() returns.
 * A single-threaded VMM (kvmdbg_gdbserver_attach()) needs it to learn that a session ended:
 * it may call kvmdbg_gdbserver_attach() with a new connection from inside the callback.
 *
 * @param server The server.
 * @param fn The callback, or NULL.
 * @param user_data Passed to @p fn.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_set_end_fn(struct kvmdbg_gdbserver *server, kvmdbg_gdbserver_end_fn fn,
				void *user_data);

/**
 * @brief Stop the guest for the debugger.
 *
 * Every vCPU parks at its next kvmdbg_gdbserver_vcpu_pre_run() (running ones are kicked), and
 * stays there until gdb resumes it. Called before the vCPUs first run, it makes gdb find the
 * guest at its entry point (the stop reply is a @c SIGTRAP of thread 1). It does not wait.
 *
 * @param server The server.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_stop(struct kvmdbg_gdbserver *server);

/**
 * @brief Serve one gdb connection, in a thread of its own (recipe 1).
 *
 * Stops the guest first (gdb always finds it stopped), then answers gdb until the session
 * ends. Blocks until then. @p fd may be a socket, a pipe or a terminal (a serial line: see
 * kvmdbg_gdbserver_setup_serial()); it is read and written with @c read() and @c write()
 * (@c send() with @c MSG_NOSIGNAL on a socket) and stays the caller's.
 *
 * @param server The server.
 * @param fd The connection.
 * @return An enum kvmdbg_gdbserver_end value; -EINVAL for a NULL @p server, a server with
 *         no vCPU or a negative @p fd; -EBUSY while another session is served or attached;
 *         -ESHUTDOWN after kvmdbg_gdbserver_shutdown(); -ENOMEM.
 * @since 0.2
 */
int kvmdbg_gdbserver_serve(struct kvmdbg_gdbserver *server, int fd);

/**
 * @brief Attach a gdb connection for a single-threaded VMM (recipe 2).
 *
 * Stops the guest (as kvmdbg_gdbserver_stop()) and returns at once; the vCPU's next
 * kvmdbg_gdbserver_vcpu_pre_run() talks to gdb until gdb resumes it, and so on until the
 * session ends (see kvmdbg_gdbserver_set_end_fn()). For one vCPU, run by the caller's thread.
 *
 * @param server The server.
 * @param fd The connection, which stays the caller's.
 * @return 0; -EINVAL for a NULL @p server, a server with no vCPU or a negative @p fd; -EBUSY
 *         while another session is served or attached; -EOPNOTSUPP for a server with more
 *         than one vCPU; -ESHUTDOWN after kvmdbg_gdbserver_shutdown(); -ENOMEM.
 * @since 0.2
 */
int kvmdbg_gdbserver_attach(struct kvmdbg_gdbserver *server, int fd);

/**
 * @brief End everything: for a VMM that quits.
 *
 * A session being served ends (kvmdbg_gdbserver_serve() returns
 * #KVMDBG_GDBSERVER_END_SHUTDOWN), every vCPU parked in a hook or halted wakes up, and every
 * vCPU call from now on returns -ESHUTDOWN, so that the VMM's run loops end. gdb's points are
 * removed when the session ends (or by kvmdbg_gdbserver_free()). It does not wait, and it is
 * not async-signal-safe.
 *
 * @param server The server.
 * @return 0, or -EINVAL for a NULL @p server.
 * @since 0.2
 */
int kvmdbg_gdbserver_shutdown(struct kvmdbg_gdbserver *server);

/**
 * @brief Before @c KVM_RUN: park while gdb holds the vCPU stopped, then
 *        kvmdbg_vcpu_pre_run().
 *
 * Applies what gdb asked for while the vCPU was stopped (single-step on or off, a guest
 * exception handed back, a step-over forgotten because gdb moved the pc) before it calls
 * kvmdbg_vcpu_pre_run(). In a single-threaded VMM (kvmdbg_gdbserver_attach()), the talk with
 * gdb happens here.
 *
 * @param server The server.
 * @param index The vCPU's index (kvmdbg_gdbserver_add_vcpu()).
 * @return What kvmdbg_vcpu_pre_run() returns (0 or 1; or its error); -EINVAL for a NULL
 *         @p server or an unknown @p index; -ESHUTDOWN after kvmdbg_gdbserver_shutdown() or
 *         once gdb killed a single-threaded VMM's guest; -ENOTCONN when a single-threaded
 *         VMM's gdb went away without detaching and no new connection was attached (the guest
 *         stays stopped: attach one and call again).
 * @since 0.2
 */
int kvmdbg_gdbserver_vcpu_pre_run(struct kvmdbg_gdbserver *server, unsigned int index);

/**
 * @brief After @c KVM_RUN: kvmdbg_vcpu_handle_exit(), and the event to gdb.
 *
 * A debug event becomes a stop for gdb (the vCPU parks at its next
 * kvmdbg_gdbserver_vcpu_pre_run()), or is dropped when nobody asked for it (a kick that
 * came late, a breakpoint gdb has removed since). Events that come while no debugger is
 * attached: the guest's own breakpoint and debug exceptions are handed back to the guest
 * where the kernel can (elsewhere they stop the guest for the next gdb); the others are
 * dropped.
 *
 * @param server The server.
 * @param index The vCPU's index.
 * @param run_result 0 if @c KVM_RUN returned 0, else its negative errno.
 * @return #KVMDBG_EXIT_NOT_DEBUG when the exit is the VMM's to handle (its
 *         @c exit_reason says what; a signal's @c -EINTR is @c KVM_EXIT_INTR);
 *         #KVMDBG_EXIT_RESUME when there is nothing for the VMM to do; -EINVAL for a NULL
 *         @p server or an unknown @p index; an error of kvmdbg_vcpu_handle_exit().
 * @since 0.2
 */
int kvmdbg_gdbserver_vcpu_handle_exit(struct kvmdbg_gdbserver *server, unsigned int index,
				      int run_result);

/**
 * @brief Report a stop that the VMM found in an exit of its own.
 *
 * For an exit the VMM cannot go on from (a triple fault: @c SIGSEGV, 11; an instruction KVM
 * could not emulate: @c SIGILL, 4): the vCPU stops, with the other vCPUs, and gdb hears of
 * it as a signal (with @p note shown first); without a debugger the guest waits for the next
 * one. The vCPU parks at its next kvmdbg_gdbserver_vcpu_pre_run().
 *
 * @param server The server.
 * @param index The vCPU's index.
 * @param gdb_signal A gdb signal number, 1 to 255 (gdb's numbering, not the host's).
 * @param note A line for gdb's console, or NULL.
 * @return 0; -EINVAL for a NULL @p server, an unknown @p index or a bad @p gdb_signal.
 * @since 0.2
 */
int kvmdbg_gdbserver_vcpu_report_stop(struct kvmdbg_gdbserver *server, unsigned int index,
				      int gdb_signal, const char *note);

/**
 * @brief Report that the guest ended.
 *
 * gdb hears @c W with @p status, and the session ends with #KVMDBG_GDBSERVER_END_EXITED.
 * The vCPU parks at its next kvmdbg_gdbserver_vcpu_pre_run() until
 * kvmdbg_gdbserver_shutdown(). In a single-threaded VMM, gdb is told before this call
 * returns. In a VMM with a thread per vCPU, gdb is told once the vCPU parks: a VMM whose run
 * loop ends with the guest (kvmtool) calls kvmdbg_gdbserver_vcpu_pre_run() once more after
 * this, which returns -ESHUTDOWN once gdb has heard it; ending the thread without that call
 * leaves gdb with a closed connection and no exit status.
 *
 * @param server The server.
 * @param index The vCPU that ended it.
 * @param status The exit status, 0 to 255.
 * @return 1 when a debugger was attached and is told; 0 when none was, or when its session
 *         was ending (a detach had let the guest go): nothing else happens, the VMM ends the
 *         guest itself; -EINVAL for a NULL @p server, an unknown @p index or a bad @p status.
 * @since 0.2
 */
int kvmdbg_gdbserver_vcpu_report_exit(struct kvmdbg_gdbserver *server, unsigned int index,
				      int status);

/**
 * @brief Park a vCPU that will never run again (it halted with interrupts off).
 *
 * gdb still sees the thread (its name says "halted"), its registers and memory; resuming it
 * does nothing, and stepping it stops at once with a note. The call blocks until
 * kvmdbg_gdbserver_shutdown(). A vCPU that waits for an interrupt is not halted in this
 * sense: the VMM waits in its own way, and the kick brings it back to its run loop.
 *
 * @param server The server.
 * @param index The vCPU's index.
 * @return -ESHUTDOWN once kvmdbg_gdbserver_shutdown() was called; -EINVAL for a NULL
 *         @p server or an unknown @p index; -EOPNOTSUPP in a single-threaded VMM
 *         (kvmdbg_gdbserver_attach()), whose only vCPU would then never come back.
 * @since 0.2
 */
int kvmdbg_gdbserver_vcpu_halt(struct kvmdbg_gdbserver *server, unsigned int index);

/**
 * @brief Listen for gdb on a TCP port.
 *
 * @param address A numeric IPv4 or IPv6 address to bind, or NULL for 127.0.0.1.
 * @param port The port, 0 to 65535 (0 picks a free one).
 * @param ret_fd Where to store the listening socket (close-on-exec), which is the caller's.
 * @param ret_port Where to store the port it listens on, or NULL.
 * @return 0; -EINVAL for a bad @p address or @p port or a NULL @p ret_fd; the error of
 *         @c socket(), @c bind() or @c listen().
 * @since 0.2
 */
int kvmdbg_gdbserver_listen_tcp(const char *address, int port, int *ret_fd, int *ret_port);

/**
 * @brief Listen for gdb on a Unix socket (gdb: @c target @c remote @c PATH).
 * @param path The socket's path; an existing socket file there is replaced.
 * @param ret_fd Where to store the listening socket (close-on-exec).
 * @return 0; -EINVAL for NULL arguments or a path too long for a socket address; the error
 *         of @c socket(), @c bind() or @c listen().
 * @since 0.2
 */
int kvmdbg_gdbserver_listen_unix(const char *path, int *ret_fd);

/**
 * @brief Accept one gdb connection.
 *
 * Waits for it (retrying after a signal). A TCP connection gets @c TCP_NODELAY: gdb's packets
 * are small and each waits for its answer.
 *
 * @param listen_fd A socket from kvmdbg_gdbserver_listen_tcp() or
 *                  kvmdbg_gdbserver_listen_unix().
 * @param ret_fd Where to store the connection (close-on-exec), which is the caller's.
 * @return 0; -EINVAL for a negative @p listen_fd or a NULL @p ret_fd; the error of
 *         @c accept4().
 * @since 0.2
 */
int kvmdbg_gdbserver_accept(int listen_fd, int *ret_fd);

/**
 * @brief Make a terminal a raw 8-bit line for the protocol (a serial port).
 *
 * No echo, no line editing, no character translation, no signals from special characters;
 * the speed is left as it is.
 *
 * @param fd A terminal file descriptor.
 * @return 0; -EINVAL for a negative @p fd; -ENOTTY if @p fd is not a terminal; the error of
 *         @c tcsetattr().
 * @since 0.2
 */
int kvmdbg_gdbserver_setup_serial(int fd);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* KVMDBG_GDBSERVER_H */
