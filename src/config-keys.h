/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec.h"

/*
 * The key table: one descriptor per .container key (config-keys.c). The
 * .container loader and its drop-ins, the `run` options, `show --effective`,
 * `show --json`, `run --help` (and so the bash completion) and the "every key
 * is documented" test all walk it. See the top of config-keys.c for how to
 * add a key.
 */

/*
 * Where a value being parsed came from, and where its errors go. Messages
 * are "@label: ..." (label "Memory" or "--memory"); at @path:@line for a file,
 * a plain error line for a run option (@path NULL).
 */
struct key_ctx {
	struct container_spec *spec; /* where the parsers write */
	const char *path;	     /* the file, for messages; NULL: a run option */
	unsigned line;		     /* the line in @path */
	const char *label;	     /* the key or the option as the user wrote it */
	bool option;		     /* from a run option: one value, never a word list */
	bool quiet;		     /* already reported: neither log nor count errors */
	unsigned n_errors;
	/*
	 * AddCapabilities=, DropCapabilities= (a file: the last line; run
	 * options: all of them), folded into the capabilities of the layers
	 * below at the end of this layer (capability_merge()).
	 */
	uint64_t cap_add, cap_drop;
};

/* The typed writer of a key's value: plain text (show --effective) or JSON. */
struct value_out {
	FILE *f;
	bool json;
	bool in_list;
	bool first;
};

struct config_key;
struct stat;

typedef int (*config_key_parser)(struct key_ctx *c, const struct config_key *k, const char *value,
				 void *field);
typedef void (*config_key_formatter)(const struct container_spec *spec, const struct config_key *k,
				     struct value_out *o);

/* The `run` option that sets a key (all NULL / 0: none). */
struct config_key_option {
	const char *name;  /* long name without "--", also the origin shown ("--memory") */
	const char *alias; /* a second long name, or NULL */
	char short_name;   /* 'm', or 0 */
	char short_alias;  /* a second short name ('i' for -t), or 0 */
	const char *arg;   /* the argument in --help ("SIZE"); NULL: a flag that sets "true" */
	const char *help;  /* the --help text, without the "(Key=)" that is added */
	/* Repeatable, each use adding to the value (--env, --cap-add); implied by a repeatable key.
	 */
	bool adds;
};

struct config_key {
	const char *name;	     /* "Memory", as documented; matched case-insensitively */
	enum spec_key id;	     /* indexes spec->origin */
	config_key_parser parse;     /* checks the text and writes it at @offset (or the ctx) */
	size_t offset;		     /* the spec field the parser writes */
	int arg;		     /* a parser argument (the rlimit of Limit*=) */
	config_key_formatter format; /* the spec's value, for show and show --json */
	struct config_key_option option;
	const char *doc; /* the section of mdlaunch.container(5) with its "Key=" entry */
	bool repeatable; /* each line adds a value (Volume=); an empty one resets the list */
};

extern const struct config_key config_keys[];
extern const size_t config_keys_n;

/*
 * Whether the values of @k add up (a repeatable key, or a run option such as
 * --env that adds): `show` then lists every assignment still in effect.
 */
bool config_key_adds(const struct config_key *k);

/* The descriptor of @name (case-insensitive), or NULL. */
const struct config_key *config_key_lookup(const char *name);
/* The descriptor of SPEC_KEY_* @id, or NULL. */
const struct config_key *config_key_from_id(enum spec_key id);
/* The known key closest to @name when it is a plausible typo, else NULL. */
const char *config_key_suggest(const char *name);

/*
 * Parses @value for @k into c->spec (logging each error through @c).
 * Returns 0, -EINVAL (reported, counted) or -ENOMEM.
 */
int config_key_parse(struct key_ctx *c, const struct config_key *k, const char *value);

/* The writer primitives the formatters use (config-show.c). */
void value_out_string(struct value_out *o, const char *s);
void value_out_number(struct value_out *o, uint64_t v);
void value_out_bool(struct value_out *o, bool b);
void value_out_null(struct value_out *o);
void value_out_list_begin(struct value_out *o);
void value_out_list_end(struct value_out *o);
