#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# /init of the vm tier's initramfs (run.sh builds it): a busybox shell that mounts the pseudo
# file systems, loads the KVM modules listed in /vm/modules (in order, with the parameters given
# on each line), shows that KVM is up, runs every program of /vm/tests (one command line each,
# "name program args..."), serves gdb sessions when run.sh --gdb asked for them, and powers the
# machine off.
#
# Everything run.sh reads comes on the serial console as lines that start with "@@VM ":
#   @@VM INFO text            shown in the host's log
#   @@VM BEGIN name           a test program starts; its TAP output follows
#   @@VM END name status ms   it ended with that exit status after that many milliseconds
#   @@VM GDB-READY            gdb sessions are offered on the control port (below)
#   @@VM GDB-NONE reason      they cannot be
#   @@VM GDB-BEGIN name       a kvm-gdbstub starts; its output follows
#   @@VM GDB-END name status ms   it ended
#   @@VM DONE                 every program ran
# A missing DONE tells run.sh that the machine died or hung.

/bin/busybox --install -s /bin
export PATH=/bin
umask 022

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /dev/shm

vm_say()
{
	echo "@@VM $*"
}

# Milliseconds since boot.
uptime_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

. /vm/config

vm_say INFO "kernel: $(uname -s) $(uname -r) $(uname -v) on $(uname -m)"
vm_say INFO "cpus: $(grep -c '^processor' /proc/cpuinfo), memory: $(sed -n 's/^MemTotal: *//p' /proc/meminfo)"
vm_say INFO "command line: $(cat /proc/cmdline)"
vm_say INFO "machine: $VM_MACHINE ($VM_DESCRIPTION)"

while read -r ko params; do
	[ -n "$ko" ] || continue
	# Parameters from the kernel command line are not applied by insmod: pass them here.
	# shellcheck disable=SC2086
	if insmod "/vm/modules.d/$ko" $params; then
		vm_say INFO "insmod ${ko%.ko} $params: ok"
	else
		vm_say INFO "insmod ${ko%.ko} $params: failed with status $?"
	fi
done < /vm/modules

dmesg | grep -i -E 'kvm|svm|hyp|vhe' | while read -r line; do
	vm_say INFO "dmesg: $line"
done
if [ -c /dev/kvm ]; then
	vm_say INFO "KVM is up: $(ls -l /dev/kvm)"
else
	vm_say INFO "KVM is NOT up: there is no /dev/kvm"
fi
for p in /sys/module/kvm_amd/parameters/nested /sys/module/kvm_amd/parameters/npt \
	 /sys/module/kvm/parameters/mode; do
	[ -r "$p" ] && vm_say INFO "$p = $(cat "$p")"
done

# From here on only the tests write to the console.
dmesg -n 1

cd /tmp || exit 1
# Each program's output is kept until it ends: a failure that proves the emulator ran code
# guest memory does not hold (EMULATOR_FAULT, from tests/kvm/risc/rguest.c; the arm64 QEMU
# fault described in run.sh's setup_arm64) is said as INFO and the program runs once more;
# only that second run is reported.  Any other failure is reported as it is.
while read -r name cmd; do
	[ -n "$name" ] || continue
	start=$(uptime_ms)
	# shellcheck disable=SC2086
	timeout "$VM_TEST_TIMEOUT" $cmd < /dev/null > /tmp/vm-test.out 2>&1
	status=$?
	if [ $status -ne 0 ] && grep -q EMULATOR_FAULT /tmp/vm-test.out; then
		vm_say INFO "$name: $(grep -m 1 EMULATOR_FAULT /tmp/vm-test.out)"
		vm_say INFO "$name: the emulator ran stale code; running $name once more"
		start=$(uptime_ms)
		# shellcheck disable=SC2086
		timeout "$VM_TEST_TIMEOUT" $cmd < /dev/null > /tmp/vm-test.out 2>&1
		status=$?
	fi
	vm_say BEGIN "$name"
	cat /tmp/vm-test.out
	vm_say END "$name $status $(($(uptime_ms) - start))"
done < /vm/tests

# gdb sessions (run.sh --gdb; tests/vm/gdb.py on the host): the host asks for one kvm-gdbstub
# at a time on the virtio serial port named kvmdbg.ctl, "RUN name args..." (or "DONE"), and
# drives gdb against it on the virtio console /dev/hvc0.  A virtio port reads end-of-file
# while nobody is connected on the host: that is waited out, for a while.
gdb_sessions()
{
	ctl=""
	i=0
	while [ $i -lt 100 ]; do
		for p in /sys/class/virtio-ports/*; do
			[ "$(cat "$p/name" 2>/dev/null)" = kvmdbg.ctl ] && ctl=/dev/${p##*/}
		done
		[ -n "$ctl" ] && [ -c "$ctl" ] && [ -c /dev/hvc0 ] && break
		ctl=""
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$ctl" ]; then
		vm_say GDB-NONE "no virtio port kvmdbg.ctl or no /dev/hvc0 after 10 s"
		return
	fi
	exec 3< "$ctl"
	vm_say GDB-READY
	idle=0
	while [ $idle -lt 600 ]; do
		if ! read -r cmd name args <&3; then
			idle=$((idle + 1))
			sleep 0.1
			continue
		fi
		idle=0
		case $cmd in
		RUN)
			vm_say GDB-BEGIN "$name"
			start=$(uptime_ms)
			# shellcheck disable=SC2086
			timeout "$VM_TEST_TIMEOUT" /gdb/kvm-gdbstub --serial=/dev/hvc0 $args \
				/gdb/guest.elf < /dev/null 2>&1
			status=$?
			vm_say GDB-END "$name $status $(($(uptime_ms) - start))"
			;;
		DONE)
			break
			;;
		esac
	done
	exec 3<&-
}

if [ -n "${VM_GDB:-}" ]; then
	gdb_sessions
fi

dmesg | grep -i -E 'kvm|svm|bug|warn|oops' | tail -n 20 | while read -r line; do
	vm_say INFO "dmesg after the tests: $line"
done
vm_say DONE
sync
poweroff -f
