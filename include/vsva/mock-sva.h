/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock SVA device (`--mock-sva-dev`, docs/mock-sva-device.md): a PCI
 * function with PASID and PRI capabilities whose page requests are raised
 * in the host kernel.  It is backed by an IOMMUFD selftest mock device
 * (IOMMU_TEST_OP_MOCK_DOMAIN); a guest write to its doorbell becomes
 * IOMMU_TEST_OP_TRIGGER_IOPF, so the request travels the kernel's IOPF
 * core and fault FD to vsva's relay and the guest, and the guest's answer
 * goes back to the kernel by cookie.  The device does no DMA.
 *
 * Shared by vsva and the firmware: fixed layout, little endian.
 */
#ifndef VSVA_MOCK_SVA_H
#define VSVA_MOCK_SVA_H

#include <vsva/types.h>

#define MSVA_VENDOR		0x1234
#define MSVA_DEVICE		0x4d53
#define MSVA_CLASS		0x088000
#define MSVA_ID			0x4156534d	/* "MSVA" */
#define MSVA_VERSION		1
#define MSVA_BAR0_SIZE		0x1000
#define MSVA_PASID_BITS		20
#define MSVA_PRQ_CAPACITY	64
#define MSVA_MAX_PRG		512		/* PRG indexes 0..511 */
#define MSVA_GROUP_RECORDS	1	/* the selftest driver: one per group */

/* BAR0 registers: 32-bit; counters are 64-bit (one 8-byte access, or
 * two 4-byte ones, low half first). */
#define MSVA_REG_ID		0x000
#define MSVA_REG_VERSION	0x004
#define MSVA_REG_CAPS		0x008
#define MSVA_REG_HOST_DEV	0x00c	/* iommufd device ID, 0: none */
#define MSVA_REG_CTRL		0x010
#define MSVA_REG_DB_PASID	0x020
#define MSVA_REG_DB_ACCESS	0x024
#define MSVA_REG_DB_ADDR_LO	0x028
#define MSVA_REG_DB_ADDR_HI	0x02c
#define MSVA_REG_DB_GROUP	0x030
#define MSVA_REG_DB_FLAGS	0x034
#define MSVA_REG_DB_RING	0x038	/* write: raise; read: its status */
#define MSVA_REG_DB_ERRNO	0x03c	/* errno of the last HOST_ERROR */
#define MSVA_REG_SNAPSHOT	0x040	/* write: latch the counters */
#define MSVA_REG_COUNTERS	0x100	/* enum msva_counter, 8 bytes each */

/* CAPS */
#define MSVA_CAPS_HOST		(1U << 0)	/* a kernel device backs it */
#define MSVA_CAPS_GROUP_SHIFT	8	/* bits 15:8: records per group */

/* CTRL */
#define MSVA_CTRL_ENABLE	(1U << 0)

/* DB_PASID */
#define MSVA_DB_PASID_VALID	(1U << 31)
#define MSVA_DB_PASID_MASK	((1U << MSVA_PASID_BITS) - 1)

/* DB_ACCESS: the same bits as the host's fault record perm */
#define MSVA_ACC_READ		(1U << 0)
#define MSVA_ACC_WRITE		(1U << 1)
#define MSVA_ACC_EXEC		(1U << 2)
#define MSVA_ACC_PRIV		(1U << 3)
#define MSVA_ACC_MASK		0xfU

/* DB_FLAGS */
#define MSVA_DB_F_LAST		(1U << 0)	/* last request of its group */

/* DB_RING status (read back after a ring) */
enum msva_db_status {
	MSVA_DB_OK = 0,		/* raised in the host */
	MSVA_DB_BAD = 1,	/* a field is invalid: nothing raised */
	MSVA_DB_DISABLED = 2,	/* CTRL, bus master, PRI or PASID off, or
				 * PRI stopped by a Response Failure */
	MSVA_DB_UNSUPP = 3,	/* LAST clear: the host makes 1-record groups */
	MSVA_DB_HOST_ERROR = 4,	/* TRIGGER_IOPF failed: DB_ERRNO */
	MSVA_DB_NO_HOST = 5,	/* no kernel device behind it */
	MSVA_DB_IDLE = 6,	/* never rung since reset */
};

/* Counters at MSVA_REG_COUNTERS + 8 * index, as of the last SNAPSHOT. */
enum msva_counter {
	MSVA_C_RAISED = 0,	/* page requests raised (TRIGGER_IOPF ok) */
	MSVA_C_REJECTED,	/* rings refused: BAD, DISABLED, UNSUPP, NO_HOST */
	MSVA_C_HOST_ERRORS,	/* rings whose TRIGGER_IOPF failed */
	MSVA_C_DELIVERED,	/* records vsva put in the guest's queue */
	MSVA_C_ANSWER_SUCCESS,	/* guest answers vsva wrote to the host */
	MSVA_C_ANSWER_INVALID,
	MSVA_C_ANSWER_FAILURE,	/* sent as Invalid; PRI status RF set */
	MSVA_C_ANSWER_DROPPED,	/* guest answers vsva refused (NOENT...) */
	MSVA_C_HOST_GROUPS,	/* vIOMMU-wide: groups read from the fault FD */
	MSVA_C_HOST_REFUSED,	/* vIOMMU-wide: answers the kernel refused */
	MSVA_C_AUTO_ANSWERED,	/* vIOMMU-wide: groups vsva answered itself */
	MSVA_C_WRITE_ERRORS,	/* vIOMMU-wide: failed writes to the FD */
	MSVA_C__COUNT
};

/* The doorbell fields as the guest wrote them. */
struct msva_doorbell {
	u32 pasid;		/* DB_PASID */
	u32 access;		/* DB_ACCESS */
	u64 addr;		/* DB_ADDR_HI:LO */
	u32 group;		/* DB_GROUP */
	u32 flags;		/* DB_FLAGS */
};

/* What the device's configuration allows right now. */
struct msva_enables {
	bool ctrl;		/* CTRL.ENABLE */
	bool master;		/* PCI command: bus master */
	bool pri;		/* PRI control: enable */
	bool pri_failed;	/* PRI status: Response Failure (until reset) */
	u32 pri_alloc;		/* PRI outstanding allocation */
	bool pasid;		/* PASID control: enable */
	bool pasid_exec;	/* ... execute permission enable */
	bool pasid_priv;	/* ... privileged mode enable */
};

/* One page request for the host (IOMMU_TEST_OP_TRIGGER_IOPF). */
struct msva_request {
	u32 pasid;		/* 0: none (the host's IOMMU_NO_PASID) */
	u32 grpid;
	u32 perm;		/* IOMMU_PGFAULT_PERM_* */
	u64 addr;
};

/*
 * Pure doorbell decoding (viommu/mock-sva-db.c): checks @db against the
 * register rules of docs/mock-sva-device.md and the enables in @en.
 * Returns MSVA_DB_OK with *@req filled, or MSVA_DB_DISABLED, MSVA_DB_BAD
 * or MSVA_DB_UNSUPP (then *@req is untouched).
 */
enum msva_db_status msva__decode(const struct msva_doorbell *db,
				 const struct msva_enables *en,
				 struct msva_request *req);

struct vm;
/* Adds the device to the PCI bus (before the vIOMMU, which backs it). */
int mock_sva__init(struct vm *vm);

#endif
