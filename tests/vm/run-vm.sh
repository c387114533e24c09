#!/usr/bin/env bash
# Boots a Debian kernel under qemu with a pure cgroup v2 hierarchy and runs a command in it,
# from the repository's top directory, with the host's root shared read-only (a tmpfs overlay
# on top), so host binaries (bash, bats, python3, the freshly built mdlaunch) run unchanged.
#
#   tests/vm/run-vm.sh [options] [--shell-cmd 'CMD']
#
# CMD defaults to the integration suite: bats --tap tests/integration (MDLAUNCH set).
# Exits with CMD's status; 124 when the hard timeout hit; 125 when the VM itself failed.
# See tests/vm/README.md.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: tests/vm/run-vm.sh [options]
  --shell-cmd CMD   run CMD (bash -c) in the guest instead of the integration suite
  --systemd         boot the host's systemd as PID 1; CMD runs in a service with
                    Delegate=yes (mdlvm-job.service) after basic.target
  --timeout SECS    hard timeout for the whole VM run (default 1800, env VM_TIMEOUT)
  --mem MIB         guest memory (default 1536, env VM_MEM)
  --smp N           guest CPUs (default 2, env VM_SMP)
  --accel A         tcg, kvm or auto (default auto = kvm only when really usable; env VM_ACCEL)
                    (env VM_MACHINE: qemu machine type, default q35)
  --bzimage         boot the compressed bzImage instead of the extracted ELF vmlinux
  --verbose         show the kernel's messages and the harness's steps
  --keep            keep the run directory (console log, job script) under build/vm/
  --prepare         only download and prepare the kernel and initramfs, boot nothing
  --refresh         resolve the current kernel version again (default: the cached one)
  -h, --help        this text
env: MDLAUNCH (binary the tests run; default $BUILD/mdlaunch), BUILD (default build/release),
     VM_DIR (cache directory, default build/vm), VM_KERNEL (kernel ABI, e.g. 6.1.0-56-amd64),
     VM_CGROUP (the guest's test cgroup, default /vm-test), VM_APPEND (more kernel arguments),
     VM_ASLR=1 (keep address space randomisation under TCG; off by default, for speed)
EOF
}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
here=$repo/tests/vm
vmdir=${VM_DIR:-$repo/build/vm}
timeout_s=${VM_TIMEOUT:-1800}
mem=${VM_MEM:-1536}
smp=${VM_SMP:-2}
accel=${VM_ACCEL:-auto}
machine=${VM_MACHINE:-q35}
testcg=${VM_CGROUP:-/vm-test}
shell_cmd=
use_bzimage=0
verbose=0
keep=0
prepare_only=0
refresh=0
systemd=0

while [ $# -gt 0 ]; do
	case $1 in
	--shell-cmd) shell_cmd=${2?--shell-cmd needs a command}; shift ;;
	--shell-cmd=*) shell_cmd=${1#*=} ;;
	--timeout) timeout_s=${2?}; shift ;;
	--mem) mem=${2?}; shift ;;
	--smp) smp=${2?}; shift ;;
	--accel) accel=${2?}; shift ;;
	--bzimage) use_bzimage=1 ;;
	--verbose) verbose=1 ;;
	--keep) keep=1 ;;
	--prepare) prepare_only=1 ;;
	--refresh) refresh=1 ;;
	--systemd) systemd=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "run-vm: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

log() { [ "$verbose" = 0 ] || echo "run-vm: $*" >&2; }
die() {
	echo "run-vm: $*" >&2
	exit 125
}
case $repo in *[[:space:]]*) die "the repository path must not contain white space: $repo" ;; esac

# --- host packages ---------------------------------------------------------------------------
apt_updated=0
apt_update() {
	[ "$apt_updated" = 1 ] && return 0
	apt_updated=1
	log "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
}

ensure_packages() {
	local missing=() p
	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' ||
		missing+=(busybox-static)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v xz >/dev/null || missing+=(xz-utils)
	command -v zstd >/dev/null || missing+=(zstd)
	command -v timeout >/dev/null || missing+=(coreutils)
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}) and not root to install them"
	echo "run-vm: installing ${missing[*]}" >&2
	apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
	for p in qemu-system-x86_64 cpio xz; do
		command -v $p >/dev/null || die "$p still missing after the install"
	done
}

# --- kernel ----------------------------------------------------------------------------------
resolve_kernel() { # prints the kernel ABI name, e.g. 6.1.0-56-amd64
	if [ -n "${VM_KERNEL:-}" ]; then
		echo "$VM_KERNEL"
		return
	fi
	local v
	# The version resolved by an earlier run, as long as its kernel is in the cache (asking
	# apt costs ~2 s); --refresh asks again.
	if [ "$refresh" = 0 ] && [ -s "$vmdir/kernel.version" ]; then
		v=$(cat "$vmdir/kernel.version")
		if [ -e "$vmdir/kernel-$v/.ready" ]; then
			echo "$v"
			return
		fi
	fi
	v=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: linux-image-\([0-9][^ ]*-amd64\)\(-unsigned\)\{0,1\}$/\1/p' |
		head -1) || true
	if [ -z "$v" ]; then
		apt_update
		v=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *|\{0,1\}Depends: linux-image-\([0-9][^ ]*-amd64\)\(-unsigned\)\{0,1\}$/\1/p' |
			head -1) || true
	fi
	if [ -z "$v" ]; then # offline: any kernel already in the cache
		v=$(ls -d "$vmdir"/kernel-*/ 2>/dev/null | sed 's|.*/kernel-||; s|/$||' | sort -V | tail -1)
	fi
	[ -n "$v" ] || die "cannot resolve the kernel version from linux-image-amd64"
	echo "$v" >"$vmdir/kernel.version"
	echo "$v"
}

# Extracts the uncompressed ELF vmlinux from a bzImage (the logic of the kernel's
# scripts/extract-vmlinux): try each compression magic offset until an ELF comes out.
extract_vmlinux() { # bzImage, output
	local img=$1 out=$2 magic cmd pos
	for spec in 'xz:\xFD7zXZ\x00' 'zstd:\x28\xB5\x2F\xFD' 'gzip:\x1F\x8B\x08'; do
		cmd=${spec%%:*}
		magic=${spec#*:}
		command -v "$cmd" >/dev/null || continue
		for pos in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
			tail -c +$((pos + 1)) "$img" | "$cmd" -dc 2>/dev/null >"$out.tmp" || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	return 1
}

prepare_kernel() { # kver -> sets kdir, kernel_image
	local kver=$1 deb
	kdir=$vmdir/kernel-$kver
	if [ ! -e "$kdir/.ready" ]; then
		echo "run-vm: fetching linux-image-$kver" >&2
		rm -rf "$kdir" "$vmdir/dl"
		mkdir -p "$vmdir/dl"
		(cd "$vmdir/dl" && apt-get download -q "linux-image-$kver" >&2 2>/dev/null) ||
			{ apt_update && (cd "$vmdir/dl" && apt-get download -q "linux-image-$kver" >&2); } ||
			die "apt-get download linux-image-$kver failed"
		deb=$(ls "$vmdir"/dl/linux-image-"$kver"_*.deb | head -1)
		dpkg -x "$deb" "$kdir.tmp" || die "dpkg -x $deb failed"
		if command -v depmod >/dev/null; then
			depmod -b "$kdir.tmp" "$kver" || die "depmod failed"
		else
			busybox depmod -b "$kdir.tmp" "$kver" || die "busybox depmod failed"
		fi
		if ! extract_vmlinux "$kdir.tmp/boot/vmlinuz-$kver" "$kdir.tmp/vmlinux"; then
			echo "run-vm: cannot extract vmlinux, booting the bzImage" >&2
		fi
		rm -rf "$vmdir/dl"
		touch "$kdir.tmp/.ready"
		mv "$kdir.tmp" "$kdir"
	fi
	kernel_image=$kdir/vmlinux
	if [ "$use_bzimage" = 1 ] || [ ! -s "$kernel_image" ]; then
		kernel_image=$kdir/boot/vmlinuz-$kver
	fi
}

# --- initramfs -------------------------------------------------------------------------------
# Modules stage 1 needs (with their dependencies); built-in ones are skipped.
initrd_modules="virtio virtio_ring virtio_pci 9pnet 9pnet_virtio 9p overlay"

module_order() { # kver: prints module paths (relative to lib/modules/kver) in load order
	local mdir=$kdir/lib/modules/$1 m
	declare -A seen=()
	visit() {
		local path=$1 dep
		[ -z "${seen[$path]:-}" ] || return 0
		seen[$path]=1
		for dep in $(grep -m1 "^$path:" "$mdir/modules.dep" | cut -d: -f2); do
			visit "$dep"
		done
		echo "$path"
	}
	for m in $initrd_modules; do
		local p
		p=$(grep -E -m1 "(^|/)$m\.ko(\.xz|\.zst|\.gz)?:" "$mdir/modules.dep" | cut -d: -f1) || true
		if [ -z "$p" ]; then
			grep -qE "(^|/)$m\.ko" "$mdir/modules.builtin" ||
				die "module $m neither built in nor in modules.dep"
			continue
		fi
		visit "$p"
	done
}

build_initrd() { # kver -> sets initrd
	local kver=$1 key order stage ko name
	key=$( (echo "$kver $initrd_modules"; cat "$here/initramfs-init.sh") | sha256sum | cut -c1-16)
	initrd=$vmdir/initrd-$kver-$key.cpio
	[ -s "$initrd" ] && return 0
	order=$(module_order "$kver")
	log "building $initrd"
	stage=$(mktemp -d "$vmdir/initrd.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,modules}
	cp /bin/busybox "$stage/bin/busybox"
	for name in $(busybox --list); do
		[ "$name" = busybox ] || ln -s busybox "$stage/bin/$name"
	done
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	cp "$here/initramfs-init.sh" "$stage/init"
	chmod 755 "$stage/init"
	: >"$stage/modules.order"
	for ko in $order; do
		name=$(basename "$ko")
		case $name in
		*.ko.xz) xz -dc "$kdir/lib/modules/$kver/$ko" >"$stage/modules/${name%.xz}" ;;
		*.ko.zst) zstd -qdc "$kdir/lib/modules/$kver/$ko" >"$stage/modules/${name%.zst}" ;;
		*.ko.gz) gzip -dc "$kdir/lib/modules/$kver/$ko" >"$stage/modules/${name%.gz}" ;;
		*) cp "$kdir/lib/modules/$kver/$ko" "$stage/modules/$name" ;;
		esac
		echo "${name%.ko*}.ko" >>"$stage/modules.order"
	done
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$initrd.tmp" ||
		die "cpio failed"
	rm -rf "$stage"
	rm -f "$vmdir/initrd-$kver"-*.cpio # older builds of this kernel's initramfs
	mv "$initrd.tmp" "$initrd"
}

# --- accelerator -----------------------------------------------------------------------------
pick_accel() {
	case $accel in
	tcg | kvm) ;;
	auto)
		# A paravirtual KVM (kvm_pvm) cannot boot a stock kernel: TCG there.
		if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] &&
			{ [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
			accel=kvm
		else
			accel=tcg
		fi
		;;
	*) die "--accel must be tcg, kvm or auto" ;;
	esac
}

# --- main ------------------------------------------------------------------------------------
# (a function, so the whole file is parsed before it runs: editing the script during a
# run does not derail it)
main() {
	t0=$(date +%s.%N)
	ensure_packages
	mkdir -p "$vmdir"
	exec 9>"$vmdir/.lock"
	flock 9 # one preparation at a time; the boot itself runs unlocked
	kver=$(resolve_kernel)
	prepare_kernel "$kver"
	build_initrd "$kver"
	flock -u 9
	log "kernel $kernel_image, initramfs $initrd"
	[ "$prepare_only" = 0 ] || exit 0

	BUILD=${BUILD:-build/release}
	MDLAUNCH=${MDLAUNCH:-$repo/$BUILD/mdlaunch}
	case $MDLAUNCH in /*) ;; *) MDLAUNCH=$repo/$MDLAUNCH ;; esac
	if [ -z "$shell_cmd" ]; then
		if ! ls "$repo"/tests/integration/*.bats >/dev/null 2>&1; then
			shell_cmd='echo "1..0 # SKIP no integration tests in tests/integration"'
		else
			[ -x "$MDLAUNCH" ] || die "$MDLAUNCH not built (run make first, or set MDLAUNCH)"
			shell_cmd='bats --tap tests/integration'
		fi
	fi

	run=$(mktemp -d "$vmdir/run.XXXXXX")
	cleanup() { [ "$keep" = 1 ] || rm -rf "$run"; }
	trap cleanup EXIT
	{
		echo '#!/bin/bash'
		echo '# written by tests/vm/run-vm.sh'
		printf 'export PATH=%q\n' "$PATH"
		printf 'export HOME=/root LANG=C.UTF-8 TERM=dumb\n'
		printf 'export MDLAUNCH=%q BUILD=%q\n' "$MDLAUNCH" "$BUILD"
		[ -z "${CI:-}" ] || printf 'export CI=%q\n' "$CI"
		printf 'cd %q || exit 125\n' "$repo"
		printf 'bash -c %q\n' "$shell_cmd"
	} >"$run/job.sh"
	: >"$run/status"

	pick_accel
	cpu=max
	[ "$accel" = tcg ] || cpu=host
	append="panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1"
	append+=" mdlvm.init=$here/guest-init.sh mdlvm.job=$run/job.sh mdlvm.cgroup=$testcg"
	append+=" mdlvm.modules=$kdir/lib/modules/$kver mdlvm.repo=$repo"
	[ "$systemd" = 0 ] || append+=" mdlvm.systemd=1 systemd.unit=mdlvm.target systemd.show_status=0"
	# The guest's output is on ttyS0 (streamed to stdout), its exit status on ttyS1; the kernel's
	# messages (an OOM kill, say) go to ttyS2, a log file, so they do not interleave with the TAP
	# output -- or to ttyS0 too with --verbose.
	if [ "$verbose" = 1 ]; then
		append+=" console=ttyS0 mdlvm.verbose=1"
	else
		append+=" console=ttyS2 quiet"
	fi
	# Under TCG, address space randomisation makes every process retranslate the code of its
	# shared libraries (translations are keyed by virtual address): norandmaps makes an exec of a
	# dynamic binary ~3x cheaper, and bats forks and execs a lot. VM_ASLR=1 keeps it.
	if [ "$accel" = tcg ]; then
		append+=" tsc=reliable"
		[ "${VM_ASLR:-0}" = 1 ] || append+=" norandmaps"
	fi
	[ -z "${VM_APPEND:-}" ] || append+=" $VM_APPEND"

	# shellcheck disable=SC2054 # the commas belong to qemu's option syntax
	qemu=(qemu-system-x86_64 -nodefaults -no-user-config -no-reboot
		-accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" -display none
		-kernel "$kernel_image" -initrd "$initrd" -append "$append"
		-chardev stdio,id=console,signal=off -chardev "file,id=status,path=$run/status"
		-chardev "file,id=klog,path=$run/kernel.log"
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap)
	# shellcheck disable=SC2054
	qemu+=(-machine "$machine" -serial chardev:console -serial chardev:status -serial chardev:klog
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot)
	log "accel $accel; ${qemu[*]}"

	t1=$(date +%s.%N)
	# timeout runs qemu in a process group of its own (a terminal's ^C does not reach it): pass
	# INT/TERM/HUP on to it by its PID.
	on_signal() {
		local pid
		pid=$(cat "$run/timeout.pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
		wait
		exit 130
	}
	trap on_signal INT TERM HUP
	(
		timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null 2>"$run/qemu.err" &
		echo $! >"$run/timeout.pid"
		wait $!
		echo $? >"$run/qemu.rc"
	) | tee "$run/console.log" &
	wait $! || true
	trap - INT TERM HUP
	qrc=$(cat "$run/qemu.rc" 2>/dev/null) || qrc=unknown
	t2=$(date +%s.%N)

	status=$(tr -d '\r' <"$run/status" | grep -v '^$' | tail -n 1) || true
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "run-vm: hard timeout after ${timeout_s}s" >&2
		rc=124
	elif [[ $status =~ ^[0-9]+$ ]]; then
		rc=$status
	else
		echo "run-vm: the VM reported no exit status (qemu exit $qrc, status '${status}')" >&2
		sed 's/^/run-vm: qemu: /' "$run/qemu.err" >&2
		echo "run-vm: the kernel's last messages:" >&2
		tail -n 30 "$run/kernel.log" | sed 's/^/run-vm: kernel: /' >&2
		rc=125
	fi

	# A closing summary when the output was TAP (the line format of tests/run-tests.sh).
	if grep -qE '^1\.\.[0-9]+' "$run/console.log"; then
		passed=$(grep -cE '^ok ' "$run/console.log" || true)
		skipped=$(grep -ciE '^ok .*# skip' "$run/console.log" || true)
		failed=$(grep -cE '^not ok ' "$run/console.log" || true)
		echo
		echo "vm: $((passed - skipped)) passed, $failed failed, $skipped skipped"
	fi
	awk -v rc="$rc" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v a="$accel" -v k="${kernel_image##*/}" \
		'BEGIN { printf "run-vm: exit %s; prepare %.1fs, VM %.1fs (accel %s, kernel %s)\n", rc, t1 - t0, t2 - t1, a, k }' >&2
	exit "$rc"
}

main "$@"
exit $?
