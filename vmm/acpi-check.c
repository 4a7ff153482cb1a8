// SPDX-License-Identifier: GPL-2.0
/*
 * Reading ACPI tables back (tests, debug): table and RSDP checks, and the
 * walk RSDP -> XSDT -> tables (FADT -> DSDT) to find one by signature.
 * Only the guest-visible bytes are trusted, not the builder's state.
 * Pure: no I/O, no globals.
 */
#include <errno.h>
#include <string.h>

#include "acpi-priv.h"

static u32 get_le32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 get_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

int acpi__table_check(const void *p, size_t avail)
{
	u32 len;

	if (!p || avail < ACPI_HEADER_SIZE)
		return -EINVAL;
	len = get_le32((const u8 *)p + 4);
	if (len < ACPI_HEADER_SIZE || len > avail || len > INT32_MAX)
		return -EINVAL;
	if (acpi__checksum(p, len))
		return -EINVAL;
	return (int)len;
}

int acpi__rsdp_check(const void *p, size_t avail)
{
	const u8 *r = p;

	if (!r || avail < sizeof(struct acpi_rsdp))
		return -EINVAL;
	if (memcmp(r, "RSD PTR ", 8) || r[15] < 2 ||
	    get_le32(r + 20) != sizeof(struct acpi_rsdp))
		return -EINVAL;
	if (acpi__checksum(r, 20) || acpi__checksum(r, sizeof(struct acpi_rsdp)))
		return -EINVAL;
	return (int)sizeof(struct acpi_rsdp);
}

/* The valid table at @gpa inside the buffer, or NULL. */
static const u8 *acpi__table_at(const u8 *buf, size_t size, u64 buf_gpa,
				u64 gpa)
{
	u64 off;

	if (gpa < buf_gpa || gpa - buf_gpa >= size)
		return NULL;
	off = gpa - buf_gpa;
	if (acpi__table_check(buf + off, size - off) < 0)
		return NULL;
	return buf + off;
}

const void *acpi__find_table(const u8 *buf, size_t size, u64 buf_gpa,
			     u64 rsdp_gpa, const char *sig)
{
	const u8 *rsdp, *xsdt;
	u32 i, n;

	if (!buf || !sig || strlen(sig) != 4 || rsdp_gpa < buf_gpa ||
	    rsdp_gpa - buf_gpa >= size)
		return NULL;
	rsdp = buf + (rsdp_gpa - buf_gpa);
	if (acpi__rsdp_check(rsdp, size - (rsdp_gpa - buf_gpa)) < 0)
		return NULL;
	xsdt = acpi__table_at(buf, size, buf_gpa, get_le64(rsdp + 24));
	if (!xsdt || memcmp(xsdt, "XSDT", 4))
		return NULL;
	if (!memcmp(sig, "XSDT", 4))
		return xsdt;

	n = (get_le32(xsdt + 4) - ACPI_HEADER_SIZE) / 8;
	for (i = 0; i < n; i++) {
		const u8 *t = acpi__table_at(buf, size, buf_gpa,
					     get_le64(xsdt + ACPI_HEADER_SIZE +
						      8 * i));

		if (!t)
			continue;
		if (!memcmp(t, sig, 4))
			return t;
		if (!memcmp(sig, "DSDT", 4) && !memcmp(t, "FACP", 4)) {
			u32 flen = get_le32(t + 4);
			u64 dsdt = flen >= 148 ? get_le64(t + 140) : 0;
			const u8 *d;

			if (!dsdt)
				dsdt = get_le32(t + 40);
			d = acpi__table_at(buf, size, buf_gpa, dsdt);
			if (d && !memcmp(d, "DSDT", 4))
				return d;
		}
	}
	return NULL;
}
