/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the JSON seccomp profile parser (seccomp-profile.c), and the
 * compiler on what it accepts (small profiles only, to keep runs fast), for
 * the default capability set and for all capabilities. Nothing here may
 * crash, leak or hang; a parse failure must leave a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime-seccomp.h"
#include "seccomp-profile.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seccomp_profile *p = NULL;
	char err[512] = "";
	int r;

	log_max_level = -1;
	if (size > 256 * 1024)
		return 0;
	r = seccomp_profile_parse((const char *)data, size, &p, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL && err[0] == '\0')
			abort(); /* every refusal says why */
		return 0;
	}
	if (p->n_rules <= 64) {
		const uint64_t caps[] = { SPEC_CAPS_DEFAULT, UINT64_MAX };

		for (size_t i = 0; i < ELEMENTSOF(caps); i++) {
			struct sock_filter *insns = NULL;
			size_t len = 0;

			if (seccomp_compile(p, caps[i], &insns, &len, NULL, err, sizeof(err)) == 0 &&
			    (len == 0 || !insns))
				abort();
			free(insns);
		}
	}
	seccomp_profile_free(p);
	return 0;
}
