/* SPDX-License-Identifier: MIT */
/*
 * seccomp-default.c: mdlaunch's default seccomp profile, as data. It follows
 * docker's default profile (its allow list, its capability-gated groups, the
 * namespace check on clone, clone3 answered ENOSYS without CAP_SYS_ADMIN so
 * that glibc falls back to clone, the personality values, ptrace from 4.8)
 * with podman's choice of default action: ENOSYS for every system call the
 * profile does not know (an EPERM there breaks glibc's fallbacks for new
 * calls such as clone3, faccessat2, fchmodat2), and an explicit EPERM for
 * the known dangerous ones and for each capability-gated call whose
 * capability the container lacks.
 *
 * Names that this libseccomp cannot resolve are skipped when compiling
 * (runtime-seccomp.c); names of other architectures (umount, stime on
 * x86-64) apply to the 32-bit sub-architectures.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-profile.h"
#include "util.h"

#define CAP(n) (1ULL << (n))
/* Capability numbers (<linux/capability.h>); no libcap needed for constants. */
#define C_DAC_READ_SEARCH 2
#define C_SYS_MODULE	  16
#define C_SYS_RAWIO	  17
#define C_SYS_CHROOT	  18
#define C_SYS_PTRACE	  19
#define C_SYS_PACCT	  20
#define C_SYS_ADMIN	  21
#define C_SYS_BOOT	  22
#define C_SYS_NICE	  23
#define C_SYS_TIME	  25
#define C_SYS_TTY_CONFIG  26
#define C_SYSLOG	  34

/* The CLONE_NEW* flags: clone may create no namespace without CAP_SYS_ADMIN. */
#define CLONE_NEW_MASK 0x7e020000ULL

struct default_rule {
	const char *names; /* space-separated */
	enum seccomp_act action;
	uint32_t ret;
	uint64_t caps_include, caps_exclude;
	const char *arches_include, *arches_exclude; /* space-separated, or NULL */
	unsigned min_kernel_major, min_kernel_minor;
	int arg; /* -1: none; else one condition on this argument */
	enum seccomp_op op;
	uint64_t value, value_two;
};

#define NOARG .arg = -1

static const struct default_rule default_rules[] = {
	/* docker's unconditional allow list. */
	{ "accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32 "
	  "clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime "
	  "clock_gettime64 clock_nanosleep clock_nanosleep_time64 close close_range connect "
	  "copy_file_range creat dup dup2 dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old "
	  "epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old eventfd eventfd2 execve execveat "
	  "exit exit_group faccessat faccessat2 fadvise64 fadvise64_64 fallocate fanotify_mark "
	  "fchdir fchmod fchmodat fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync "
	  "fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64 fstatat64 fstatfs "
	  "fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv futimesat getcpu "
	  "getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid getgid32 "
	  "getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid getpriority "
	  "getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list "
	  "getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid "
	  "getuid32 getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch "
	  "io_cancel ioctl io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get "
	  "ioprio_set io_setup io_submit io_uring_enter io_uring_register io_uring_setup ipc kill "
	  "landlock_add_rule landlock_create_ruleset landlock_restrict_self lchown lchown32 "
	  "lgetxattr link linkat listen listxattr llistxattr _llseek lremovexattr lseek lsetxattr "
	  "lstat lstat64 madvise membarrier memfd_create memfd_secret mincore mkdir mkdirat mknod "
	  "mknodat mlock mlock2 mlockall mmap mmap2 mprotect mq_getsetattr mq_notify mq_open "
	  "mq_timedreceive mq_timedreceive_time64 mq_timedsend mq_timedsend_time64 mq_unlink "
	  "mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap nanosleep "
	  "newfstatat _newselect open openat openat2 pause pidfd_open pidfd_send_signal pipe "
	  "pipe2 poll ppoll ppoll_time64 prctl pread64 preadv preadv2 prlimit64 process_mrelease "
	  "pselect6 pselect6_time64 pwrite64 pwritev pwritev2 read readahead readlink readlinkat "
	  "readv recv recvfrom recvmmsg recvmmsg_time64 recvmsg remap_file_pages removexattr "
	  "rename renameat renameat2 restart_syscall rmdir rseq rt_sigaction rt_sigpending "
	  "rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait "
	  "rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr "
	  "sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler "
	  "sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr "
	  "sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop "
	  "semtimedop semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto "
	  "setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 "
	  "setitimer setpgid setpriority setregid setregid32 setresgid setresgid32 setresuid "
	  "setresuid32 setreuid setreuid32 setrlimit set_robust_list setsid setsockopt "
	  "set_thread_area set_tid_address setuid setuid32 setxattr shmat shmctl shmdt shmget "
	  "shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn socket socketcall "
	  "socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync "
	  "sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete "
	  "timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 "
	  "timerfd_create timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 "
	  "times tkill truncate truncate64 ugetrlimit umask uname unlink unlinkat utime utimensat "
	  "utimensat_time64 utimes vfork vmsplice wait4 waitid waitpid write writev",
	  SECCOMP_ACT_ALLOW, NOARG },
	/* ptrace is confined by the kernel's own checks since 4.8 (docker allows it there). */
	{ "ptrace", SECCOMP_ACT_ALLOW, .min_kernel_major = 4, .min_kernel_minor = 8, NOARG },
	/* personality: only the harmless values (Linux, UNAME26, ADDR_NO_RANDOMIZE, query). */
	{ "personality", SECCOMP_ACT_ALLOW, .arg = 0, .op = SECCOMP_OP_EQ, .value = 0 },
	{ "personality", SECCOMP_ACT_ALLOW, .arg = 0, .op = SECCOMP_OP_EQ, .value = 8 },
	{ "personality", SECCOMP_ACT_ALLOW, .arg = 0, .op = SECCOMP_OP_EQ, .value = 0x20000 },
	{ "personality", SECCOMP_ACT_ALLOW, .arg = 0, .op = SECCOMP_OP_EQ, .value = 0x20008 },
	{ "personality", SECCOMP_ACT_ALLOW, .arg = 0, .op = SECCOMP_OP_EQ, .value = 0xffffffff },
	/* Architecture-specific calls. */
	{ "sync_file_range2", SECCOMP_ACT_ALLOW, .arches_include = "ppc64le", NOARG },
	{ "arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls",
	  SECCOMP_ACT_ALLOW, .arches_include = "arm arm64", NOARG },
	{ "arch_prctl", SECCOMP_ACT_ALLOW, .arches_include = "amd64 x32", NOARG },
	{ "modify_ldt", SECCOMP_ACT_ALLOW, .arches_include = "amd64 x32 x86", NOARG },
	{ "s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr", SECCOMP_ACT_ALLOW,
	  .arches_include = "s390 s390x", NOARG },
	/* Allowed with the capability docker requires; EPERM without it. */
	{ "open_by_handle_at", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_DAC_READ_SEARCH), NOARG },
	{ "open_by_handle_at", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_DAC_READ_SEARCH),
	  NOARG },
	{ "bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
	  "mount_setattr move_mount name_to_handle_at open_tree perf_event_open quotactl "
	  "quotactl_fd setdomainname sethostname setns syslog umount umount2 unshare",
	  SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_ADMIN), NOARG },
	{ "bpf fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount mount_setattr "
	  "move_mount name_to_handle_at open_tree perf_event_open quotactl quotactl_fd "
	  "setdomainname sethostname setns umount umount2 unshare",
	  SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_ADMIN), NOARG },
	/* clone without CAP_SYS_ADMIN: no CLONE_NEW* flag (argument 1 on s390). */
	{ "clone", SECCOMP_ACT_ALLOW, .caps_exclude = CAP(C_SYS_ADMIN),
	  .arches_exclude = "s390 s390x", .arg = 0, .op = SECCOMP_OP_MASKED_EQ,
	  .value = CLONE_NEW_MASK, .value_two = 0 },
	{ "clone", SECCOMP_ACT_ALLOW, .caps_exclude = CAP(C_SYS_ADMIN),
	  .arches_include = "s390 s390x", .arg = 1, .op = SECCOMP_OP_MASKED_EQ,
	  .value = CLONE_NEW_MASK, .value_two = 0 },
/* ... and EPERM with any of them (one rule per flag: conditions are ORed that way). */
#define CLONE_NEW_EPERM(flag)                                                                      \
	{                                                                                          \
		"clone", SECCOMP_ACT_ERRNO, EPERM,                                                 \
		    .caps_exclude = CAP(C_SYS_ADMIN), .arches_exclude = "s390 s390x", .arg = 0,    \
		    .op = SECCOMP_OP_MASKED_EQ, .value = (flag), .value_two = (flag)               \
	}
	CLONE_NEW_EPERM(0x00020000ULL), /* CLONE_NEWNS */
	CLONE_NEW_EPERM(0x02000000ULL), /* CLONE_NEWCGROUP */
	CLONE_NEW_EPERM(0x04000000ULL), /* CLONE_NEWUTS */
	CLONE_NEW_EPERM(0x08000000ULL), /* CLONE_NEWIPC */
	CLONE_NEW_EPERM(0x10000000ULL), /* CLONE_NEWUSER */
	CLONE_NEW_EPERM(0x20000000ULL), /* CLONE_NEWPID */
	CLONE_NEW_EPERM(0x40000000ULL), /* CLONE_NEWNET */
	/* clone3 cannot be checked (its flags are in memory): ENOSYS, so glibc uses clone. */
	{ "clone3", SECCOMP_ACT_ERRNO, ENOSYS, .caps_exclude = CAP(C_SYS_ADMIN), NOARG },
	{ "reboot", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_BOOT), NOARG },
	{ "reboot", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_BOOT), NOARG },
	{ "chroot", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_CHROOT), NOARG },
	{ "chroot", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_CHROOT), NOARG },
	{ "delete_module init_module finit_module", SECCOMP_ACT_ALLOW,
	  .caps_include = CAP(C_SYS_MODULE), NOARG },
	{ "delete_module init_module finit_module", SECCOMP_ACT_ERRNO, EPERM,
	  .caps_exclude = CAP(C_SYS_MODULE), NOARG },
	{ "acct", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_PACCT), NOARG },
	{ "acct", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_PACCT), NOARG },
	{ "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace",
	  SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_PTRACE), NOARG },
	{ "kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev", SECCOMP_ACT_ERRNO,
	  EPERM, .caps_exclude = CAP(C_SYS_PTRACE), NOARG },
	{ "iopl ioperm", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_RAWIO), NOARG },
	{ "iopl ioperm", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_RAWIO), NOARG },
	{ "settimeofday stime clock_settime clock_settime64", SECCOMP_ACT_ALLOW,
	  .caps_include = CAP(C_SYS_TIME), NOARG },
	{ "settimeofday stime clock_settime clock_settime64", SECCOMP_ACT_ERRNO, EPERM,
	  .caps_exclude = CAP(C_SYS_TIME), NOARG },
	{ "vhangup", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_TTY_CONFIG), NOARG },
	{ "vhangup", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_TTY_CONFIG), NOARG },
	{ "get_mempolicy mbind set_mempolicy", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYS_NICE),
	  NOARG },
	{ "get_mempolicy mbind set_mempolicy", SECCOMP_ACT_ERRNO, EPERM,
	  .caps_exclude = CAP(C_SYS_NICE), NOARG },
	{ "syslog", SECCOMP_ACT_ALLOW, .caps_include = CAP(C_SYSLOG), NOARG },
	{ "syslog", SECCOMP_ACT_ERRNO, EPERM, .caps_exclude = CAP(C_SYS_ADMIN) | CAP(C_SYSLOG),
	  NOARG },
	/* Known and never allowed (docker allows none of them; podman returns EPERM). */
	{ "add_key keyctl request_key userfaultfd kexec_load kexec_file_load swapon swapoff "
	  "nfsservctl uselib vm86 vm86old pciconfig_iobase pciconfig_read pciconfig_write sysfs "
	  "ustat bdflush migrate_pages move_pages _sysctl create_module get_kernel_syms "
	  "query_module",
	  SECCOMP_ACT_ERRNO, EPERM, NOARG },
};

/* Splits space-separated @s into a new strv (NULL for NULL). 0 or -ENOMEM. */
static int split_names(const char *s, char ***ret)
{
	_cleanup_strv_free_ char **l = NULL;

	while (s && *s) {
		size_t n = strcspn(s, " ");

		if (n > 0 && strv_consume(&l, strndup(s, n)) < 0)
			return -ENOMEM;
		s += n;
		s += strspn(s, " ");
	}
	*ret = TAKE_PTR(l);
	return 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t mix_string(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	return mix(h, 0xff);
}

uint64_t seccomp_profile_default_fingerprint(void)
{
	uint64_t h = ELEMENTSOF(default_rules);

	for (size_t i = 0; i < ELEMENTSOF(default_rules); i++) {
		const struct default_rule *d = &default_rules[i];

		h = mix_string(h, d->names);
		h = mix_string(h, d->arches_include);
		h = mix_string(h, d->arches_exclude);
		h = mix(h, (uint64_t)d->action << 32 | d->ret);
		h = mix(h, d->caps_include);
		h = mix(h, d->caps_exclude);
		h = mix(h, (uint64_t)d->min_kernel_major << 32 | d->min_kernel_minor);
		h = mix(h, (uint64_t)(uint32_t)d->arg << 32 | (uint32_t)d->op);
		h = mix(h, d->value);
		h = mix(h, d->value_two);
	}
	return h;
}

int seccomp_profile_default(struct seccomp_profile **ret)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->default_action = SECCOMP_ACT_ERRNO;
	p->default_ret = SECCOMP_DEFAULT_ERRNO;
	p->rules = calloc(ELEMENTSOF(default_rules), sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	/* The 32-bit sub-architectures, as docker's archMap for amd64 adds them. */
	p->n_arches = seccomp_native_subarches(p->arches, SECCOMP_ARCHES_MAX);
	for (size_t i = 0; i < ELEMENTSOF(default_rules); i++) {
		const struct default_rule *d = &default_rules[i];
		struct seccomp_rule *r = &p->rules[i];

		p->n_rules++;
		if (split_names(d->names, &r->names) < 0 ||
		    split_names(d->arches_include, &r->arches_include) < 0 ||
		    split_names(d->arches_exclude, &r->arches_exclude) < 0)
			return -ENOMEM;
		r->action = d->action;
		r->ret = d->ret;
		r->caps_include = d->caps_include;
		r->caps_exclude = d->caps_exclude;
		r->min_kernel[0] = d->min_kernel_major;
		r->min_kernel[1] = d->min_kernel_minor;
		if (d->arg >= 0) {
			r->conds[0] = (struct seccomp_cond){ .index = (unsigned)d->arg,
							     .op = d->op,
							     .value = d->value,
							     .value_two = d->value_two };
			r->n_conds = 1;
		}
	}
	*ret = TAKE_PTR(p);
	return 0;
}
