#!/usr/bin/env bats
# Network=, PublishPort=, DNS= through the CNI plugins. Every test runs the
# launcher inside a mount+network namespace it makes (in_test_netns), which
# plays the host: the bridge, the veths, the iptables rules and the IPAM
# leases live and die there, never on the machine's own network.

load helpers

setup() { mdl_setup; }
teardown() { mdl_teardown; }

# script NAME <<EOF: writes a script for in_test_netns, prints its path.
script()
{
	local f=$BATS_TEST_TMPDIR/$1.sh

	{
		echo 'set -eu'
		cat
	} >"$f"
	printf '%s\n' "$f"
}

@test "network: PublishPort=18080:8080 reaches a python3 server at 127.0.0.1:18080 (200), then nothing is left" {
	skip_if_unified "the launcher is signalled directly, in the shell's own cgroup"
	require_python3
	command -v curl >/dev/null || skip "curl is not installed"
	cd "$BATS_TEST_TMPDIR"
	echo "served through the bridge" >index.html
	write_container web >/dev/null <<EOF
[Container]
Command = python3 -m http.server 8080
Network = mdlaunch
PublishPort = 18080:8080
Init = true
EOF
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
"$MDLAUNCH" web.container >web.out 2>&1 &
pid=$!
code=000
for i in $(seq 100); do
	code=$(curl -s -o body -w '%{http_code}' --max-time 2 http://127.0.0.1:18080/index.html) || true
	[ "$code" = 200 ] && break
	sleep 0.1
done
echo "http: $code $(cat body 2>/dev/null)"
# the rules of this container exist while it runs
iptables-save | grep -q 'dport 18080'
kill -TERM $pid
rc=0; wait $pid || rc=$?
echo "launcher: $rc"
cat web.out
net_leftovers
[ "$code" = 200 ] && [ "$rc" = 143 ]
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"http: 200 served through the bridge"* ]]
}

@test "network: the address is in 10.89.0.0/24, eth0 has the default route; 127 after ADD cleans up" {
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
mdl run --network mdlaunch -- sh -c 'ip -4 -o addr show eth0; ip route show default'
net_leftovers
# init fails after ADD (command not found): DEL still runs
rc=0; mdl run --network mdlaunch -- /nonexistent/cmd 2>err || rc=$?
cat err
[ "$rc" = 127 ]
net_leftovers
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" =~ inet\ 10\.89\.0\.[0-9]+/24 ]]
	[[ "$output" == *"default via 10.89.0.1 dev eth0"* ]]
}

@test "network: two containers reach each other by address" {
	skip_if_unified "the launcher is signalled directly, in the shell's own cgroup"
	require_python3
	cd "$BATS_TEST_TMPDIR"
	echo "from a" >index.html
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
"$MDLAUNCH" run --name a --network mdlaunch -- sh -c \
	'ip -4 -o addr show eth0 | sed "s/.*inet \([0-9.]*\).*/\1/" >a.addr; exec python3 -m http.server 8080' \
	>a.out 2>&1 &
pid=$!
for i in $(seq 100); do [ -s a.addr ] && break; sleep 0.1; done
addr=$(cat a.addr)
echo "a is at $addr"
mdl run --name b --network mdlaunch -- python3 -c '
import sys, time, urllib.request
for i in range(50):
    try:
        print("b got: " + urllib.request.urlopen("http://%s:8080/index.html" % sys.argv[1], timeout=2).read().decode().strip())
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(1)' "$addr"
kill -INT $pid
wait $pid || true
net_leftovers
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"b got: from a"* ]]
}

@test "network: 8 containers started in parallel get 8 distinct addresses, none fails" {
	# Eight chains of three Go plugins at once take minutes under emulation (the v2 guest):
	# give them the time, the point is the addresses.
	local MDL_TIMEOUT=600
	echo "cni_timeout = 600;" >"$BATS_TEST_TMPDIR/slow.conf"
	chmod go-w "$BATS_TEST_TMPDIR/slow.conf"
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
pids=
for i in 1 2 3 4 5 6 7 8; do
	mdl --config slow.conf run --name p$i --network mdlaunch -- sh -c 'ip -4 -o addr show eth0; sleep 0.5' >out.$i 2>&1 &
	pids="$pids $!"
done
fail=0
for p in $pids; do wait $p || fail=$((fail + 1)); done
cat out.*
echo "failed: $fail"
echo "distinct: $(grep -ho 'inet 10\.89\.0\.[0-9]*' out.* | sort -u | wc -l)"
net_leftovers
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"failed: 0"* ]]
	[[ "$output" == *"distinct: 8"* ]]
}

@test "network: a stopped container (SIGTERM to the launcher) and an OOM-killed one leave nothing" {
	skip_if_unified "the launcher is signalled directly, in the shell's own cgroup"
	write_container stop >/dev/null <<'EOF'
[Container]
Command = sleep 1017
Network = mdlaunch
PublishPort = 18081:80
Init = true
EOF
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
"$MDLAUNCH" stop.container &
pid=$!
# stop it once the command runs (a stop during the start reaches init before its handlers)
for i in $(seq 200); do pgrep -x -f 'sleep 1017' >/dev/null && break; sleep 0.1; done
sleep 0.3
kill -TERM $pid
rc=0; wait $pid || rc=$?
echo "stopped: $rc"
net_leftovers
if [ -d /sys/fs/cgroup/memory ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	rc=0
	mdl run --network mdlaunch -m 16M --memory-swap 0 -- sh -c 'a=x; while :; do a="$a$a"; done' 2>err || rc=$?
	cat err
	echo "oom: $rc"
	net_leftovers
fi
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"stopped: 143"* ]]
	[[ "$output" != *"oom:"* || "$output" == *"oom: 137"* ]]
}

@test "network: after a launcher SIGKILL, the next run cleans its network up" {
	skip_if_unified "the launcher is signalled directly, in the shell's own cgroup"
	s=$(script s <<'EOF'
# a sleep no other test runs: pgrep sees the whole machine's processes
"$MDLAUNCH" run --name victim --network mdlaunch -p 18082:80 -- sleep 1082 &
pid=$!
for i in $(seq 200); do pgrep -x -f 'sleep 1082' >/dev/null && break; sleep 0.1; done
kill -KILL $pid
wait $pid || true
# the container dies with its launcher; its network stays until the next run
for i in $(seq 50); do pgrep -x -f 'sleep 1082' >/dev/null || break; sleep 0.1; done
ls /run/mdlaunch/net
ip -o link show type veth | grep -q veth
mdl run --network mdlaunch -- true
net_leftovers
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *victim-*.json* ]]
}

@test "network: Network=host sees the test namespace's interfaces" {
	s=$(script s <<'EOF'
ip link add mdltest0 type bridge
mdl run --network host -- ip -o link show mdltest0
# and Network=none does not
! mdl run --network none -- ip -o link show mdltest0 2>/dev/null
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *mdltest0* ]]
}

@test "network: resolv.conf, hosts and hostname inside show DNS=, the CNI address and name, AddHost=; nothing left" {
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
cut -d' ' -f5,9 /proc/self/mountinfo | sort >mounts.before
cat >n.container <<'EOC'
[Container]
Name = etcnet
Hostname = box
Command = sh -c 'ip -4 -o addr show eth0; echo --; cat /etc/resolv.conf; echo --; cat /etc/hosts; echo --; cat /etc/hostname; echo --; getent hosts db box'
Network = mdlaunch
DNS = 192.0.2.53
AddHost = db:10.1.2.3
EOC
mdl n.container
net_leftovers
# nothing generated was left on the host, and the mount table is the same
find /run/mdlaunch -path /run/mdlaunch/ipam -prune -o -path /run/mdlaunch/seccomp -prune \
	-o -type f -print | sed 's/^/left: /'
grep -rl "generated by mdlaunch" /run/mdlaunch 2>/dev/null | sed 's/^/left: /'
cut -d' ' -f5,9 /proc/self/mountinfo | sort | diff mounts.before - && echo mounts-unchanged
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" != *"left: "* ]]
	[[ "$output" == *mounts-unchanged* ]]
	local addr
	addr=$(printf '%s\n' "$output" | sed -n 's/.* inet \(10\.89\.0\.[0-9]*\)\/24.*/\1/p')
	[ -n "$addr" ]
	# DNS= keeps the host's search, domain and options lines (none on some hosts)
	output=$(printf '%s\n' "$output" | grep -vE '^(search|domain|options)( |$)')
	[[ "$output" == *"--
# generated by mdlaunch
nameserver 192.0.2.53
--
# generated by mdlaunch
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
10.1.2.3	db
$addr	box etcnet
--
box
--"* ]]
	# the C library resolves through the generated file
	printf '%s\n' "$output" | grep -E '^10\.1\.2\.3 +db$'
	printf '%s\n' "$output" | grep -E "^${addr//./\\.} +box etcnet$"
}

@test "network: without DNS=, a stub resolver on the host gives the upstream servers, else public ones; Network=host and none keep the host's files; DNS= keeps its search and options" {
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
# this namespace's host: a systemd-resolved stub only
printf 'nameserver 127.0.0.53\noptions edns0\nsearch example.org\n' >stub.conf
mount --bind stub.conf /etc/resolv.conf
echo "== public"
mdl run --network mdlaunch -- cat /etc/resolv.conf
mkdir -p /run/systemd/resolve
printf 'nameserver 192.0.2.99\n' >/run/systemd/resolve/resolv.conf
echo "== upstream"
mdl run --network mdlaunch -- cat /etc/resolv.conf
echo "== host"
mdl run --network host -- cat /etc/resolv.conf
echo "== none"
mdl run --network none -- cat /etc/resolv.conf
mdl run --network none -- cat /etc/hosts | cmp - /etc/hosts && echo none-hosts-is-hosts
echo "== dns"
mdl run --network mdlaunch --dns 192.0.2.53 -- cat /etc/resolv.conf
net_leftovers
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"== public
# generated by mdlaunch
options edns0
search example.org
nameserver 8.8.8.8
nameserver 8.8.4.4
== upstream
# generated by mdlaunch
options edns0
search example.org
nameserver 192.0.2.99
== host
nameserver 127.0.0.53
options edns0
search example.org
== none
nameserver 127.0.0.53
options edns0
search example.org
none-hosts-is-hosts
== dns
# generated by mdlaunch
nameserver 192.0.2.53
options edns0
search example.org"* ]]
}

@test "network: PublishPort= with Network=none, an unknown network, a missing plugin: 125, one line, nothing left" {
	local f
	f=$(write_container none <<'EOF'
[Container]
Command = true
PublishPort = 8080:80
EOF
)
	run --separate-stderr mdl "$f"
	print_run
	[ "$status" -eq 125 ]
	[ "$stderr" = "$f:3: PublishPort: needs a CNI network (Network=none has nothing to publish on; use e.g. Network=mdlaunch)" ]

	mkdir -p "$BATS_TEST_TMPDIR/net.d"
	cat >"$BATS_TEST_TMPDIR/g.conf" <<EOF
network_config_dirs = [ "$BATS_TEST_TMPDIR/net.d" ];
EOF
	cat >"$BATS_TEST_TMPDIR/net.d/broken.conflist" <<'EOF'
{ "cniVersion": "1.0.0", "name": "broken",
  "plugins": [ { "type": "bridge", "bridge": "mdlx0" }, { "type": "no-such-plugin" } ] }
EOF
	chmod -R go-w "$BATS_TEST_TMPDIR"
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
for net in nowhere broken; do
	rc=0
	mdl --config g.conf run --network $net -- true 2>err || rc=$?
	echo "$net: $rc, $(wc -l <err) line: $(cat err)"
done
net_leftovers
! ip link show mdlx0 2>/dev/null
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"nowhere: 125, 1 line: mdlaunch: error: true: Network: unknown network 'nowhere' (no nowhere.conflist in $BATS_TEST_TMPDIR/net.d)"* ]]
	[[ "$output" == *"broken: 125, 1 line: "*"Network: network 'broken': plugin 'no-such-plugin' not found in cni_path"* ]]
}

@test "network: a plugin's error JSON is one line naming network and plugin (125); a hung plugin is killed after cni_timeout" {
	local d=$BATS_TEST_TMPDIR
	mkdir -p "$d/net.d" "$d/bin"
	cp /usr/lib/cni/bridge /usr/lib/cni/host-local "$d/bin/"
	cat >"$d/bin/failer" <<'EOF'
#!/bin/sh
cat >/dev/null
[ "$CNI_COMMAND" = ADD ] || exit 0
echo '{"cniVersion":"1.0.0","code":11,"msg":"no luck","details":"by design"}'
exit 1
EOF
	cat >"$d/bin/hanger" <<'EOF'
#!/bin/sh
cat >/dev/null
[ "$CNI_COMMAND" = ADD ] || exit 0
exec sleep 60
EOF
	chmod 755 "$d/bin/failer" "$d/bin/hanger"
	# failer: the bridge's ADD succeeds first, so its DEL must run (generous timeout:
	# three Go plugins take seconds under emulation); hanger alone, killed after 1 s.
	cat >"$d/net.d/failer.conflist" <<'EOF'
{ "cniVersion": "1.0.0", "name": "failer",
  "plugins": [ { "type": "bridge", "bridge": "mdlfailer", "isGateway": true, "ipMasq": true,
                 "ipam": { "type": "host-local", "dataDir": "/run/mdlaunch/ipam",
                           "ranges": [ [ { "subnet": "10.89.1.0/24" } ] ] } },
               { "type": "failer" } ] }
EOF
	cat >"$d/net.d/hanger.conflist" <<'EOF'
{ "cniVersion": "1.0.0", "name": "hanger", "plugins": [ { "type": "hanger" } ] }
EOF
	for t in failer:600 hanger:1; do
		cat >"$d/${t%:*}.conf" <<EOF
network_config_dirs = [ "$d/net.d" ];
cni_path = [ "$d/bin" ];
cni_timeout = ${t#*:};
EOF
	done
	chmod -R go-w "$d"
	s=$(script s <<'EOF'
cd "$BATS_TEST_TMPDIR"
for net in failer hanger; do
	rc=0
	start=$(date +%s)
	mdl --config $net.conf run --network $net -- true 2>err || rc=$?
	echo "$net: $rc in $(($(date +%s) - start))s, $(wc -l <err) line: $(cat err)"
	# the bridge's ADD succeeded before: its DEL ran (no veth, no lease, no rule)
	net_leftovers
done
EOF
)
	run in_test_netns "$s"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"failer: 125 in "*"s, 1 line: mdlaunch: error: true: network 'failer': plugin 'failer' ADD failed: no luck (by design) (code 11)"* ]]
	[[ "$output" =~ hanger:\ 125\ in\ [1-9]s,\ 1\ line:\ .*network\ \'hanger\':\ plugin\ \'hanger\'\ ADD\ timed\ out\ after\ 1s ]]
}

@test "network: show and show --json print the network, the plugins and the port mappings" {
	local f
	f=$(write_container n <<'EOF'
[Container]
Command = true
Network = mdlaunch
PublishPort = 18080:8080
PublishPort = 127.0.0.1:9000-9001:90-91/udp
EOF
)
	run --separate-stderr mdl show "$f"
	print_run
	[ "$status" -eq 0 ]
	[[ "$output" == *"network      mdlaunch (CNI list 'mdlaunch', cniVersion 1.0.0, built in)"* ]]
	[[ "$output" == *"plugin 1   bridge: "*"/bridge, ipam host-local: "* ]]
	[[ "$output" == *"plugin 2   portmap: "*", portMappings, iptables"* ]]
	[[ "$output" == *"publish    127.0.0.1:9000-9001:90-91/udp"* ]]
	run --separate-stderr mdl show --json "$f"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | python3 -c '
import json, sys
n = json.load(sys.stdin)["network"]
assert n["network"] == "mdlaunch" and n["conflist"] is None, n
assert [p["type"] for p in n["plugins"]] == ["bridge", "portmap", "firewall"], n
assert n["portMappings"] == ["18080:8080/tcp", "127.0.0.1:9000-9001:90-91/udp"], n'
	run --separate-stderr mdl check --host "$f"
	print_run
	[ "$status" -eq 0 ]
}
