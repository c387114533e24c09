/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of seccomp_optimize(): the shortened program gives the same
 * verdict as libseccomp's for every architecture and call number range and
 * for argument values taken from the program's own constants, checked with
 * a small classic-BPF interpreter; with and without x32 and i386, for the
 * default profile with and without CAP_SYS_ADMIN, and for hand-made
 * filters; shapes it does not handle are refused, not miscompiled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <seccomp.h>

#include "seccomp-optimize.h"
#include "seccomp-profile.h"
#include "spec.h"
#include "util.h"

#define CAP_SYS_ADMIN_BIT (1ULL << 21)

/* Runs classic BPF program @p on @d as the kernel's seccomp would. */
static uint32_t run_bpf(const struct sock_filter *p, size_t n, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc = 0;

	for (;;) {
		const struct sock_filter *f;
		uint32_t src;
		bool taken;

		assert_true(pc < n);
		f = &p[pc++];
		src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS) {
				assert_true(f->k % 4 == 0 && f->k + 4 <= sizeof(*d));
				memcpy(&a, (const char *)d + f->k, 4);
			} else if (BPF_MODE(f->code) == BPF_IMM) {
				a = f->k;
			} else {
				assert_true(BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS);
				a = mem[f->k];
			}
			break;
		case BPF_LDX:
			x = BPF_MODE(f->code) == BPF_IMM ? f->k : mem[f->k % BPF_MEMWORDS];
			break;
		case BPF_ST:
			mem[f->k % BPF_MEMWORDS] = a;
			break;
		case BPF_STX:
			mem[f->k % BPF_MEMWORDS] = x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a <<= src; break;
			case BPF_RSH: a >>= src; break;
			case BPF_NEG: a = -a; break;
			default: fail_msg("ALU op %#x", f->code);
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				break;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: taken = a == src; break;
			case BPF_JGT: taken = a > src; break;
			case BPF_JGE: taken = a >= src; break;
			case BPF_JSET: taken = (a & src) != 0; break;
			default: fail_msg("jump op %#x", f->code); return 0;
			}
			pc += taken ? f->jt : f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
}

/* The program libseccomp exports for @ctx (caller frees). */
static struct sock_filter *export(scmp_filter_ctx ctx, size_t *ret_n)
{
	int fd = memfd_create("bpf", MFD_CLOEXEC);
	struct sock_filter *p;
	off_t size;

	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	size = lseek(fd, 0, SEEK_END);
	assert_true(size > 0 && size % sizeof(struct sock_filter) == 0);
	p = malloc((size_t)size);
	assert_non_null(p);
	assert_int_equal(pread(fd, p, (size_t)size, 0), size);
	close(fd);
	*ret_n = (size_t)size / sizeof(struct sock_filter);
	return p;
}

/*
 * Optimizes @p and checks both programs agree on every architecture and
 * number range and on argument vectors made of the programs' constants.
 */
static void check_same_verdicts(const struct sock_filter *p, size_t n, size_t *ret_len)
{
	static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
					   AUDIT_ARCH_AARCH64, 0,
					   0xffffffff,	      AUDIT_ARCH_X86_64 + 1 };
	_cleanup_free_ struct sock_filter *q = NULL;
	_cleanup_free_ uint32_t *vals = calloc(4 * n + 8, sizeof(uint32_t));
	size_t m = 0, n_vals = 0;
	unsigned long checked = 0;
	bool args = false;

	assert_int_equal(seccomp_optimize(p, n, &q, &m), 0);
	assert_true(m > 0 && m < n);
	assert_non_null(vals);
	/* argument values: every constant, its neighbours, 0 and all ones */
	vals[n_vals++] = 0;
	vals[n_vals++] = 0xffffffff;
	for (size_t i = 0; i < n; i++) {
		if (p[i].code == (BPF_LD | BPF_W | BPF_ABS))
			args = p[i].k >= 8;
		if (!args || BPF_CLASS(p[i].code) != BPF_JMP || BPF_OP(p[i].code) == BPF_JA)
			continue;
		vals[n_vals++] = p[i].k;
		vals[n_vals++] = p[i].k + 1;
		vals[n_vals++] = p[i].k - 1;
	}
	for (size_t a = 0; a < ELEMENTSOF(arches); a++) {
		for (uint64_t nr = 0; nr <= 0xffffffffULL;
		     nr = nr < 1100		   ? nr + 1
			  : nr < 0x40000000ULL	   ? 0x40000000ULL
			  : nr < 0x40000000ULL + 600 ? nr + 1
			  : nr < 0xfffffff0ULL	   ? 0xfffffff0ULL
						   : nr + 1) {
			struct seccomp_data d = { .nr = (int)(uint32_t)nr, .arch = arches[a] };

			for (size_t v = 0; v < n_vals; v++) {
				for (int i = 0; i < 6; i++) {
					d.args[i] = (uint64_t)vals[(v + (size_t)i) % n_vals] |
						    (i % 2 ? (uint64_t)vals[v] << 32 : 0);
				}
				assert_int_equal(run_bpf(q, m, &d), run_bpf(p, n, &d));
				checked++;
			}
		}
	}
	assert_true(checked > 10000);
	if (ret_len)
		*ret_len = m;
}

/* libseccomp's program of the default profile for @caps (the way runtime-seccomp.c builds it). */
static struct sock_filter *default_program(uint64_t caps, bool x86, bool x32, size_t *ret_n)
{
	_cleanup_(seccomp_profile_freep) struct seccomp_profile *p = NULL;
	const unsigned kernel[2] = { 6, 1 };
	scmp_filter_ctx ctx;
	struct sock_filter *prog;
	uint32_t def;

	assert_int_equal(seccomp_profile_default(&p), 0);
	assert_int_equal(p->default_action, SECCOMP_ACT_ERRNO);
	def = SCMP_ACT_ERRNO(p->default_ret);
	ctx = seccomp_init(def);
	assert_non_null(ctx);
	assert_int_equal(seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2), 0);
	if (x86)
		assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X86), 0);
	if (x32)
		assert_int_equal(seccomp_arch_add(ctx, SCMP_ARCH_X32), 0);
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct seccomp_rule *r = &p->rules[i];
		uint32_t action;

		if (!seccomp_rule_applies(r, caps, "amd64", kernel))
			continue;
		action = r->action == SECCOMP_ACT_ALLOW ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(r->ret);
		if (action == def && r->n_conds == 0)
			continue;
		for (char **s = r->names; *s; s++) {
			int nr = seccomp_syscall_resolve_name(*s);

			if (nr == __NR_SCMP_ERROR)
				continue;
			for (unsigned c = 0; c < r->n_conds || (c == 0 && r->n_conds == 0); c++) {
				struct scmp_arg_cmp cmp = {
					.arg = r->n_conds ? r->conds[c].index : 0,
					.op = r->n_conds ? (enum scmp_compare)r->conds[c].op : 0,
					.datum_a = r->n_conds ? r->conds[c].value : 0,
					.datum_b = r->n_conds ? r->conds[c].value_two : 0
				};

				(void)seccomp_rule_add_array(ctx, action, nr, r->n_conds ? 1 : 0,
							     &cmp);
			}
		}
	}
	prog = export(ctx, ret_n);
	seccomp_release(ctx);
	return prog;
}

static void test_default_profile(void **state)
{
	static const struct {
		uint64_t caps;
		bool x86, x32;
	} cases[] = {
		{ SPEC_CAPS_DEFAULT, true, false },
		{ SPEC_CAPS_DEFAULT, true, true },
		{ SPEC_CAPS_DEFAULT | CAP_SYS_ADMIN_BIT, true, false },
		{ SPEC_CAPS_DEFAULT, false, false },
	};

	(void)state;
	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		skip();
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_free_ struct sock_filter *p = NULL;
		size_t n = 0, m = 0;

		p = default_program(cases[i].caps, cases[i].x86, cases[i].x32, &n);
		check_same_verdicts(p, n, &m);
		/* docker's profile for x86-64 and i386: libseccomp's ~1,000 become < 500 */
		if (cases[i].x86 && !cases[i].x32)
			assert_true(m * 2 < n);
	}
}

static void test_hand_made(void **state)
{
	_cleanup_free_ struct sock_filter *p = NULL;
	scmp_filter_ctx ctx;
	size_t n = 0;
	int added = 0;

	(void)state;
	/* a deny list: kill by default is the other way round */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	assert_non_null(ctx);
	/* runs of refused calls with gaps, and single ones (native only: i386's numbers of
	 * the same names are scattered) */
	for (int nr = 100; nr < 180; nr++)
		if (nr % 10)
			assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0), 0);
	/* (not all of them exist on i386) */
	for (int nr = 280; nr < 340; nr += 3)
		added += seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 0) == 0;
	assert_true(added > 10);
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, 200, 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00, 0x1200)),
			 0);
	assert_int_equal(
	    seccomp_rule_add(ctx, SCMP_ACT_TRAP, 201, 1, SCMP_A2(SCMP_CMP_GT, 0x100000000ULL)), 0);
	assert_int_equal(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), 202, 2, SCMP_A0(SCMP_CMP_EQ, 7),
					  SCMP_A3(SCMP_CMP_LE, 99)),
			 0);
	p = export(ctx, &n);
	seccomp_release(ctx);
	check_same_verdicts(p, n, NULL);
}

static void test_long_jumps(void **state)
{
	enum { CALLS = 400 };
	_cleanup_free_ struct sock_filter *p = calloc(3 * CALLS + 8, sizeof(*p));
	_cleanup_free_ struct sock_filter *q = NULL;
	size_t n = 0, m = 0, long_jumps = 0;

	(void)state;
	assert_non_null(p);
	/*
	 * A padded linear chain (jeq, a no-op ja, the return), a verdict of its
	 * own per call: the shortened search's halves are longer than a jge
	 * reaches, so it needs the jge-over-ja form.
	 */
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
	for (uint32_t k = 0; k < CALLS; k++) {
		p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 2);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_JMP | BPF_JA, 0);
		p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (k + 1));
	}
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	assert_int_equal(seccomp_optimize(p, n, &q, &m), 0);
	for (size_t i = 0; i < m; i++)
		long_jumps += q[i].code == (BPF_JMP | BPF_JA);
	assert_true(long_jumps > 0);
	check_same_verdicts(p, n, NULL);
}

static void test_refused_shapes(void **state)
{
	/* the number compared before it is loaded */
	static const struct sock_filter unloaded[] = {
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	/* a bit test of the number */
	static const struct sock_filter jset[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	/* a jump past the end */
	static const struct sock_filter past_end[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* nothing to gain */
	static const struct sock_filter short_one[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_filter *q = NULL;
	size_t m = 0;

	(void)state;
	assert_int_equal(seccomp_optimize(unloaded, ELEMENTSOF(unloaded), &q, &m), -EOPNOTSUPP);
	assert_int_equal(seccomp_optimize(jset, ELEMENTSOF(jset), &q, &m), -EOPNOTSUPP);
	assert_int_equal(seccomp_optimize(past_end, ELEMENTSOF(past_end), &q, &m), -EINVAL);
	assert_int_equal(seccomp_optimize(short_one, ELEMENTSOF(short_one), &q, &m), -EOPNOTSUPP);
	assert_int_equal(seccomp_optimize(short_one, 0, &q, &m), -EINVAL);
	assert_null(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_profile),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_long_jumps),
		cmocka_unit_test(test_refused_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
