/* SPDX-License-Identifier: GPL-2.0 */
/* The emulated SVA DMA device (docs/sva-device.md). */
#ifndef VSVA_SVA_DEV_H
#define VSVA_SVA_DEV_H

#include <vsva/types.h>

#define SVA_VENDOR		0x1234
#define SVA_DEVICE		0x5356
#define SVA_CLASS		0x088000
#define SVA_ID			0x41565356	/* "VSVA" */
#define SVA_SLOTS		16
#define SVA_PRQ_CAPACITY	64
#define SVA_PASID_BITS		20
#define SVA_MAX_LEN		(1U << 20)
#define SVA_MAX_ROUNDS		16

/* BAR0 registers */
#define SVA_REG_ID		0x000
#define SVA_REG_VERSION		0x004
#define SVA_REG_CAPS		0x008
#define SVA_REG_CTRL		0x010
#define SVA_REG_IRQ_STATUS	0x014
#define SVA_REG_COMPLETED	0x018
#define SVA_REG_LOST		0x01c
#define SVA_REG_DESC		0x020
#define SVA_REG_SUBMIT		0x060
#define SVA_BAR0_SIZE		0x4000
#define SVA_BAR2_SIZE		0x4000

#define SVA_CTRL_ENABLE		(1U << 0)
#define SVA_CTRL_RESET		(1U << 1)

#define SVA_SUBMIT_OK		0
#define SVA_SUBMIT_BUSY		1
#define SVA_SUBMIT_BAD		2
#define SVA_SUBMIT_DISABLED	3

#define SVA_OP_FILL		1
#define SVA_OP_COPY		2
#define SVA_OP_COMPARE		3
#define SVA_OP_NOP		4

#define SVA_DESC_PASID_VALID	(1U << 31)
#define SVA_DESC_F_PRIV		(1U << 0)
#define SVA_DESC_F_IRQ		(1U << 1)

enum sva_status {
	SVA_ST_SUCCESS = 1,
	SVA_ST_PAGE_FAULT = 2,
	SVA_ST_BAD_DESC = 3,
	SVA_ST_MISMATCH = 4,
	SVA_ST_XLATE_FAULT = 5,
	SVA_ST_ABORTED = 6,
	SVA_ST_PRI_FAILURE = 7,
};

struct sva_desc {
	u32 pasid;		/* 0 */
	u8 op;			/* 4 */
	u8 flags;		/* 5 */
	u16 reserved0;		/* 6 */
	u64 src;		/* 8 */
	u64 dst;		/* 16 */
	u32 len;		/* 24 */
	u32 reserved1;		/* 28 */
	u64 pattern;		/* 32 */
	u64 completion;		/* 40 */
	u64 user;		/* 48 */
	u64 reserved2;		/* 56 */
};

struct sva_completion {
	u8 status;		/* 0 */
	u8 reserved[3];		/* 1 */
	u32 bytes;		/* 4 */
	u64 fault_addr;		/* 8 */
	u64 result;		/* 16 */
	u64 user;		/* 24 */
};

_Static_assert(sizeof(struct sva_desc) == 64, "sva_desc");
_Static_assert(sizeof(struct sva_completion) == 32, "sva_completion");

/* Descriptor checks that need no translation: 0 or SVA_ST_BAD_DESC. */
int sva__check_desc(const struct sva_desc *d);

struct vm;
int sva_dev__init(struct vm *vm);

struct sva_dev_stats {
	u64 submitted, completed, by_status[8];
	u64 page_requests, groups, rounds_exhausted;
	u64 uprgi;		/* answers for no outstanding group */
	u64 answers;		/* group answers received */
};

void sva_dev__stats(struct vm *vm, struct sva_dev_stats *out);

#endif
