// SPDX-License-Identifier: GPL-2.0
/*
 * Resource templates (ACPI 6.4 section 6.4): the small and large resource
 * descriptors a _CRS names, collected in a struct res_template and
 * written into the AML as a Buffer by aml__name_resources().  Pure: no
 * I/O, no globals.
 */
#include <errno.h>
#include <string.h>

#include "acpi-aml.h"

static u8 *res__room(struct res_template *rt, size_t n)
{
	u8 *p;

	if (rt->overflow || n > sizeof(rt->d) - rt->n) {
		rt->overflow = true;
		return NULL;
	}
	p = rt->d + rt->n;
	rt->n += n;
	return p;
}

static void put_le16(u8 *p, u16 v)
{
	memcpy(p, &v, 2);
}

static void put_le32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

/* IO (Decode16, base, base, 1, len): small item 0x08, 7 bytes. */
void res__io16(struct res_template *rt, u16 base, u8 len)
{
	u8 *p = res__room(rt, 8);

	if (!p)
		return;
	p[0] = 0x47;			/* small item, type 0x08, length 7 */
	p[1] = 0x01;			/* decodes 16 address bits */
	put_le16(p + 2, base);		/* minimum base */
	put_le16(p + 4, base);		/* maximum base */
	p[6] = 1;			/* alignment */
	p[7] = len;			/* length */
}

/* IRQNoFlags () {irq}: small item 0x04, 2 bytes: edge, active high. */
void res__irq(struct res_template *rt, u8 irq)
{
	u8 *p = res__room(rt, 3);

	if (!p)
		return;
	p[0] = 0x22;			/* small item, type 0x04, length 2 */
	put_le16(p + 1, (u16)(1u << irq));	/* IRQ mask */
}

/* WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, ...) */
void res__word_bus(struct res_template *rt, u8 min, u8 max)
{
	u8 *p = res__room(rt, 16);

	if (!p)
		return;
	p[0] = 0x88;			/* large item: Word Address Space */
	put_le16(p + 1, 13);		/* length of the rest */
	p[3] = RES_ADDR_TYPE_BUS;
	p[4] = RES_ADDR_PRODUCER_FIXED;
	p[5] = 0;			/* type-specific flags */
	put_le16(p + 6, 0);		/* granularity */
	put_le16(p + 8, min);
	put_le16(p + 10, max);
	put_le16(p + 12, 0);		/* translation offset */
	put_le16(p + 14, (u16)(max - min + 1));	/* length */
}

/* DWordIO / DWordMemory (ResourceProducer, MinFixed, MaxFixed, ...) */
void res__dword_window(struct res_template *rt, u8 type, u8 tflags,
		       u32 base, u32 len)
{
	u8 *p = res__room(rt, 26);

	if (!p)
		return;
	p[0] = 0x87;			/* large item: DWord Address Space */
	put_le16(p + 1, 23);		/* length of the rest */
	p[3] = type;
	p[4] = RES_ADDR_PRODUCER_FIXED;
	p[5] = tflags;
	put_le32(p + 6, 0);		/* granularity: 0 for fixed windows */
	put_le32(p + 10, base);		/* minimum */
	put_le32(p + 14, base + len - 1);	/* maximum */
	put_le32(p + 18, 0);		/* translation offset */
	put_le32(p + 22, len);		/* length */
}

/* Name (seg, ResourceTemplate () {...}): a Buffer ending in an End Tag. */
void aml__name_resources(struct aml *a, const char *seg,
			 struct res_template *rt)
{
	u8 *end = res__room(rt, 2);
	size_t start;

	if (!end) {
		if (!a->err)
			a->err = -E2BIG;
		return;
	}
	end[0] = 0x79;			/* small item: End Tag, length 1 */
	end[1] = 0;			/* checksum 0: "treat as correct" */
	aml__byte(a, AML_NAME_OP);
	aml__nameseg(a, seg);
	aml__byte(a, AML_BUFFER_OP);
	start = aml__pkg_begin(a);
	aml__integer(a, rt->n);		/* BufferSize */
	aml__bytes(a, rt->d, rt->n);
	aml__pkg_end(a, start);
}
