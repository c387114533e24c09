/* SPDX-License-Identifier: MIT */
/*
 * runtime-caps.c: least privilege for the container's command, the last
 * steps of runtime-init.c before exec. Init first does its own privileged
 * work (private mounts, /proc, hostname, loopback), then:
 *
 *   caps_set_ids()    PR_SET_KEEPCAPS, setgroups, setresgid, setresuid
 *   (init chdirs to the working directory, as the new user)
 *   caps_apply()      effective = permitted, cap_drop_bound() for each
 *                     capability outside the set (needs CAP_SETPCAP, still
 *                     held), capset, ambient cleared and raised
 *   caps_no_new_privs()
 *
 * The masks come from the spec through the command frame (bit n =
 * capability n). libcap is used only here and in the config front end.
 */
#include "runtime-caps.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util.h"

/* The frame carries gids as u32, which setgroups() takes as they are. */
_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

/*
 * Keeps only the capabilities this kernel knows (bits 0..@last_cap) of
 * @mask; @last_cap is /proc/sys/kernel/cap_last_cap.
 */
static uint64_t caps_mask_clamp(uint64_t mask, unsigned last_cap)
{
	if (last_cap >= 63)
		return mask;
	return mask & ((1ULL << (last_cap + 1)) - 1);
}

/*
 * The permitted and effective set the command gets after exec: uid 0 keeps
 * the bounding set; any other uid only its ambient set (which the caller
 * validated to be inside the bounding set).
 */
static uint64_t caps_permitted_for(uint32_t uid, uint64_t bounding, uint64_t ambient)
{
	return uid == 0 ? bounding : ambient & bounding;
}

int caps_set_ids(uint32_t uid, uint32_t gid, const uint32_t *groups, size_t n_groups,
		 const char **failed)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		*failed = "prctl(PR_SET_KEEPCAPS)";
		return -errno;
	}
	/* Groups before gid before uid: each step needs the privilege the next one drops. */
	if (setgroups(n_groups, (const gid_t *)groups) < 0) {
		*failed = "setgroups";
		return -errno;
	}
	if (setresgid(gid, gid, gid) < 0) {
		*failed = "setresgid";
		return -errno;
	}
	if (setresuid(uid, uid, uid) < 0) {
		*failed = "setresuid";
		return -errno;
	}
	return 0;
}

/* Sets @flag of @caps to exactly the capabilities of @mask up to @last. */
static int caps_fill(cap_t caps, cap_flag_t flag, uint64_t mask, unsigned last)
{
	for (unsigned b = 0; b <= last && b < 64; b++) {
		cap_value_t v = (cap_value_t)b;

		if (cap_set_flag(caps, flag, 1, &v, mask & (1ULL << b) ? CAP_SET : CAP_CLEAR) < 0)
			return -errno;
	}
	return 0;
}

/* Sets the effective, permitted and inheritable sets of this process. 0 or -errno. */
static int caps_set_proc(uint64_t effective, uint64_t permitted, uint64_t inheritable,
			 unsigned last)
{
	cap_t caps = cap_init();
	int r;

	if (!caps)
		return -errno;
	r = caps_fill(caps, CAP_PERMITTED, permitted, last);
	if (r >= 0)
		r = caps_fill(caps, CAP_EFFECTIVE, effective, last);
	if (r >= 0)
		r = caps_fill(caps, CAP_INHERITABLE, inheritable, last);
	if (r >= 0 && cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

/* The current permitted set as a mask. 0 or -errno. */
static int caps_get_permitted(unsigned last, uint64_t *ret)
{
	cap_t caps = cap_get_proc();
	uint64_t mask = 0;

	if (!caps)
		return -errno;
	for (unsigned b = 0; b <= last && b < 64; b++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, (cap_value_t)b, CAP_PERMITTED, &v) == 0 && v == CAP_SET)
			mask |= 1ULL << b;
	}
	cap_free(caps);
	*ret = mask;
	return 0;
}

uint64_t caps_not_held(uint64_t wanted, char *buf, size_t size)
{
	int bits = cap_max_bits();
	unsigned last = bits > 0 ? (unsigned)bits - 1 : CAP_LAST_CAP;
	uint64_t missing = 0;
	size_t len = 0;

	if (size > 0)
		buf[0] = '\0';
	for (unsigned b = 0; b <= last && b < 64; b++) {
		size_t start = len;
		char *name;

		if (!(wanted & (1ULL << b)) || cap_get_bound((cap_value_t)b) != 0)
			continue;
		missing |= 1ULL << b;
		name = cap_to_name((cap_value_t)b); /* libcap's memory: cap_free() */
		if (name && len < size)
			len +=
			    (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
		cap_free(name);
		for (size_t i = start; i < len && i < size; i++)
			buf[i] = (char)toupper((unsigned char)buf[i]);
	}
	return missing;
}

int caps_apply(uint32_t uid, uint64_t bounding, uint64_t ambient, const char **failed)
{
	int bits = cap_max_bits();
	unsigned last = bits > 0 ? (unsigned)bits - 1 : CAP_LAST_CAP;
	uint64_t permitted, now = 0;
	int r;

	bounding = caps_mask_clamp(bounding, last);
	ambient = caps_mask_clamp(ambient, last) & bounding;
	permitted = caps_permitted_for(uid, bounding, ambient);

	r = caps_get_permitted(last, &now);
	if (r >= 0)
		r = caps_set_proc(now, now, 0, last);
	if (r < 0) {
		*failed = "raising the effective set";
		return r;
	}
	/* What init does not hold it cannot give (the launcher said so: caps_not_held()). */
	bounding &= now;
	ambient &= bounding;
	permitted = caps_permitted_for(uid, bounding, ambient);
	for (unsigned b = 0; b <= last && b < 64; b++) {
		if (bounding & (1ULL << b))
			continue;
		if (cap_drop_bound((cap_value_t)b) < 0) {
			*failed = "cap_drop_bound";
			return -errno;
		}
	}
	/* The inheritable set carries the ambient capabilities, and nothing else. */
	r = caps_set_proc(permitted, permitted, ambient, last);
	if (r < 0) {
		*failed = "cap_set_proc";
		return r;
	}
	/*
	 * One PR_CAP_AMBIENT_CLEAR_ALL: libcap's cap_reset_ambient() first asks
	 * PR_CAP_AMBIENT_IS_SET for every capability (41 system calls). EINVAL:
	 * a kernel without ambient capabilities (< 4.3) has none to clear.
	 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    (errno != EINVAL || ambient != 0)) {
		*failed = "clearing the ambient set";
		return -errno;
	}
	for (unsigned b = 0; b <= last && b < 64; b++) {
		if (!(ambient & (1ULL << b)))
			continue;
		if (cap_set_ambient((cap_value_t)b, CAP_SET) < 0) {
			*failed = "raising an ambient capability";
			return -errno;
		}
	}
	/* KEEPCAPS would survive into the command; it has no business there. */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		*failed = "prctl(PR_SET_KEEPCAPS)";
		return -errno;
	}
	return 0;
}

int caps_no_new_privs(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}
