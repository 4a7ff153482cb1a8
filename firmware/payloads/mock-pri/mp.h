/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mock-pri: the guest side of the mock SVA device (docs/mock-sva-device.md).
 * Run with `--viommu on --mock-sva-dev` (iommufd backend, a host kernel
 * with CONFIG_IOMMUFD_TEST): every doorbell ring is a page request the
 * host kernel raises (IOMMU_TEST_OP_TRIGGER_IOPF), which reaches this
 * guest through the kernel's fault FD and vsva's relay; lib/prq.c answers
 * it and the answer goes back to the kernel by cookie.
 *
 * main.c: set-up, the phases, the report; dev.c: the device (ECAM, PASID,
 * PRI, doorbell, counters); phases.c: what each phase rings and checks.
 *
 * Accounting: every ring the device took (RAISED) must come back as
 * exactly one record, get exactly one answer that vsva forwarded (or, for
 * the detach phase, one the kernel gave itself), and the kernel must
 * refuse none; the guest's own counts, lib/prq.c's and the device's
 * counters (vsva's view) must all agree.
 */
#ifndef MP_H
#define MP_H

#include <vsva/fw-report.h>
#include <vsva/mock-sva.h>

#include "dt.h"
#include "prq.h"
#include "viommu.h"

#define MP_PROG			"mock-pri"

#define MP_EXIT_OK		0
#define MP_EXIT_WRONG		1
#define MP_EXIT_SETUP		2

#define MP_PASID		1	/* the bound table */
#define MP_PASID_UNBOUND	2	/* no table: its requests are Invalid */
#define MP_PASID_OTHER		3	/* a second table: refused on 6.12 */

#define MP_ALLOW_BASE		0x0000004000000000ULL	/* 256 GiB */
#define MP_ALLOW_SIZE		0x0000001000000000ULL
#define MP_REFUSE_BASE		0x00007e0000000000ULL
#define MP_REFUSE_SIZE		0x0000001000000000ULL

#define MP_MAX_BATCH		60	/* < the 64 page-request buffers */
#define MP_DETACH_REQS		4
#define MP_WAIT_MS		5000

struct mp_params {
	u32 rounds, batch, invalid;
	u64 seed;
};

/* The device, as dev.c drives it. */
struct mp_dev {
	u16 bdf;
	u32 ep;			/* endpoint ID behind the vIOMMU */
	u8 *regs;		/* BAR0 */
	u16 pasid_cap, pri_cap;
	u32 prq_alloc;
	u32 host_dev;		/* HOST_DEV: the kernel's device ID */
	u64 c[MSVA_C__COUNT];	/* the last snapshot */
};

/* What one ring should come back as. */
enum mp_kind {
	MP_FRESH,		/* PASID 1, allowed page: mapped, Success */
	MP_REFUSED,		/* PASID 1, refused page: Invalid */
	MP_UNBOUND,		/* PASID 2 (no table): Invalid */
	MP__KINDS
};

/* What the guest expects from vsva's counters (cumulative). */
struct mp_expect {
	u64 raised, rejected;
	u64 success, invalid, failure;	/* answers vsva forwarded */
	u64 dropped;			/* answers vsva refused */
	u64 auto_answered;		/* groups answered by the host/vsva */
};

struct mp {
	struct mp_params p;
	struct viommu vi;
	struct mp_dev dev;
	u32 domain;
	/* PASID 1 (bound) and PASID 2 (known to lib/prq.c, never bound) */
	struct prq_space spaces[2];
	struct prq_handler h;
	struct mp_expect ex;
	u64 seq;			/* rings made: next group ID, page */
	u64 t0;

	u64 checks, wrong;
	u64 rings_ok, rings_invalid;	/* answered as expected, by kind */
	u64 rounds, detaches;
	u64 manual_records, manual_answers;	/* phases that answer themselves */
	struct fw_stress_report report;
};

extern struct mp mp;

/* main.c */
/* One check: counted, printed when it fails. */
bool mp__check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
u64 mp__rand(void);

/* dev.c */
int mp_dev__find(const void *fdt, struct dt_pci_dev *dev);
/* ECAM must be up.  IDs, BAR0, memory + bus master, PASID (with execute
 * and privileged), PRI (reset, allocation = capacity, enable), CTRL. */
int mp_dev__init(struct mp_dev *d, const struct dt_pci_dev *dev);
void mp_dev__ctrl(struct mp_dev *d, bool enable);
/* Writes the doorbell fields and rings; returns DB_RING's status. */
u32 mp_dev__ring(struct mp_dev *d, u32 pasid_reg, u32 access, u64 addr,
		 u32 group, u32 flags);
/* SNAPSHOT, then every counter into d->c. */
void mp_dev__snapshot(struct mp_dev *d);
u16 mp_dev__pri_status(const struct mp_dev *d);
void mp_dev__pri_reset(struct mp_dev *d);
void mp_dev__disable(struct mp_dev *d);
const char *mp_dev__status_str(u32 st);

/* phases.c */
/* Rings the device must refuse (nothing raised). */
void mp__doorbell_checks(void);
/* One round: a batch of rings of every kind, answered by lib/prq.c. */
int mp__round(u32 r);
/* Records taken and answered here: a PASID-less request, Response
 * Failure, and a second answer to one group (refused by vsva). */
int mp__manual_phase(void);
/* Requests held, then DETACH_TABLE: the kernel answers them itself. */
int mp__detach_phase(void);
/* The device's counters against what the guest expects. */
void mp__check_counters(const char *when);

#endif
