# mdlaunch — see README.md. `make help` lists the targets.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd looks in /usr/local/lib/systemd/system and /usr/lib/systemd/system
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# systemd runs the generators of /usr/local/lib/systemd/system-generators too
SYSTEMDGENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators
# bash-completion searches $XDG_DATA_DIRS (default /usr/local/share:/usr/share)
BASHCOMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# Debian's vim has /usr/share/vim/vimfiles in its runtimepath (not /usr/local)
VIMDIR ?= /usr/share/vim/vimfiles

CC ?= cc
VERSION := 0.1.0

# SANITIZE=1 builds everything (binary, unit tests, fuzz replay) with ASan+UBSan
# into a separate tree so sanitized and plain objects never mix.
ifeq ($(SANITIZE),1)
BUILD ?= build/asan
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT = -O1
else
BUILD ?= build/release
SAN_FLAGS =
OPT = -O2
endif

# The binary is linked static-pie (STATIC=1, the default; not with SANITIZE=1,
# ASan needs the dynamic loader): the launcher and its re-executed init then
# pay no dynamic loader (4 libraries and libc, ~1.3 ms of CPU per exec here)
# and map no shared-library pages (bench/README.md has the numbers).
# --fatal-warnings turns glibc's "Using 'getpwnam' in statically linked
# applications" into an error: nothing may pull in NSS.
ifeq ($(SANITIZE),1)
STATIC ?= 0
else
STATIC ?= 1
endif
ifeq ($(STATIC),1)
BIN_LDFLAGS = -static-pie -Wl,--fatal-warnings
endif
BIN_LDFLAGS += -Wl,-z,relro,-z,now

WARN = -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wformat=2 -Wstrict-prototypes \
       -Wno-missing-field-initializers
CPPFLAGS += -D_GNU_SOURCE -DMDLAUNCH_VERSION='"$(VERSION)"' -Isrc
CFLAGS ?= $(OPT) -g
CFLAGS += -std=gnu11 -fPIE $(WARN) $(SAN_FLAGS) -MMD -MP
LDFLAGS += $(SAN_FLAGS)
LIBS = -liniparser -lconfig -lcap -lseccomp -ljansson -lm

SRCS := $(sort $(wildcard src/*.c))
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/src/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
LIB := $(BUILD)/libmdlaunch.a
BIN := $(BUILD)/mdlaunch

UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz-%.c,%,$(wildcard tests/fuzz/fuzz-*.c))
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay-%)

DEBIAN_DEPS = build-essential libiniparser-dev libconfig-dev libcap-dev libcmocka-dev bats \
	      iproute2 procps util-linux python3 strace busybox-static clang-format libseccomp-dev \
	      libjansson-dev keyutils containernetworking-plugins iptables curl
DEBIAN_FUZZ_DEPS = clang libclang-rt-dev

.PHONY: all deps demo check check-unit check-integration check-fuzz check-format \
	check-layering check-exports check-faults check-faults-vm check-vm check-systemd bench format \
	fuzz install uninstall clean help rootfs

all: mdlaunch

# ./mdlaunch is a copy of the plain build's binary (never the sanitized one).
mdlaunch: $(BIN)
	@if [ "$(SANITIZE)" != 1 ]; then cp -f $(BIN) $@; fi

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(LDFLAGS) $(BIN_LDFLAGS) -o $@ $^ $(LIBS)

$(LIB): $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -o $@ $< $(LIB) $(LDFLAGS) \
		-lcmocka $(LIBS)

$(BUILD)/fuzz/replay-%: tests/fuzz/fuzz-%.c tests/fuzz/main.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/fuzz/fuzz-$*.c tests/fuzz/main.c $(LIB) \
		$(LDFLAGS) $(LIBS)

# Installs the Debian packages the build and the tests need, only when one is missing.
deps:
	@missing=$$(for p in $(DEBIAN_DEPS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

demo: deps
	$(MAKE) --no-print-directory mdlaunch
	./mdlaunch examples/hello.container

# A busybox tree for Rootfs= (examples/busybox.container, the tests, the bench),
# from Debian's busybox-static: contrib/make-rootfs.sh.
ROOTFS ?= build/rootfs
rootfs: $(ROOTFS)/etc/mdlaunch-rootfs

$(ROOTFS)/etc/mdlaunch-rootfs: contrib/make-rootfs.sh
	contrib/make-rootfs.sh $(ROOTFS)

# Unit tests (no root), then integration tests (root), then the fuzz corpus
# replay; one summary line at the end. Set SANITIZE=1 for ASan+UBSan.
check: deps
	$(MAKE) --no-print-directory all rootfs $(UNIT_BINS) $(FUZZ_REPLAY)
	BUILD=$(BUILD) tests/run-tests.sh

check-unit: $(UNIT_BINS)
	BUILD=$(BUILD) tests/run-tests.sh unit

check-integration: all rootfs $(BIN)
	BUILD=$(BUILD) tests/run-tests.sh integration

check-fuzz: $(FUZZ_REPLAY)
	BUILD=$(BUILD) tests/run-tests.sh fuzz

# Fault sweep (root): every system call of the start and stop paths failed once
# per errno with strace's fault injection; each run must end, exit 0 or
# 125/126/127 with one line, and leave nothing (tests/faults/run-faults.sh).
# On a cgroup v2 host the sweep starts each launcher in a delegated cgroup of its own
# through tests/faults/cgexec.c (static: no loader calls to fail before its main()).
FAULTS_OCCURRENCES ?= 3
CGEXEC = $(BUILD)/faults/cgexec
check-faults: all $(CGEXEC)
	MDLAUNCH=$(CURDIR)/$(BIN) FAULTS_CGEXEC=$(CURDIR)/$(CGEXEC) \
		FAULTS_OCCURRENCES=$(FAULTS_OCCURRENCES) tests/faults/run-faults.sh

$(CGEXEC): tests/faults/cgexec.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -Wall -Wextra -Werror -o $@ $<

# The integration suite again, in a qemu guest booted with a pure cgroup v2 kernel
# (tests/vm/README.md). Needs root; installs qemu and friends when missing; caches
# the kernel and initramfs in build/vm/.
# VM_SUITES: the bats files whose behaviour differs on a pure v2 kernel (cgroup
# files, delegation, the BPF device program, cgroupns, a 6.1 kernel's mounts)
# or that represent a whole area; the rest is the same code on both and stays
# on the host (every test under TCG costs ~5 s). VM_SUITES=all runs them all.
VM_TIMEOUT ?= 1800
VM_SUITES ?= cgroup-v2 cgroups containment devices probe supervise examples rootfs userns faults
ifeq ($(VM_SUITES),all)
VM_BATS = tests/integration
else
VM_BATS = $(wildcard $(VM_SUITES:%=tests/integration/%.bats))
endif
check-vm: all rootfs $(BIN)
	BUILD=$(BUILD) MDLAUNCH=$(CURDIR)/$(BIN) VM_TIMEOUT=$(VM_TIMEOUT) tests/vm/run-vm.sh \
		--shell-cmd 'bats --tap $(VM_BATS)'

# The fault sweep again in that guest, on a pure cgroup v2 kernel: a representative
# subset, as every exec is emulated there (TCG). run_limits is the run form with
# memory/cpu/cpuset/pids limits (the v2 cgroup code: delegation, supervisor/,
# subtree_control), userns_auto adds the user namespace. Occurrences and errnos are
# cut so that it takes about 6 minutes on 2 host cores (tests/vm/README.md).
FAULTS_VM_CONFIGS ?= run_limits userns_auto
FAULTS_VM_OCCURRENCES ?= 1
FAULTS_VM_ERRNOS ?= EIO
FAULTS_VM_TIMEOUT ?= 900
FAULTS_VM_CMD = FAULTS_OCCURRENCES=$(FAULTS_VM_OCCURRENCES) FAULTS_ERRNOS="$(FAULTS_VM_ERRNOS)" \
	FAULTS_CGEXEC=$(CURDIR)/$(CGEXEC) tests/faults/run-faults.sh $(FAULTS_VM_CONFIGS)
check-faults-vm: all $(BIN) $(CGEXEC)
	BUILD=$(BUILD) MDLAUNCH=$(CURDIR)/$(BIN) VM_TIMEOUT=$(FAULTS_VM_TIMEOUT) tests/vm/run-vm.sh \
		--shell-cmd '$(FAULTS_VM_CMD)'

# mdlaunch@.service under a real systemd (PID 1 of the same guest): tests/vm/systemd-test.sh.
check-systemd: all rootfs $(BIN)
	BUILD=$(BUILD) MDLAUNCH=$(CURDIR)/$(BIN) VM_TIMEOUT=$(VM_TIMEOUT) \
		tests/vm/run-vm.sh --systemd --shell-cmd tests/vm/systemd-test.sh

# Start latency, peak RSS and parallel starts of mdlaunch next to a minimal C floor,
# unshare, bwrap and crun (root; installs them from Debian). See bench/README.md.
bench: deps
	$(MAKE) --no-print-directory mdlaunch rootfs
	bench/run-bench.sh

# The layering rules of the design: a grep of the sources, and on the objects
# (nm) that the cgroup files only call the layers below them (no circle).
check-layering: $(LIB_OBJS)
	@fail=0; \
	if grep -nE '#include *<(iniparser|libconfig|sys/capability)' src/spec.h; then \
		echo "spec.h must include libc headers only"; fail=1; fi; \
	if grep -nE '\b(unshare|setns|mount|umount2?|clone3?|pivot_root)\s*\(|cgroup\.procs' src/config*.c; then \
		echo "config-* must not make namespace, mount or cgroup calls"; fail=1; fi; \
	if grep -nE '#include *"config' src/runtime*.c src/cgroup*.c; then \
		echo "runtime-*/cgroup-* must not include config headers"; fail=1; fi; \
	if grep -nE '#include *<(iniparser|libconfig)' src/runtime*.c src/cgroup*.c; then \
		echo "runtime-*/cgroup-* must not see config libraries"; fail=1; fi; \
	tests/check-symbols.sh cgroup-layers $(BUILD)/src || fail=1; \
	[ $$fail = 0 ] && echo "check-layering: ok"

# Nothing global in src/ without a user in another object or in the unit tests
# and fuzz harnesses (nm of the objects): what only its own file uses is static.
check-exports: $(LIB_OBJS) $(MAIN_OBJ)
	@tests/check-symbols.sh exports $(BUILD)/src tests/unit tests/fuzz

# clang-format 14 with .clang-format (Debian's clang-format package).
FORMAT_FILES = src/*.c src/*.h bench/*.c
check-format:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "check-format: ok"

format:
	clang-format -i $(FORMAT_FILES)

# libFuzzer targets with clang; FUZZ_SECONDS per target (default 60).
FUZZ_SECONDS ?= 60
fuzz:
	@for p in $(DEBIAN_FUZZ_DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		grep -q 'ok installed' || { apt-get update -qq && apt-get install -y -qq $(DEBIAN_FUZZ_DEPS); break; }; done
	tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

install: mdlaunch
	install -Dm755 mdlaunch $(DESTDIR)$(BINDIR)/mdlaunch
	install -Dm644 man/mdlaunch.1 $(DESTDIR)$(MANDIR)/man1/mdlaunch.1
	install -Dm644 man/mdlaunch.container.5 $(DESTDIR)$(MANDIR)/man5/mdlaunch.container.5
	install -Dm644 man/mdlaunch.conf.5 $(DESTDIR)$(MANDIR)/man5/mdlaunch.conf.5
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/mdlaunch/mdlaunch.conf ]; then \
		install -Dm644 conf/mdlaunch.conf $(DESTDIR)$(SYSCONFDIR)/mdlaunch/mdlaunch.conf; fi
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed -e 's|/usr/local/bin/mdlaunch|$(BINDIR)/mdlaunch|g' \
	    -e 's|/etc/mdlaunch/|$(SYSCONFDIR)/mdlaunch/|g' contrib/systemd/mdlaunch@.service \
	    >$(DESTDIR)$(SYSTEMDUNITDIR)/mdlaunch@.service
	chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/mdlaunch@.service
	install -d $(DESTDIR)$(SYSTEMDGENERATORDIR)
	ln -sf $(BINDIR)/mdlaunch $(DESTDIR)$(SYSTEMDGENERATORDIR)/mdlaunch-generator
	install -Dm644 contrib/bash-completion/mdlaunch $(DESTDIR)$(BASHCOMPLETIONDIR)/mdlaunch
	install -Dm644 contrib/vim/ftdetect/mdlaunch.vim $(DESTDIR)$(VIMDIR)/ftdetect/mdlaunch.vim
	install -Dm644 contrib/vim/syntax/mdlaunch.vim $(DESTDIR)$(VIMDIR)/syntax/mdlaunch.vim

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mdlaunch $(DESTDIR)$(MANDIR)/man1/mdlaunch.1 \
	      $(DESTDIR)$(MANDIR)/man5/mdlaunch.container.5 $(DESTDIR)$(MANDIR)/man5/mdlaunch.conf.5 \
	      $(DESTDIR)$(SYSTEMDUNITDIR)/mdlaunch@.service \
	      $(DESTDIR)$(SYSTEMDGENERATORDIR)/mdlaunch-generator \
	      $(DESTDIR)$(BASHCOMPLETIONDIR)/mdlaunch \
	      $(DESTDIR)$(VIMDIR)/ftdetect/mdlaunch.vim $(DESTDIR)$(VIMDIR)/syntax/mdlaunch.vim

clean:
	rm -rf build mdlaunch

help:
	@echo "targets: all deps demo check check-unit check-integration check-fuzz"
	@echo "         check-layering check-exports check-format check-faults check-faults-vm check-vm"
	@echo "         check-systemd bench"
	@echo "         fuzz install uninstall clean"
	@echo "         rootfs (a busybox tree in ROOTFS, default build/rootfs)"
	@echo "variables: SANITIZE=1 STATIC=0 PREFIX DESTDIR SYSCONFDIR SYSTEMDUNITDIR SYSTEMDGENERATORDIR"
	@echo "           BASHCOMPLETIONDIR VIMDIR FUZZ_SECONDS ROOTFS"

-include $(LIB_OBJS:.o=.d) $(MAIN_OBJ:.o=.d)
