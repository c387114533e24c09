/* SPDX-License-Identifier: MIT */
/*
 * seccomp-optimize.c: shortens the classic BPF program libseccomp exports
 * (runtime-seccomp.c calls it once per compile; the cache keeps the result).
 *
 * libseccomp 2.5 emits, per architecture, a binary tree whose leaves test
 * one system call number each: docker's profile becomes ~1,000 instructions
 * for x86-64 and i386, although the allowed numbers form a few dozen runs.
 * The kernel checks, converts and JITs every instruction at each start, so
 * the length is what a start pays. Here the part of the program that looks
 * only at the architecture (offset 4 of struct seccomp_data) and the number
 * (offset 0) is evaluated for every range of the two that the program can
 * tell apart, and emitted again as a binary search over the ranges with the
 * same verdicts; where a verdict depends on the arguments, the leaf jumps to
 * the original code (kept: the instructions reachable from there). Last,
 * the leaves share their returns where the jumps reach (docker's profile:
 * 1,010 instructions become 228).
 */
#include "seccomp-optimize.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define INSNS_MAX 4096U /* the kernel's BPF_MAXINSNS */
#define OFF_NR	  0U
#define OFF_ARCH  4U

/* What A holds at an instruction of the number/architecture part. */
enum { HOLDS_NOTHING = 1, HOLDS_NR = 2, HOLDS_ARCH = 4 };

/* A verdict: a return value, or the original instruction to continue at. */
#define OUT_RET	 (1ULL << 32)
#define OUT_TAIL (2ULL << 32)

struct range {
	uint32_t start; /* the range runs to the next range's start */
	uint64_t out;	/* for numbers: OUT_RET|k or OUT_TAIL|pc */
	size_t first;	/* for architectures: its number ranges in the list */
	size_t count;
};

struct opt {
	const struct sock_filter *in;
	size_t n;
	uint8_t *holds;	 /* per instruction: HOLDS_* reaching it (0: not in the part) */
	uint8_t *stops;	 /* per instruction: 1 when argument code starts there */
	uint32_t *bp[2]; /* range starts of the number [0] and the architecture [1] */
	size_t n_bp[2];
	struct range *nr; /* number ranges of all architecture ranges */
	size_t n_nr;
	struct range *arch;
	size_t n_arch;
	struct sock_filter *out;
	size_t n_out;
	size_t *fixups; /* ja instructions of the head to point at original code */
	size_t n_fixups;
};

static bool is_cond_jump_k(uint16_t code)
{
	return code == (BPF_JMP | BPF_JEQ | BPF_K) || code == (BPF_JMP | BPF_JGT | BPF_K) ||
	       code == (BPF_JMP | BPF_JGE | BPF_K);
}

static int add_bp(struct opt *o, int which, uint64_t v)
{
	if (v > UINT32_MAX)
		return 0;
	if (o->n_bp[which] >= 2 * o->n + 1)
		return -EINVAL;
	o->bp[which][o->n_bp[which]++] = (uint32_t)v;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Walks the number/architecture part in program order (jumps only go
 * forward): what A holds at each instruction, where argument code starts,
 * and the constants each value is compared with.
 */
static int analyze(struct opt *o)
{
	int r;

	o->holds[0] = HOLDS_NOTHING;
	for (size_t pc = 0; pc < o->n; pc++) {
		const struct sock_filter *f = &o->in[pc];
		uint8_t h = o->holds[pc];
		size_t t, e;

		if (!h)
			continue;
		if (f->code == (BPF_LD | BPF_W | BPF_ABS) && (f->k == OFF_NR || f->k == OFF_ARCH)) {
			if (pc + 1 >= o->n)
				return -EINVAL;
			o->holds[pc + 1] |= f->k == OFF_NR ? HOLDS_NR : HOLDS_ARCH;
		} else if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
			o->stops[pc] = 1; /* an argument (or the IP): A is reloaded */
		} else if (f->code == (BPF_JMP | BPF_JA)) {
			if (f->k >= o->n - pc - 1)
				return -EINVAL;
			o->holds[pc + 1 + f->k] |= h;
		} else if (is_cond_jump_k(f->code)) {
			if (h & HOLDS_NOTHING)
				return -EOPNOTSUPP;
			t = pc + 1 + f->jt;
			e = pc + 1 + f->jf;
			if (t >= o->n || e >= o->n)
				return -EINVAL;
			o->holds[t] |= h;
			o->holds[e] |= h;
			for (int w = 0; w < 2; w++) {
				if (!(h & (w ? HOLDS_ARCH : HOLDS_NR)))
					continue;
				/* [.., k] and [k+1, ..] for jeq and jgt; [.., k-1] and [k, ..] for
				 * jge */
				r = add_bp(o, w, f->k);
				if (r >= 0 && BPF_OP(f->code) != BPF_JGE)
					r = add_bp(o, w, (uint64_t)f->k + 1);
				if (r < 0)
					return r;
			}
		} else if (f->code != (BPF_RET | BPF_K)) {
			return -EOPNOTSUPP;
		}
	}
	for (int w = 0; w < 2; w++) {
		size_t k = 0;

		(void)add_bp(o, w, 0);
		qsort(o->bp[w], o->n_bp[w], sizeof(uint32_t), cmp_u32);
		for (size_t i = 0; i < o->n_bp[w]; i++)
			if (k == 0 || o->bp[w][i] != o->bp[w][k - 1])
				o->bp[w][k++] = o->bp[w][i];
		o->n_bp[w] = k;
	}
	return 0;
}

/* The verdict of the number/architecture part for @arch and @nr. */
static uint64_t evaluate(const struct opt *o, uint32_t arch, uint32_t nr)
{
	uint32_t a = 0;
	size_t pc = 0;

	for (;;) {
		const struct sock_filter *f = &o->in[pc];
		bool taken;

		if (o->stops[pc])
			return OUT_TAIL | pc;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = f->k == OFF_NR ? nr : arch;
			pc++;
			continue;
		case BPF_JMP | BPF_JA:
			pc += 1 + f->k;
			continue;
		case BPF_RET | BPF_K:
			return OUT_RET | f->k;
		case BPF_JMP | BPF_JEQ | BPF_K:
			taken = a == f->k;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			taken = a > f->k;
			break;
		default: /* BPF_JGE, the only one left after analyze() */
			taken = a >= f->k;
			break;
		}
		pc += 1 + (taken ? f->jt : f->jf);
	}
}

static int add_nr_range(struct opt *o, size_t first, uint32_t start, uint64_t out)
{
	if (o->n_nr > first && o->nr[o->n_nr - 1].out == out)
		return 0;
	if (o->n_nr >= INSNS_MAX)
		return -EOPNOTSUPP;
	o->nr[o->n_nr++] = (struct range){ .start = start, .out = out };
	return 0;
}

static bool same_ranges(const struct range *a, size_t na, const struct range *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].out != b[i].out)
			return false;
	return true;
}

/* The ranges: per architecture range, the number ranges with one verdict each. */
static int tabulate(struct opt *o)
{
	for (size_t i = 0; i < o->n_bp[1]; i++) {
		uint32_t arch = o->bp[1][i];
		size_t first = o->n_nr;
		struct range *prev = o->n_arch ? &o->arch[o->n_arch - 1] : NULL;
		int r;

		for (size_t j = 0; j < o->n_bp[0]; j++) {
			r = add_nr_range(o, first, o->bp[0][j], evaluate(o, arch, o->bp[0][j]));
			if (r < 0)
				return r;
		}
		/* The same verdicts as the architecture range before: one range. */
		if (prev &&
		    same_ranges(&o->nr[prev->first], prev->count, &o->nr[first], o->n_nr - first)) {
			o->n_nr = first;
			continue;
		}
		o->arch[o->n_arch++] =
		    (struct range){ .start = arch, .first = first, .count = o->n_nr - first };
	}
	return 0;
}

static int emit(struct opt *o, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (o->n_out >= INSNS_MAX)
		return -EOPNOTSUPP;
	o->out[o->n_out++] = (struct sock_filter){ code, jt, jf, k };
	return 0;
}

/* One instruction: the return, or a jump to the original code (see relocate()). */
static int emit_leaf(struct opt *o, uint64_t out)
{
	if (out & OUT_RET)
		return emit(o, BPF_RET | BPF_K, 0, 0, (uint32_t)out);
	if (o->n_fixups >= INSNS_MAX)
		return -EOPNOTSUPP;
	o->fixups[o->n_fixups++] = o->n_out;
	return emit(o, BPF_JMP | BPF_JA, 0, 0, (uint32_t)out);
}

/*
 * Number ranges @v[0..n) (the last one ending before @end) as one verdict
 * with single numbers that differ: the shape of an allow list with a few
 * refused calls, or a deny list. Then a chain of jeq does it in
 * *ret_size instructions: one per single number, the common verdict, one
 * per other verdict (which the jeqs jump to). False when not that shape.
 */
static bool chain_shape(const struct range *v, size_t n, uint64_t end, uint64_t *ret_common,
			size_t *ret_size)
{
	uint64_t common = v[n - 1].out, other[256];
	size_t k = 0, d = 0;

	for (size_t i = 0; i < n; i++)
		if ((i + 1 < n ? v[i + 1].start : end) - v[i].start > 1) {
			common = v[i].out;
			break;
		}
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;

		if (v[i].out == common)
			continue;
		if ((i + 1 < n ? v[i + 1].start : end) - v[i].start > 1)
			return false;
		while (j < d && other[j] != v[i].out)
			j++;
		if (j == d)
			other[d++] = v[i].out;
		/* every jeq must reach its verdict: jt is 8 bits */
		if (++k + d > 255)
			return false;
	}
	*ret_common = common;
	*ret_size = k + 1 + d;
	return true;
}

/* Instructions emit_nr() writes for the number ranges @v[0..n) ending before @end. */
static size_t nr_size(const struct range *v, size_t n, uint64_t end)
{
	size_t left, chain;
	uint64_t common;

	if (n == 1)
		return 1;
	left = nr_size(v, n / 2, v[n / 2].start);
	left += 1 + (left > 255) + nr_size(v + n / 2, n - n / 2, end);
	return chain_shape(v, n, end, &common, &chain) && chain <= left ? chain : left;
}

static int emit_chain(struct opt *o, const struct range *v, size_t n, uint64_t common)
{
	uint64_t other[256];
	size_t k = 0, d = 0, i, j;
	int r = 0;

	for (i = 0; i < n; i++)
		if (v[i].out != common)
			k++;
	for (i = 0; i < n && r >= 0; i++) {
		if (v[i].out == common)
			continue;
		for (j = 0; j < d && other[j] != v[i].out; j++)
			;
		if (j == d)
			other[d++] = v[i].out;
		/* over the jeqs left and the common verdict, to its verdict */
		r = emit(o, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(--k + 1 + j), 0, v[i].start);
	}
	if (r >= 0)
		r = emit_leaf(o, common);
	for (j = 0; j < d && r >= 0; j++)
		r = emit_leaf(o, other[j]);
	return r;
}

/*
 * The split of a search: A >= @k jumps over the @left instructions of the
 * lower half, with a long jump when they are more than a conditional one
 * reaches.
 */
static int emit_split(struct opt *o, uint32_t k, size_t left)
{
	int r;

	if (left <= 255)
		return emit(o, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, k);
	r = emit(o, BPF_JMP | BPF_JGE | BPF_K, 0, 1, k);
	return r < 0 ? r : emit(o, BPF_JMP | BPF_JA, 0, 0, (uint32_t)left);
}

/*
 * A search over the number ranges @v[0..n) (ending before @end) for the
 * number in A: halves by jge, down to a single verdict or a jeq chain,
 * whichever is shorter.
 */
static int emit_nr(struct opt *o, const struct range *v, size_t n, uint64_t end)
{
	size_t left, chain;
	uint64_t common;
	int r;

	if (n == 1)
		return emit_leaf(o, v->out);
	if (chain_shape(v, n, end, &common, &chain) && chain <= nr_size(v, n, end))
		return emit_chain(o, v, n, common);
	left = nr_size(v, n / 2, v[n / 2].start);
	r = emit_split(o, v[n / 2].start, left);
	if (r >= 0)
		r = emit_nr(o, v, n / 2, v[n / 2].start);
	if (r >= 0)
		r = emit_nr(o, v + n / 2, n - n / 2, end);
	return r;
}

/* Instructions emit_arch() writes for the architecture ranges @v[0..n). */
static size_t arch_size(const struct opt *o, const struct range *v, size_t n)
{
	size_t left;

	if (n == 1)
		return v->count == 1 ? 1 : 1 + nr_size(&o->nr[v->first], v->count, 1ULL << 32);
	left = arch_size(o, v, n / 2);
	return 1 + (left > 255) + left + arch_size(o, v + n / 2, n - n / 2);
}

/* A search over the architecture ranges @v[0..n), each leaf its number search. */
static int emit_arch(struct opt *o, const struct range *v, size_t n)
{
	size_t left;
	int r;

	if (n == 1 && v->count == 1)
		return emit_leaf(o, o->nr[v->first].out);
	if (n == 1) {
		r = emit(o, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_NR);
		return r < 0 ? r : emit_nr(o, &o->nr[v->first], v->count, 1ULL << 32);
	}
	left = arch_size(o, v, n / 2);
	r = emit_split(o, v[n / 2].start, left);
	if (r >= 0)
		r = emit_arch(o, v, n / 2);
	if (r >= 0)
		r = emit_arch(o, v + n / 2, n - n / 2);
	return r;
}

/*
 * Appends the original instructions reachable from the argument code the
 * head jumps to, in their order, and points every jump at the copies.
 */
static int relocate(struct opt *o)
{
	_cleanup_free_ size_t *at = calloc(o->n, sizeof(size_t)); /* new index + 1 */
	_cleanup_free_ bool *keep = calloc(o->n, sizeof(bool));
	if (!at || !keep)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_fixups; i++)
		keep[o->out[o->fixups[i]].k] = true;
	for (size_t pc = 0; pc < o->n; pc++) {
		const struct sock_filter *f = &o->in[pc];

		if (!keep[pc])
			continue;
		if (BPF_CLASS(f->code) == BPF_RET)
			continue;
		if (f->code == (BPF_JMP | BPF_JA)) {
			if (f->k >= o->n - pc - 1)
				return -EINVAL;
			keep[pc + 1 + f->k] = true;
		} else if (BPF_CLASS(f->code) == BPF_JMP) {
			if (pc + 1 + f->jt >= o->n || pc + 1 + f->jf >= o->n)
				return -EINVAL;
			keep[pc + 1 + f->jt] = keep[pc + 1 + f->jf] = true;
		} else {
			if (pc + 1 >= o->n)
				return -EINVAL;
			keep[pc + 1] = true;
		}
	}
	for (size_t pc = 0; pc < o->n; pc++) {
		if (!keep[pc])
			continue;
		at[pc] = o->n_out + 1;
		if (emit(o, o->in[pc].code, o->in[pc].jt, o->in[pc].jf, o->in[pc].k) < 0)
			return -EOPNOTSUPP;
	}
	/* Dropping instructions between a jump and its target only shortens it. */
	for (size_t pc = 0; pc < o->n; pc++) {
		struct sock_filter *f = at[pc] ? &o->out[at[pc] - 1] : NULL;

		if (!f || BPF_CLASS(f->code) != BPF_JMP)
			continue;
		if (f->code == (BPF_JMP | BPF_JA)) {
			f->k = (uint32_t)(at[pc + 1 + f->k] - at[pc] - 1);
		} else {
			f->jt = (uint8_t)(at[pc + 1 + f->jt] - at[pc] - 1);
			f->jf = (uint8_t)(at[pc + 1 + f->jf] - at[pc] - 1);
		}
	}
	for (size_t i = 0; i < o->n_fixups; i++) {
		struct sock_filter *f = &o->out[o->fixups[i]];

		f->k = (uint32_t)(at[f->k] - 1 - o->fixups[i] - 1);
	}
	return 0;
}

/* Points the branch of @p[i] that goes to @from at @to (forward, in range). */
static void retarget(struct sock_filter *p, size_t i, size_t from, size_t to)
{
	if (p[i].code == (BPF_JMP | BPF_JA)) {
		p[i].k = (uint32_t)(to - i - 1);
		return;
	}
	if (i + 1 + p[i].jt == from)
		p[i].jt = (uint8_t)(to - i - 1);
	if (i + 1 + p[i].jf == from)
		p[i].jf = (uint8_t)(to - i - 1);
}

/*
 * Shares returns: every leaf of the searches is a "ret k" of its own, and a
 * jump to one "ret k" may as well go to a later one of the same value when
 * that is in reach (jt/jf are 8 bits). Walking back from the end, a ret
 * whose every jump can reach the next kept copy, and that nothing falls
 * into, is dropped; the rest of the program closes up (distances only
 * shrink). -ENOMEM, or 0.
 */
static int share_returns(struct opt *o)
{
	struct sock_filter *p = o->out;
	size_t n = o->n_out, m = 0;
	_cleanup_free_ size_t *at = calloc(n + 1, sizeof(size_t));
	_cleanup_free_ size_t *first_in = calloc(n, sizeof(size_t)); /* jumps to i: a list */
	_cleanup_free_ size_t *next_in = calloc(2 * n, sizeof(size_t));
	_cleanup_free_ bool *drop = calloc(n, sizeof(bool));

	if (!at || !first_in || !next_in || !drop)
		return -ENOMEM;
	/* Incoming branches, as a list per target: entry 2i+b+1 is branch b of jump i. */
	for (size_t i = 0; i < n; i++) {
		size_t t[2], k = 0;

		if (BPF_CLASS(p[i].code) != BPF_JMP)
			continue;
		if (p[i].code == (BPF_JMP | BPF_JA)) {
			t[k++] = i + 1 + p[i].k;
		} else {
			t[k++] = i + 1 + p[i].jt;
			if (p[i].jf != p[i].jt)
				t[k++] = i + 1 + p[i].jf;
		}
		for (size_t b = 0; b < k; b++) {
			next_in[2 * i + b] = first_in[t[b]];
			first_in[t[b]] = 2 * i + b + 1;
		}
	}
	for (size_t q = n; q-- > 1;) {
		bool falls_in =
		    BPF_CLASS(p[q - 1].code) != BPF_JMP && BPF_CLASS(p[q - 1].code) != BPF_RET;
		size_t keep = SIZE_MAX, e;

		if (p[q].code != (BPF_RET | BPF_K) || falls_in)
			continue;
		for (size_t j = q + 1; j < n && keep == SIZE_MAX; j++)
			if (!drop[j] && p[j].code == p[q].code && p[j].k == p[q].k)
				keep = j;
		if (keep == SIZE_MAX)
			continue;
		for (e = first_in[q]; e; e = next_in[e - 1])
			if (p[(e - 1) / 2].code != (BPF_JMP | BPF_JA) &&
			    keep - (e - 1) / 2 - 1 > 255)
				break;
		if (e)
			continue;
		for (e = first_in[q]; e;) {
			size_t i = (e - 1) / 2, next = next_in[e - 1];

			retarget(p, i, q, keep);
			next_in[e - 1] = first_in[keep];
			first_in[keep] = e;
			e = next;
		}
		first_in[q] = 0;
		drop[q] = true;
	}
	for (size_t i = 0; i < n; i++)
		at[i] = drop[i] ? SIZE_MAX : m++;
	for (size_t i = 0; i < n; i++) {
		struct sock_filter f = p[i];

		if (drop[i])
			continue;
		if (f.code == (BPF_JMP | BPF_JA)) {
			f.k = (uint32_t)(at[i + 1 + f.k] - at[i] - 1);
		} else if (BPF_CLASS(f.code) == BPF_JMP) {
			f.jt = (uint8_t)(at[i + 1 + f.jt] - at[i] - 1);
			f.jf = (uint8_t)(at[i + 1 + f.jf] - at[i] - 1);
		}
		p[at[i]] = f;
	}
	o->n_out = m;
	return 0;
}

/*
 * Runs classic BPF @p (@n instructions) on (@arch, @nr, every argument
 * @arg) as the kernel would; false when the program leaves its bounds or
 * uses what seccomp programs of this shape do not (the check then fails).
 */
static bool run(const struct sock_filter *p, size_t n, uint32_t arch, uint32_t nr, uint32_t arg,
		uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
	size_t pc = 0;

	/* Jumps only go forward: at most @n steps. */
	for (size_t steps = 0; pc < n && steps <= n; steps++) {
		const struct sock_filter *f = &p[pc++];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool taken;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (BPF_MODE(f->code) == BPF_ABS && f->k == OFF_NR)
				a = nr;
			else if (BPF_MODE(f->code) == BPF_ABS && f->k == OFF_ARCH)
				a = arch;
			else if (BPF_MODE(f->code) == BPF_ABS && f->k % 4 == 0 && f->k < 64)
				a = f->k < 16 ? 0 : arg; /* the IP, then the arguments */
			else if (BPF_MODE(f->code) == BPF_IMM)
				a = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				a = mem[f->k];
			else
				return false;
			break;
		case BPF_LDX:
			if (BPF_MODE(f->code) == BPF_IMM)
				x = f->k;
			else if (BPF_MODE(f->code) == BPF_MEM && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return false;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return false;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			default:
				return false;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				pc += f->k;
				continue;
			}
			switch (BPF_OP(f->code)) {
			case BPF_JEQ:
				taken = a == src;
				break;
			case BPF_JGT:
				taken = a > src;
				break;
			case BPF_JGE:
				taken = a >= src;
				break;
			case BPF_JSET:
				taken = (a & src) != 0;
				break;
			default:
				return false;
			}
			pc += taken ? f->jt : f->jf;
			break;
		case BPF_RET:
			*ret = BPF_RVAL(f->code) == BPF_A ? a : f->k;
			return true;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return false;
		}
	}
	return false;
}

/*
 * A second look, at every compile: the new program must give the old one's
 * verdict at each range boundary of the architecture and the number (and on
 * both sides of it), with the arguments all zeros and all ones. The unit
 * test checks far more; this catches a profile of a shape it never saw.
 */
static bool same_verdicts(const struct opt *o, const struct sock_filter *out, size_t n_out)
{
	static const uint32_t args[] = { 0, UINT32_MAX };

	for (size_t i = 0; i <= o->n_bp[1]; i++) {
		uint32_t arch0 = i < o->n_bp[1] ? o->bp[1][i] : 0;

		for (uint32_t da = 0; da < 2; da++) {
			uint32_t arch = arch0 - da;

			for (size_t j = 0; j <= o->n_bp[0]; j++) {
				uint32_t nr0 = j < o->n_bp[0] ? o->bp[0][j] : UINT32_MAX;

				for (uint32_t dn = 0; dn < 2; dn++) {
					for (size_t k = 0; k < ELEMENTSOF(args); k++) {
						uint32_t want = 0, got = 0;

						if (!run(o->in, o->n, arch, nr0 - dn, args[k],
							 &want) ||
						    !run(out, n_out, arch, nr0 - dn, args[k],
							 &got) ||
						    want != got)
							return false;
					}
				}
			}
		}
	}
	return true;
}

int seccomp_optimize(const struct sock_filter *in, size_t n, struct sock_filter **ret,
		     size_t *ret_n)
{
	struct opt o = { .in = in, .n = n };
	int r = -ENOMEM;

	if (n == 0 || n > INSNS_MAX)
		return -EINVAL;
	o.holds = calloc(n, sizeof(*o.holds));
	o.stops = calloc(n, sizeof(*o.stops));
	o.bp[0] = calloc(2 * n + 1, sizeof(uint32_t));
	o.bp[1] = calloc(2 * n + 1, sizeof(uint32_t));
	o.nr = calloc(INSNS_MAX, sizeof(*o.nr));
	o.arch = calloc(2 * n + 1, sizeof(*o.arch));
	o.out = calloc(INSNS_MAX, sizeof(*o.out));
	o.fixups = calloc(INSNS_MAX, sizeof(*o.fixups));
	if (!o.holds || !o.stops || !o.bp[0] || !o.bp[1] || !o.nr || !o.arch || !o.out || !o.fixups)
		goto out;
	r = analyze(&o);
	if (r >= 0)
		r = tabulate(&o);
	/* One architecture range: no need to look at it. */
	if (r >= 0 && o.n_arch > 1)
		r = emit(&o, BPF_LD | BPF_W | BPF_ABS, 0, 0, OFF_ARCH);
	if (r >= 0)
		r = emit_arch(&o, o.arch, o.n_arch);
	if (r >= 0)
		r = relocate(&o);
	if (r >= 0)
		r = share_returns(&o);
	if (r >= 0 && o.n_out >= n)
		r = -EOPNOTSUPP;
	if (r >= 0 && !same_verdicts(&o, o.out, o.n_out))
		r = -EPROTO;
	if (r >= 0) {
		*ret = TAKE_PTR(o.out);
		*ret_n = o.n_out;
	}
out:
	free(o.holds);
	free(o.stops);
	free(o.bp[0]);
	free(o.bp[1]);
	free(o.nr);
	free(o.arch);
	free(o.out);
	free(o.fixups);
	return r;
}
