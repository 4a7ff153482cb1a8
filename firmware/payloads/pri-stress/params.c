// SPDX-License-Identifier: GPL-2.0
/* pri-stress: parameters from /chosen/bootargs, and the job mix's random
 * numbers (xorshift64*, seeded by `seed`). */
#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "ps.h"

struct ps_key {
	const char *name;
	u64 min, max;
	size_t off;		/* into struct ps_params */
	bool wide;		/* a u64 field */
};

#define KEY(n, lo, hi)	\
	{ #n, lo, hi, offsetof(struct ps_params, n), false }

static const struct ps_key keys[] = {
	KEY(pasids, 1, PS_MAX_PASIDS),
	KEY(jobs, 1, PS_MAX_JOBS),
	KEY(pages, 1, PS_MAX_PAGES),
	KEY(rounds, 1, 1000000),
	KEY(seconds, 0, 86400),
	KEY(invalid, 0, 100),
	KEY(timeout, 0, PS_MAX_TIMEOUT_MS),
	{ "seed", 0, ~0ULL, offsetof(struct ps_params, seed), true },
};

static u64 rng_state;

static int set_key(struct ps_params *p, const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);
	char num[24];
	char *end;
	u64 v;

	if (!eq || eq == tok || (size_t)(tok + len - eq - 1) >= sizeof(num) ||
	    eq + 1 == tok + len)
		return -EINVAL;
	memcpy(num, eq + 1, tok + len - eq - 1);
	num[tok + len - eq - 1] = 0;
	v = strtoul(num, &end, 0);
	if (*end)
		return -EINVAL;
	for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct ps_key *k = &keys[i];

		if (strlen(k->name) != (size_t)(eq - tok) ||
		    memcmp(k->name, tok, eq - tok))
			continue;
		if (v < k->min || v > k->max) {
			printf(PS_PROG ": %s=%llu is outside %llu..%llu\n",
			       k->name, (unsigned long long)v,
			       (unsigned long long)k->min,
			       (unsigned long long)k->max);
			return -ERANGE;
		}
		if (k->wide)
			*(u64 *)((char *)p + k->off) = v;
		else
			*(u32 *)((char *)p + k->off) = (u32)v;
		return 0;
	}
	return -ENOENT;
}

int ps__parse_params(const void *fdt, struct ps_params *p)
{
	const char *args, *end;
	int chosen, len, ret;

	*p = (struct ps_params){ .pasids = 4, .jobs = 8, .pages = 4,
				 .rounds = 2, .seconds = 0, .invalid = 10,
				 .timeout = 0, .seed = 1 };
	chosen = fdt_path_offset(fdt, "/chosen");
	args = chosen < 0 ? NULL : fdt_getprop(fdt, chosen, "bootargs", &len);
	if (!args || len < 1)
		return 0;
	end = args + strnlen(args, len);
	while (args < end) {
		const char *t;

		while (args < end && *args == ' ')
			args++;
		for (t = args; t < end && *t != ' '; t++)
			;
		if (t == args)
			break;
		ret = set_key(p, args, t - args);
		if (ret == -ENOENT)
			printf(PS_PROG ": ignoring unknown parameter '%.*s'\n",
			       (int)(t - args), args);
		else if (ret == -EINVAL)
			printf(PS_PROG ": malformed parameter '%.*s'\n",
			       (int)(t - args), args);
		if (ret && ret != -ENOENT)
			return ret;
		args = t;
	}
	return 0;
}

void ps__seed(u64 seed)
{
	/* Any seed, 0 included, gives a non-zero state. */
	rng_state = seed * 0x9e3779b97f4a7c15ULL ^ 0x853c49e6748fea9bULL;
	if (!rng_state)
		rng_state = 1;
}

u64 ps__rand(void)
{
	u64 x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

u32 ps__rand_below(u32 n)
{
	return (u32)((ps__rand() >> 32) % n);
}
