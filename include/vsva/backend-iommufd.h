/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The `iommufd` host backend (struct viommu_backend_ops): the vIOMMU core's
 * requests become IOMMUFD objects in the host kernel.
 *
 *  - Stage 2: one IOAS maps all guest RAM at IOVA = GPA; per host device a
 *    NEST_PARENT paging HWPT over it.
 *  - Guest domains: a MAP/UNMAP domain with host devices in it gets its own
 *    IOAS (IOVA -> the guest RAM its mappings name: shadowing); a bypass
 *    domain is the stage-2 IOAS itself.  A detached device sits on an
 *    empty IOAS (DMA blocked).
 *  - Stage 1: ATTACH_TABLE becomes a nested HWPT on the device's parent
 *    (VT-d: IOMMU_HWPT_DATA_VTD_S1 from the table descriptor; mock devices:
 *    the selftest data), with the backend's fault queue, attached to the
 *    PASID (VFIO, Linux 6.15) or to the RID (the selftest driver of Linux
 *    6.12, which has no PASID attach and routes every PASID's faults to the
 *    RID's nested domain: one table at a time).  A new table for a bound
 *    PASID is allocated and swapped in by replace; detach removes it.
 *  - INVALIDATE batches become one IOMMU_HWPT_INVALIDATE per nested HWPT;
 *    a partial failure (entry_num) is mapped back to the guest's entries
 *    and the rest are sent again.  VT-d: ADDR -> {addr, npages, LEAF},
 *    other scopes -> everything.  Mock: its 4 IOTLB slots taken as a
 *    direct-mapped cache (slot = page index mod 4), wider -> ALL.
 *  - The mock IOMMU reaches IOVA [16 MiB, 2 GiB) only: guest RAM outside
 *    it makes add_mock fail (IOMMU_IOAS_IOVA_RANGES is checked after every
 *    device attach).
 *  - Without nesting (NEST_PARENT refused, no hw_info, no stage-1 format we
 *    speak) a device keeps MAP/UNMAP shadowing and its endpoint is offered
 *    no PASID tables (ep_caps); ATTACH_TABLE is refused (UNSUPP) and the
 *    reason is logged once, naming the missing feature.
 *
 * Host devices are registered before their endpoint is added to the core
 * (viommu__add_endpoint calls ep_caps, which sets ep->dev_id).  Endpoints
 * with no host device (emulated ones) get nothing from the host: the core
 * translates their MAP/UNMAP DMA itself; they are offered no PASID tables.
 *
 * Not thread-safe: the core's caller serialises (as for every backend).
 * The fault FD belongs to the relay (relay_config.fd).
 */
#ifndef VSVA_BACKEND_IOMMUFD_H
#define VSVA_BACKEND_IOMMUFD_H

#include <vsva/iommufd.h>
#include <vsva/prq.h>
#include <vsva/viommu.h>

#define IOMMUFD_BE_MAX_DEVS	16
#define IOMMUFD_BE_MAX_DOMS	64
#define IOMMUFD_BE_REASON	128

enum iommufd_dev_kind {
	IOMMUFD_DEV_MOCK = 1,	/* selftest mock device (MOCK_DOMAIN) */
	IOMMUFD_DEV_VFIO,	/* VFIO cdev, bound to our iommufd */
};

/* Where a device's stage-1 tables go on the host. */
enum iommufd_s1_mode {
	IOMMUFD_S1_NONE = 0,	/* no nesting: shadowing only */
	IOMMUFD_S1_RID,		/* one table at a time, on the RID */
	IOMMUFD_S1_PASID,	/* one nested HWPT per PASID */
};

struct iommufd_be_pasid {
	u32 pasid;
	u32 hwpt;		/* nested HWPT; 0: slot free */
};

/* What the relay must do with the tags of an endpoint after a table
 * replacement or detach (iommufd_be__drain). */
enum iommufd_drain_kind {
	IOMMUFD_DRAIN_NONE = 0,		/* nothing changed on the host */
	IOMMUFD_DRAIN_HOST_ANSWERED,	/* host answered them: drop tags */
	IOMMUFD_DRAIN_VSVA_ANSWERS,	/* still live on the host: answer */
};

struct iommufd_be_drain {
	enum iommufd_drain_kind kind;
	u32 pasid;		/* a PASID, or PRQ_ALL_PASIDS */
};

struct iommufd_be_dev {
	bool used;
	u32 ep;			/* endpoint ID in the vIOMMU core */
	enum iommufd_dev_kind kind;
	int vfio_fd;		/* VFIO: the device cdev (caller owns it) */
	u32 stdev_id;		/* MOCK: the selftest device object */
	u32 dev_id;		/* the iommufd device ID */
	/* What the host offers (GET_HW_INFO + a NEST_PARENT probe). */
	struct iommufd_hw_info hw;
	u64 vtd_cap, vtd_ecap;
	enum iommufd_s1_mode s1;
	u32 data_type;		/* IOFD_HWPT_DATA_* of its nested HWPTs */
	u8 pasid_bits;
	u32 formats;		/* VSVA_S1_FMT_* */
	u32 table_flags;	/* VSVA_TABLE_F_* */
	bool page_req;
	char reason[IOMMUFD_BE_REASON];	/* why no stage 1 ("" if any) */
	bool reason_logged;
	/* Host state. */
	u32 parent;		/* NEST_PARENT HWPT, 0: none */
	u32 rid_pt;		/* what the RID is attached to */
	u32 dom_pt;		/* the RID's pt for its guest domain */
	u32 dom;		/* guest domain ID, 0: none */
	struct iommufd_be_pasid pasids[VIOMMU_MAX_PASIDS];
	struct iommufd_be_drain drain;
};

struct iommufd_be_dom {
	u32 id;			/* guest domain ID, 0: slot free */
	u32 ioas;		/* its shadow IOAS */
	int users;		/* host devices in it */
};

struct iommufd_be_stats {
	u64 ioctls, errors;
	u64 maps, unmaps;
	u64 tables_bound, replaces, detaches;
	u64 inval_batches;	/* backend invalidate() calls */
	u64 inval_ioctls;	/* HWPT_INVALIDATE calls */
	u64 inval_entries;	/* host entries sent */
	u64 inval_failed;	/* host entries refused */
	u64 refused_s1;		/* ATTACH_TABLE refused: no nesting */
};

struct iommufd_be {
	struct iommufd *ifd;
	const struct guest_mem *mem;
	u32 gpa_ioas;		/* stage 2: guest RAM at IOVA = GPA */
	u32 blocked_ioas;	/* empty: where detached devices sit */
	u32 fault_id;
	int fault_fd;		/* -1: the host has no fault queue */
	char fault_reason[IOMMUFD_BE_REASON];
	struct iommufd_be_dev devs[IOMMUFD_BE_MAX_DEVS];
	struct iommufd_be_dom doms[IOMMUFD_BE_MAX_DOMS];
	struct iommufd_be_stats stats;
};

extern const struct viommu_backend_ops iommufd_be_ops;

/*
 * Set up the stage-2 IOAS (every RAM region of @mem mapped read/write at
 * IOVA = GPA), the blocked IOAS and the fault queue (none on a kernel
 * without it: page requests are then not offered, be->fault_reason says
 * why).  @ifd stays the caller's.  0 or -errno (logged).
 */
int iommufd_be__init(struct iommufd_be *be, struct iommufd *ifd,
		     const struct guest_mem *mem);
/* Tear down in dependency order: devices back to the blocked IOAS, nested
 * HWPTs, parents, mock devices, domain IOASes, the IOASes, then the fault
 * FD (closed) and its object.  Stop the relay first.  Returns the number
 * of host calls that failed (0 when everything went). */
int iommufd_be__destroy(struct iommufd_be *be);

/*
 * A host device for endpoint @ep: probes what the host offers (GET_HW_INFO,
 * a NEST_PARENT HWPT) and attaches it to the stage-2 IOAS (bypass).
 * add_mock creates a selftest mock device; add_vfio binds the VFIO cdev
 * @vfio_fd (which stays the caller's).  0 or -errno.
 */
int iommufd_be__add_mock(struct iommufd_be *be, u32 ep);
int iommufd_be__add_vfio(struct iommufd_be *be, u32 ep, int vfio_fd);
const struct iommufd_be_dev *iommufd_be__dev(const struct iommufd_be *be,
					     u32 ep);
/* The nested HWPT serving (@ep, @pasid), 0 if none. */
u32 iommufd_be__nested_hwpt(const struct iommufd_be *be, u32 ep, u32 pasid);
/* The selftest data of a mock device's nested HWPT for table @d: every
 * IOTLB slot starts with this value (never 0), so a test can tell which
 * table a HWPT was made from (IOMMU_TEST_OP_MD_CHECK_IOTLB). */
u32 iommufd_be__mock_iotlb(const struct s1_desc *d);
/* The fault FD for the relay, -1 if none. */
int iommufd_be__fault_fd(const struct iommufd_be *be);

/*
 * After attach_table(replace) or detach_table of @ep (the core's
 * VIOMMU_PRQ_AFTER hook): what the host did with the outstanding page
 * requests.  HOST_ANSWERED: relay__drop(.., d.pasid, why, false);
 * VSVA_ANSWERS: relay__drop(.., d.pasid, why, true); NONE: nothing.
 */
void iommufd_be__drain(const struct iommufd_be *be, u32 ep,
		       struct iommufd_be_drain *d);

#endif
