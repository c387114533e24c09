#!/usr/bin/env bash
# netns-run.sh LEFT-FILE COMMAND...: for the fault sweep's network configuration,
# run inside `unshare -m -n` (a mount and network namespace that plays the host):
# brings lo up, puts a tmpfs on /run (leases, pins, caches stay in here), runs
# COMMAND, then writes what the run left in this namespace to LEFT-FILE (veths,
# the CNI's iptables chains, host-local leases, netns pins, cache entries) and
# exits with COMMAND's status. When something was left, one more run of
# $FAULTS_MDLAUNCH on the network (untraced) must remove it: the launcher
# records a teardown it could not finish for the next run's sweep. LEFT-FILE
# then starts with "cleared-by-next-run:" when that run left nothing, and names
# what is still there otherwise. Everything here dies with the namespace.
left=$1
shift
ip link set lo up || exit 120
mount -t tmpfs tmpfs /run || exit 120

leftovers()
{
	local l=()
	ip -o link show type veth 2>/dev/null | grep -q . && l+=(veth)
	# The plugins' rules name the container id (NAME-PID); their shared chains stay.
	iptables-save 2>/dev/null | grep -q -- "${FAULTS_NAME:?}-" && l+=(iptables)
	ls /run/mdlaunch/ipam/*/ 2>/dev/null | grep -q '^[0-9]' && l+=(lease)
	ls -A /run/mdlaunch/netns 2>/dev/null | grep -q . && l+=(netns-pin)
	ls -A /run/mdlaunch/net 2>/dev/null | grep -q '\.json$' && l+=(cache)
	echo "${l[*]}"
}

"$@"
rc=$?
l=$(leftovers)
if [ -n "$l" ]; then
	"${FAULTS_MDLAUNCH:?}" run --name "${FAULTS_NAME}" --network mdlaunch -- true >/dev/null 2>&1
	after=$(leftovers)
	if [ -z "$after" ]; then
		printf 'cleared-by-next-run: %s\n' "$l" >"$left"
	else
		printf '%s\n' "$after" >"$left"
	fi
fi
exit $rc
