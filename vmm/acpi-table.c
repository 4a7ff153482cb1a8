// SPDX-License-Identifier: GPL-2.0
/*
 * The ground every ACPI table is built on (pure: no I/O, no globals): a
 * bump allocator over the caller's buffer, table headers with vsva's OEM
 * and creator IDs, and checksums.
 */
#include <string.h>

#include "acpi-priv.h"

void *acpi_buf__alloc(struct acpi_buf *b, size_t len, size_t align)
{
	size_t start;

	if (!align || (align & (align - 1)) || b->used > b->size)
		return NULL;
	start = (b->used + align - 1) & ~(align - 1);
	if (start < b->used || start > b->size || len > b->size - start)
		return NULL;
	/* zero the padding too: the output is fully deterministic */
	memset(b->base + b->used, 0, start + len - b->used);
	b->used = start + len;
	return b->base + start;
}

u64 acpi_buf__gpa(const struct acpi_buf *b, const void *p)
{
	return b->gpa + (u64)((const u8 *)p - b->base);
}

void *acpi__table_alloc(struct acpi_buf *b, const char *sig, size_t len,
			u8 revision)
{
	struct acpi_table_header *h;

	if (len < sizeof(*h) || len > UINT32_MAX)
		return NULL;
	h = acpi_buf__alloc(b, len, 16);
	if (!h)
		return NULL;
	memcpy(h->signature, sig, 4);
	h->length = (u32)len;
	h->revision = revision;
	memcpy(h->oem_id, ACPI_OEM_ID, 6);
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_PREFIX, 4);
	memcpy(h->oem_table_id + 4, sig, 4);
	h->oem_revision = ACPI_OEM_REVISION;
	memcpy(h->creator_id, ACPI_CREATOR_ID, 4);
	h->creator_revision = ACPI_CREATOR_REVISION;
	return h;
}

u8 acpi__checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum = (u8)(sum + *b++);
	return sum;
}

void acpi__table_seal(void *table)
{
	struct acpi_table_header *h = table;

	h->checksum = 0;
	h->checksum = (u8)-acpi__checksum(h, h->length);
}
