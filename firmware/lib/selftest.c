// SPDX-License-Identifier: GPL-2.0
/* Case reporting for self-test payloads. */
#include <stdarg.h>

#include "console.h"
#include "fmt.h"
#include "selftest.h"

static unsigned int passed, failed, skipped;

void st__begin(struct st_case *c, const char *name)
{
	*c = (struct st_case){ .name = name };
}

bool st__fail(struct st_case *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return false;
	c->failed = true;
	va_start(ap, fmt);
	fmt__vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return false;
}

bool st__end(struct st_case *c)
{
	if (c->failed) {
		printf("FAIL %s: %s\n", c->name, c->why);
		failed++;
	} else {
		printf("PASS %s\n", c->name);
		passed++;
	}
	return !c->failed;
}

void st__skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("SKIP %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	skipped++;
}

int st__summary(const char *prog)
{
	printf("%s: %u passed, %u failed, %u skipped\n", prog, passed, failed,
	       skipped);
	return failed || !passed ? 1 : 0;
}
