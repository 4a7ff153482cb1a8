// SPDX-License-Identifier: GPL-2.0
/* Tables and JSON for results (include/vsva/report.h). */
#include <vsva/report.h>

void json__begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
	fputc('{', f);
}

void json__end(struct json *j)
{
	fputs("}\n", j->f);
}

static void json__key(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fprintf(j->f, "\"%s\":", key);
}

void json__obj(struct json *j, const char *key)
{
	json__key(j, key);
	fputc('{', j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
}

void json__close(struct json *j)
{
	fputc('}', j->f);
	if (j->depth > 0)
		j->depth--;
}

void json__u64(struct json *j, const char *key, u64 v)
{
	json__key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json__dbl(struct json *j, const char *key, double v)
{
	json__key(j, key);
	fprintf(j->f, "%.3f", v);
}

void json__str(struct json *j, const char *key, const char *v)
{
	json__key(j, key);
	fputc('"', j->f);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', j->f);
		if ((unsigned char)*v >= 0x20)
			fputc(*v, j->f);
	}
	fputc('"', j->f);
}

void json__lat(struct json *j, const char *key, const struct hist *h)
{
	json__obj(j, key);
	json__dbl(j, "p50", (double)hist__pct(h, 50) / 1000.0);
	json__dbl(j, "p90", (double)hist__pct(h, 90) / 1000.0);
	json__dbl(j, "p99", (double)hist__pct(h, 99) / 1000.0);
	json__dbl(j, "max", (double)h->max / 1000.0);
	json__u64(j, "count", h->count);
	json__close(j);
}

void report__lat(FILE *f, const char *label, const struct hist *h)
{
	if (!h->count) {
		fprintf(f, "  %-28s (none)\n", label);
		return;
	}
	fprintf(f, "  %-28s p50 %9.1f  p90 %9.1f  p99 %9.1f  max %9.1f us\n",
		label, (double)hist__pct(h, 50) / 1000.0,
		(double)hist__pct(h, 90) / 1000.0,
		(double)hist__pct(h, 99) / 1000.0, (double)h->max / 1000.0);
}
