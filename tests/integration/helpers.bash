# Shared setup for the integration tests (bats 1.8.2, run as root).
#
# Every test file does:
#
#   load helpers
#   setup()    { mdl_setup; }
#   teardown() { mdl_teardown; }
#
# mdl_setup records the host state a container could damage; mdl_teardown then
# fails the test when something was left behind: a container cgroup below our
# own cgroup in any v1 hierarchy, a launcher or container process we started,
# a changed /proc mount, a changed hostname. It also cleans up what it found
# (only what this test started), so one failure does not cascade.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MDLAUNCH=${MDLAUNCH:-$TOP/mdlaunch}
EXAMPLES=$TOP/examples

# The directories the container sees first on PATH (SPEC_DEFAULT_PATH): a tool
# is usable inside only if it is found there, not through the caller's PATH.
CONTAINER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Upper bound for one foreground launcher run, so a hang fails instead of blocking.
MDL_TIMEOUT=${MDL_TIMEOUT:-60}

# mdl ARGS...: runs the launcher in the foreground with a timeout. On a cgroup v2
# host it runs in a cgroup of its own (see mdl_delegated), as a systemd unit with
# Delegate=yes would: one shared with this shell could never delegate controllers.
mdl()
{
	if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		mdl_delegated "$@"
		return
	fi
	timeout -k 5 "$MDL_TIMEOUT" "$MDLAUNCH" "$@"
}

# skip_if_unified REASON: for a test that is v1-specific or starts the launcher
# directly (not through mdl), which cgroup v2's delegation rule does not allow.
skip_if_unified()
{
	[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" != cgroup2fs ] || skip "cgroup v2: $1"
}

# mdl_delegated ARGS...: cgroup v2 only. Runs the launcher alone in a new cgroup,
# a sibling of this shell's own one (whose parent delegates the controllers),
# and removes that cgroup afterwards. Returns the launcher's status.
mdl_delegated()
{
	local own dir rc=0

	own=$(sed -n 's/^0:://p' /proc/self/cgroup)
	own=${own%/*}
	dir=/sys/fs/cgroup${own%/}/mdl-bats-$$-$BASHPID-$RANDOM
	mkdir "$dir" || return 125
	timeout -k 5 "$MDL_TIMEOUT" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' \
		sh "$dir" "$MDLAUNCH" "$@" || rc=$?
	rmdir "$dir" || rc=125
	return $rc
}

# in_container_path TOOL: succeeds when TOOL is on the container's PATH.
in_container_path()
{
	PATH=$CONTAINER_PATH command -v "$1" >/dev/null 2>&1
}

require_tool()
{
	in_container_path "$1" || skip "$1 is not installed (needed inside the container)"
}

# Namespaces= without cgroup: for a test that checks where the container's
# cgroups are, as /proc/self/cgroup shows them outside a cgroup namespace.
HOST_CGROUP_VIEW="uts pid mount net ipc"

# write_container NAME <<EOF ... EOF: writes $BATS_TEST_TMPDIR/NAME.container
# from stdin and prints its path.
write_container()
{
	local f=$BATS_TEST_TMPDIR/$1.container

	cat >"$f"
	printf '%s\n' "$f"
}

# cgroup_v1_dirs [PID]: prints "controller<TAB>directory" for every v1
# hierarchy (and "unified<TAB>directory" for a cgroup2 mount), where directory
# is PID's own cgroup in it (default: this test process). Found like the launcher finds it: /proc/PID/cgroup gives the path
# inside each hierarchy, /proc/PID/mountinfo where that hierarchy is mounted.
cgroup_v1_dirs()
{
	local pid=${1:-$$}
	local line pre post fstype src superopts mid parent devno root mnt rest
	local id ctls path first rel opt

	while IFS= read -r line; do
		pre=${line%% - *}
		post=${line#* - }
		read -r fstype src superopts <<<"$post"
		[ "$fstype" = cgroup ] || [ "$fstype" = cgroup2 ] || continue
		read -r mid parent devno root mnt rest <<<"$pre"
		while IFS=: read -r id ctls path; do
			if [ "$fstype" = cgroup2 ]; then
				# the unified hierarchy (v2, or the v2 part of a hybrid host)
				[ "$id" = 0 ] || continue
				ctls=unified
			else
				[ "$id" != 0 ] || continue
				first=${ctls%%,*}
				case ",$superopts," in
				*",$first,"*) ;;
				*) continue ;;
				esac
			fi
			rel=$path
			if [ "$root" != / ]; then
				case $path in
				"$root"*) rel=${path#"$root"} ;;
				*) continue ;; # not visible through this mount
				esac
			fi
			printf '%s\t%s\n' "$ctls" "${mnt%/}${rel%/}"
		done <"/proc/$pid/cgroup"
	done <"/proc/$pid/mountinfo"
}

# Lists the container cgroups below DIR/mdlaunch (one per line, full path).
list_container_cgroups()
{
	local d

	for d in "$1"/mdlaunch/*/; do
		[ -d "$d" ] && printf '%s\n' "${d%/}"
	done
	return 0
}

# Mounts of the host namespace below /run/mdlaunch, or overlays.
run_dir_mount_count()
{
	grep -c -e ' /run/mdlaunch/' -e ' - overlay ' /proc/self/mountinfo || true
}

# run_dirs_left: anything on the host in /run/mdlaunch/rootfs, the mount point
# of each run's scratch tmpfs, which lives in the container's namespace only.
run_dirs_left()
{
	ls -A /run/mdlaunch/rootfs 2>/dev/null | sed 's|^|/run/mdlaunch/rootfs/|'
}

proc_mount_count()
{
	grep -c ' - proc ' /proc/self/mountinfo || true
}

# The token marks every process a test starts (the launcher and, through the
# inherited environment, the container): teardown finds leftovers by it.
mdl_setup()
{
	MDL_TEST_TOKEN="mdl-$$-$BATS_TEST_NUMBER-$RANDOM$RANDOM"
	export MDL_TEST_TOKEN
	: >"$BATS_TEST_TMPDIR/pids"

	MDL_HOST_HOSTNAME=$(hostname)
	MDL_HOST_PROC_MOUNTS=$(proc_mount_count)
	MDL_HOST_PIDNS=$(readlink /proc/self/ns/pid)
	MDL_HOST_RUN_MOUNTS=$(run_dir_mount_count)

	# Container cgroups already present (someone else's concurrent run) are
	# not ours: remember them so teardown only judges what this test made.
	local ctl dir
	: >"$BATS_TEST_TMPDIR/cgroups.before"
	: >"$BATS_TEST_TMPDIR/parents.before"
	while IFS=$'\t' read -r ctl dir; do
		[ -d "$dir/mdlaunch" ] && printf '%s\n' "$dir/mdlaunch" >>"$BATS_TEST_TMPDIR/parents.before"
		list_container_cgroups "$dir" >>"$BATS_TEST_TMPDIR/cgroups.before"
	done < <(cgroup_v1_dirs)

	# Last, so that teardown always has the state to compare with.
	[ -x "$MDLAUNCH" ] || {
		echo "MDLAUNCH='$MDLAUNCH' is not an executable (run make first)" >&2
		return 1
	}
}

# track_pid PID: a background process of this test that must be gone at teardown.
track_pid()
{
	printf '%s\n' "$1" >>"$BATS_TEST_TMPDIR/pids"
}

# pids_with_token: the live processes whose environment carries this test's token.
pids_with_token()
{
	local f pid

	for f in $(grep -lsz -- "^MDL_TEST_TOKEN=$MDL_TEST_TOKEN\$" /proc/[0-9]*/environ); do
		pid=${f#/proc/}
		pid=${pid%/environ}
		printf '%s\n' "$pid"
	done
}

# cgroup_is_ours DIR: empty, or holding only processes of this test.
cgroup_is_ours()
{
	local pid launcher=${1##*-}

	# An empty leaf (NAME-<launcher pid>) of a live launcher this test did
	# not start: someone else's run between its mkdir and attach or its exit
	# and rmdir.
	if [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ] && [[ $launcher =~ ^[0-9]+$ ]] &&
		[ -d "/proc/$launcher" ] &&
		! grep -qsz -- "^MDL_TEST_TOKEN=$MDL_TEST_TOKEN\$" "/proc/$launcher/environ"; then
		return 1
	fi
	while read -r pid; do
		grep -qsz -- "^MDL_TEST_TOKEN=$MDL_TEST_TOKEN\$" "/proc/$pid/environ" || return 1
	done <"$1/cgroup.procs"
	return 0
}

# foreign_launchers: live mdlaunch processes that this test did not start.
foreign_launchers()
{
	local p exe

	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case ${exe##*/} in
		mdlaunch | mdlaunch" (deleted)") ;;
		*) continue ;;
		esac
		grep -qsz -- "^MDL_TEST_TOKEN=$MDL_TEST_TOKEN\$" "$p/environ" || printf '%s\n' "${p#/proc/}"
	done
}

mdl_teardown()
{
	local problems=() pid ctl dir cg i

	# From here on nothing we run carries the token.
	export -n MDL_TEST_TOKEN

	# 1. Processes: the launchers we put in the background, then anything
	#    else carrying the token (a container that outlived its launcher).
	while read -r pid; do
		[ -n "$pid" ] || continue
		if kill -0 "$pid" 2>/dev/null && grep -qsz -- "^MDL_TEST_TOKEN=$MDL_TEST_TOKEN\$" \
			"/proc/$pid/environ"; then
			problems+=("launcher pid $pid is still running")
			kill -KILL "$pid" 2>/dev/null
		fi
	done <"$BATS_TEST_TMPDIR/pids"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(pids_with_token)" ] && break
		sleep 0.1
	done
	for pid in $(pids_with_token); do
		problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)) is still running")
		kill -KILL "$pid" 2>/dev/null
	done

	# 2. cgroups: a new container cgroup below our own cgroup, in any v1
	#    hierarchy, that is empty or holds only our processes, is a leak.
	#    The launcher retries rmdir on EBUSY; give it the same grace.
	while IFS=$'\t' read -r ctl dir; do
		for cg in $(list_container_cgroups "$dir"); do
			grep -qxF -- "$cg" "$BATS_TEST_TMPDIR/cgroups.before" && continue
			for i in 1 2 3 4 5 6 7 8 9 10; do
				[ -d "$cg" ] || break
				sleep 0.1
			done
			[ -d "$cg" ] || continue
			cgroup_is_ours "$cg" || continue # a concurrent run of someone else
			problems+=("cgroup '$cg' ($ctl) was left behind")
			while read -r pid; do kill -KILL "$pid" 2>/dev/null; done <"$cg/cgroup.procs"
			for i in 1 2 3 4 5 6 7 8 9 10; do
				rmdir "$cg" 2>/dev/null && break
				sleep 0.1
			done
		done
		# The shared parent: the last run out removes it. Judge it only when
		# no other launcher (someone else's concurrent run) is alive: it may
		# be theirs, just created or about to be removed.
		if [ -d "$dir/mdlaunch" ] && ! grep -qxF -- "$dir/mdlaunch" \
			"$BATS_TEST_TMPDIR/parents.before"; then
			for i in 1 2 3 4 5 6 7 8 9 10; do
				[ -d "$dir/mdlaunch" ] || break
				sleep 0.1
			done
			if [ -d "$dir/mdlaunch" ] && [ -z "$(list_container_cgroups "$dir")" ] &&
				[ -z "$(foreign_launchers)" ]; then
				problems+=("empty cgroup '$dir/mdlaunch' ($ctl) was left behind")
				rmdir "$dir/mdlaunch" 2>/dev/null
			fi
		fi
	done < <(cgroup_v1_dirs)

	# 3. The host's /proc and hostname.
	if ! [ -r "/proc/$$/status" ] || [ "$(readlink /proc/self/ns/pid)" != "$MDL_HOST_PIDNS" ]; then
		problems+=("the host's /proc no longer shows the host's processes")
	fi
	if [ "$(proc_mount_count)" != "$MDL_HOST_PROC_MOUNTS" ]; then
		problems+=("proc mounts in the host namespace changed: $MDL_HOST_PROC_MOUNTS -> $(proc_mount_count)")
	fi
	if [ "$(run_dir_mount_count)" != "$MDL_HOST_RUN_MOUNTS" ]; then
		problems+=("overlay or /run/mdlaunch mounts in the host namespace changed")
	fi
	for dir in $(run_dirs_left); do
		problems+=("'$dir' appeared on the host")
		rm -rf --one-file-system "$dir"
	done
	if [ "$(hostname)" != "$MDL_HOST_HOSTNAME" ]; then
		problems+=("the host's hostname changed to '$(hostname)'")
	fi

	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# wait_for_file FILE [SECONDS]: waits until FILE exists and is non-empty.
wait_for_file()
{
	local i n=$((${2:-10} * 20))

	for ((i = 0; i < n; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# wait_for_exit PID [SECONDS]: waits for a background child of this shell and
# sets exit_status to its status. Returns 1 when it is still running after
# SECONDS (not in a $(...) subshell: only this shell can wait for its child).
wait_for_exit()
{
	local i n=$((${2:-10} * 20)) state

	exit_status=
	for ((i = 0; i < n; i++)); do
		# bash may reap it already (and keep its status for wait): no /proc entry
		state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
		if [ -z "$state" ] || [ "$state" = Z ]; then
			exit_status=0
			wait "$1" || exit_status=$?
			return 0
		fi
		sleep 0.05
	done
	echo "pid $1 is still running after ${2:-10}s" >&2
	return 1
}

# child_of PID: the first child process of PID (the container's init, once cloned).
child_of()
{
	local c

	c=$(cat /proc/"$1"/task/*/children 2>/dev/null)
	c=${c%% *}
	printf '%s\n' "$c"
}

# print_run: shows what `run` captured, for the failure output of bats.
print_run()
{
	echo "status=$status"
	echo "--- output"
	printf '%s\n' "$output"
	if [ -n "${stderr+x}" ]; then
		echo "--- stderr"
		printf '%s\n' "$stderr"
	fi
}

# cgroup_v1_mount CONTROLLER: where the v1 hierarchy holding CONTROLLER is mounted.
cgroup_v1_mount()
{
	awk -v c="$1" '{
		for (i = 1; i <= NF && $i != "-"; i++) ;
		if ($(i + 1) != "cgroup") next;
		n = split($(i + 3), o, ",");
		for (j = 1; j <= n; j++) if (o[j] == c) { print $5; exit }
	}' /proc/self/mountinfo
}

# own_cgroup CONTROLLER: this test process's cgroup path in that hierarchy.
own_cgroup()
{
	grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" "/proc/$$/cgroup" | cut -d: -f3
}

# require_v1 CONTROLLER...: skips unless each controller has a v1 hierarchy.
require_v1()
{
	local c
	for c in "$@"; do
		[ -n "$(cgroup_v1_mount "$c")" ] || skip "no cgroup v1 hierarchy for '$c'"
	done
}

# cpu_online N: succeeds when CPU N is online.
cpu_online()
{
	local range lo hi
	IFS=, read -ra ranges </sys/devices/system/cpu/online
	for range in "${ranges[@]}"; do
		lo=${range%-*}
		hi=${range#*-}
		[ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ] && return 0
	done
	return 1
}

# write_cgroup_probe: a script that, run inside the container as
#   sh PROBE MEMORY_MOUNT CPU_MOUNT CPUSET_MOUNT
# prints "key value" lines: the container's cgroup paths and the values of the
# cgroup files in them, read from inside, plus Cpus_allowed_list.
write_cgroup_probe()
{
	local f=$BATS_TEST_TMPDIR/cgprobe.sh

	cat >"$f" <<'PROBE'
p() { grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup | cut -d: -f3; }
v() { cat "$1" 2>/dev/null || echo "(unreadable)"; }
echo "path.memory $(p memory)"
echo "memory.limit_in_bytes $(v "$1$(p memory)/memory.limit_in_bytes")"
echo "memory.procs $(tr '\n' ' ' <"$1$(p memory)/cgroup.procs")"
echo "path.cpu $(p cpu)"
echo "cpu.shares $(v "$2$(p cpu)/cpu.shares")"
echo "path.cpuset $(p cpuset)"
echo "cpuset.cpus $(v "$3$(p cpuset)/cpuset.cpus")"
echo "cpuset.mems $(v "$3$(p cpuset)/cpuset.mems")"
echo "Cpus_allowed_list $(grep Cpus_allowed_list /proc/self/status | cut -f2)"
PROBE
	printf '%s\n' "$f"
}

# probe_args: the mount points write_cgroup_probe's script expects.
probe_args()
{
	printf '%s %s %s' "$(cgroup_v1_mount memory)" "$(cgroup_v1_mount cpu)" "$(cgroup_v1_mount cpuset)"
}

# field KEY: the value of "KEY value" in $output.
field()
{
	printf '%s\n' "$output" | awk -v k="$1" '$1 == k {sub(/^[^ ]+ /, ""); print; exit}'
}

# python3_ok: python3 on the container's PATH.
require_python3()
{
	in_container_path python3 || skip "python3 is not installed"
}

# in_test_netns SCRIPT [ARG...]: runs bash SCRIPT in a new mount and network
# namespace that plays the host for CNI networks: / private, a tmpfs on /run
# (so /run/mdlaunch, the IPAM leases and the netns pins die with it), lo up.
# Bridges, veths and iptables rules never reach the machine's own network.
# mdl and the helpers below work inside.
in_test_netns()
{
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	[ -x /usr/lib/cni/bridge ] || skip "containernetworking-plugins is not installed"
	command -v iptables >/dev/null || skip "iptables is not installed"
	export MDLAUNCH MDL_TIMEOUT BATS_TEST_TMPDIR EXAMPLES
	export -f mdl mdl_delegated net_leftovers
	timeout -k 5 $((MDL_TIMEOUT * 3)) unshare -m -n bash -c '
		set -e
		mount --make-rprivate /
		mount -t tmpfs -o mode=0755 tmpfs /run
		ip link set lo up
		set +e
		. "$0" "$@"' "$@"
}

# net_leftovers: inside in_test_netns, prints what a container left on the
# network (veths, iptables rules naming a container, IPAM leases, cache
# entries, namespace pins) and fails when there is any.
net_leftovers()
{
	local left
	left=$(
		ip -o link show type veth 2>/dev/null
		iptables-save 2>/dev/null | grep -E -- '(-A |^:)CNI-(DN-|[0-9a-f]{24})|id: \\"|10\.89\.' || true
		find /run/mdlaunch/ipam -type f ! -name lock ! -name 'last_reserved_ip.*' 2>/dev/null || true
		find /run/mdlaunch/net /run/mdlaunch/netns -mindepth 1 2>/dev/null || true
	)
	if [ -n "$left" ]; then
		echo "left behind on the network:"
		printf '%s\n' "$left"
		return 1
	fi
}
