/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a firmware payload reports to vsva besides its exit code: before
 * exiting it writes the guest-physical address of this structure to the
 * report port (a 32-bit outl; the structure lies below 4 GiB).  vsva reads
 * it after the run (bounds-checked) for `vsva stress`.  Shared by vsva and
 * the firmware: fixed layout, little endian.
 */
#ifndef VSVA_FW_REPORT_H
#define VSVA_FW_REPORT_H

#include <vsva/types.h>

#define FW_REPORT_PORT		0x514
#define FW_REPORT_MAGIC		0x52505346	/* "FSPR" */
#define FW_REPORT_VERSION	1

struct fw_stress_report {
	u32 magic;
	u32 version;
	u64 jobs_total;
	u64 jobs_ok;			/* completed as expected: SUCCESS */
	u64 jobs_failed_as_expected;	/* meant to fail, and did (PAGE_FAULT, ...) */
	u64 jobs_wrong;			/* wrong status or wrong data */
	u64 page_requests;		/* records received */
	u64 groups;			/* LAST records received */
	u64 answered_success;		/* PAGE_RESP sent, by code */
	u64 answered_invalid;
	u64 answered_failure;
	u64 resp_errors;		/* PAGE_RESP that did not get OK (late ones) */
	u64 rounds;
	u64 detaches_with_outstanding;	/* DETACH_TABLE with jobs waiting */
	u64 guest_ns;			/* time spent handling requests (TSC) */
	u64 elapsed_ns;
	u64 reserved[8];
};

_Static_assert(sizeof(struct fw_stress_report) == 184, "fw_stress_report");

#endif
