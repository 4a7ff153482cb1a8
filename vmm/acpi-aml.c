// SPDX-License-Identifier: GPL-2.0
/*
 * AML terms (ACPI 6.4 chapter 20), appended to an ACPI table buffer:
 * integers, PkgLength-prefixed packages, Scope, Device, Name and EISAID.
 * Pure: no I/O, no globals.
 */
#include <errno.h>
#include <string.h>

#include "acpi-aml.h"

static u8 *aml__room(struct aml *a, size_t n)
{
	u8 *p;

	if (a->err)
		return NULL;
	p = acpi_buf__alloc(a->b, n, 1);
	if (!p)
		a->err = -ENOSPC;
	return p;
}

void aml__bytes(struct aml *a, const void *src, size_t n)
{
	u8 *p = aml__room(a, n);

	if (p)
		memcpy(p, src, n);
}

void aml__byte(struct aml *a, u8 v)
{
	aml__bytes(a, &v, 1);
}

void aml__nameseg(struct aml *a, const char *seg)
{
	aml__bytes(a, seg, 4);
}

/* The shortest ComputationalData encoding of @v (section 20.2.3). */
void aml__integer(struct aml *a, u64 v)
{
	u8 op;
	size_t n;

	if (v <= 1) {
		aml__byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (v <= 0xff) {
		op = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		op = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffff) {
		op = AML_DWORD_PREFIX;
		n = 4;
	} else {
		op = AML_QWORD_PREFIX;
		n = 8;
	}
	aml__byte(a, op);
	aml__bytes(a, &v, n);		/* little-endian */
}

/* Where a PkgLength-prefixed body starts; close it with aml__pkg_end(). */
size_t aml__pkg_begin(struct aml *a)
{
	return a->b->used;
}

/*
 * Inserts the PkgLength (section 20.2.4) in front of the body written
 * since @start.  PkgLength counts its own bytes: one byte up to 63, else
 * a lead byte (bits 7:6 = extra bytes, bits 3:0 = low nibble) and 1..3
 * more bytes holding the rest, least significant first.
 */
void aml__pkg_end(struct aml *a, size_t start)
{
	static const u32 max_len[] = { 0, 0x3f, 0xfff, 0xfffff, 0xfffffff };
	size_t body, n, i;
	u32 len;
	u8 *p;

	if (a->err)
		return;
	body = a->b->used - start;
	for (n = 1; n <= 4; n++)
		if (body + n <= max_len[n])
			break;
	if (n > 4) {
		a->err = -E2BIG;
		return;
	}
	if (!aml__room(a, n))
		return;
	p = a->b->base + start;
	memmove(p + n, p, body);
	len = (u32)(body + n);
	if (n == 1) {
		p[0] = (u8)len;
		return;
	}
	p[0] = (u8)(((n - 1) << 6) | (len & 0xf));
	for (i = 1; i < n; i++)
		p[i] = (u8)(len >> (4 + 8 * (i - 1)));
}

/* DefScope := ScopeOp PkgLength NameString TermList; returns the start. */
size_t aml__scope_begin(struct aml *a, const char *root_seg)
{
	size_t start;

	aml__byte(a, AML_SCOPE_OP);
	start = aml__pkg_begin(a);
	aml__byte(a, AML_ROOT_CHAR);	/* "\" */
	aml__nameseg(a, root_seg);
	return start;
}

/* DefDevice := ExtOpPrefix DeviceOp PkgLength NameString TermList */
size_t aml__device_begin(struct aml *a, const char *seg)
{
	size_t start;

	aml__byte(a, AML_EXT_OP_PREFIX);
	aml__byte(a, AML_EXT_DEVICE_OP);
	start = aml__pkg_begin(a);
	aml__nameseg(a, seg);
	return start;
}

/* Name (seg, v) */
void aml__name_integer(struct aml *a, const char *seg, u64 v)
{
	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__integer(a, v);
}

/*
 * EISAID ("PNP0A03"): three letters of five bits each ('A' = 1) and four
 * hex digits, stored big-endian in a DWord (section 19.6.35).
 */
static u32 aml__eisaid(const char *id)
{
	u32 v = 0;
	int i;

	for (i = 0; i < 3; i++)
		v = (v << 5) | ((u32)(id[i] - '@') & 0x1f);
	for (i = 3; i < 7; i++) {
		char c = id[i];

		v = (v << 4) | (u32)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return __builtin_bswap32(v);
}

/* Name (_HID, EisaId (id)), always a DWordConst. */
void aml__name_eisaid(struct aml *a, const char *seg, const char *id)
{
	u32 v = aml__eisaid(id);

	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__byte(a, AML_DWORD_PREFIX);
	aml__bytes(a, &v, 4);
}
