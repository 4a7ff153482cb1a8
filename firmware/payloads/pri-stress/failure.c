// SPDX-License-Identifier: GPL-2.0
/*
 * pri-stress, last round: the guest answers a group Response Failure.
 * The host knows only Success and Invalid, so vsva sends Invalid and shows
 * the failure in the device's PRI status (RF), as PCIe requires: the job
 * ends PRI_FAILURE, the device raises no further page request (the next
 * faulting job ends PRI_FAILURE at once), and a PRI reset clears RF.
 */
#include <errno.h>
#include "console.h"
#include "cpu.h"
#include "ecam.h"
#include "fw.h"
#include "ps.h"
#include "tsc.h"

#define FAIL_MS		3000

static bool failure_ok;

static void fail(const char *what)
{
	printf("  failure check failed: %s\n", what);
	failure_ok = false;
}

/* Submits j and waits until it completed (serving other page requests). */
static bool run_one(struct ps_job *j, bool hold)
{
	u64 deadline = tsc__deadline(FAIL_MS);
	u32 c0 = sva__completed(&ps.sva);
	int ret;

	while ((ret = sva__submit(&ps.sva, &j->d)) == SVA_SUBMIT_BUSY &&
	       !tsc__expired(deadline))
		prq_handler__poll(&ps.h);
	if (ret != SVA_SUBMIT_OK) {
		fail("SUBMIT refused the job");
		return false;
	}
	j->state = PS_SUBMITTED;
	if (hold) {
		while (!prq_handler__nr_held(&ps.h, ps.spaces[j->space].pasid) &&
		       !tsc__expired(deadline))
			if (prq_handler__poll(&ps.h) <= 0)
				cpu_relax();
		return prq_handler__nr_held(&ps.h,
					    ps.spaces[j->space].pasid) > 0;
	}
	while (sva__completed(&ps.sva) == c0 && !tsc__expired(deadline))
		if (prq_handler__poll(&ps.h) <= 0)
			cpu_relax();
	return sva__completed(&ps.sva) != c0;
}

static u8 job_status(struct ps_job *j)
{
	if (!ps__resolve(j))
		return 0;
	return j->rec->status;
}

int ps__failure_phase(void)
{
	struct prq_space *s = &ps.spaces[0];
	struct ps_job *a = &ps.fail[0], *b = &ps.fail[1];
	u32 statuses[VIRTIO_IOMMU_S_NOMEM + 2] = { 0 };
	u64 deadline, records;
	u32 c0;
	u16 sts;

	failure_ok = true;
	ps.jobs_total += 2;
	ps__build_held_fill(a, 0, 1);
	ps__build_held_fill(b, 0, 1);
	a->expect = b->expect = SVA_ST_PRI_FAILURE;

	/* 1. Hold the job's group, answer it Response Failure. */
	s->hold = true;
	c0 = sva__completed(&ps.sva);
	if (!run_one(a, true))
		fail("the job's page request did not arrive");
	s->hold = false;
	prq_handler__answer_held(&ps.h, s->pasid, VSVA_PAGE_RESP_FAILURE,
				 statuses);
	if (statuses[VIRTIO_IOMMU_S_OK] != 1)
		fail("PAGE_RESP Response Failure was not accepted");
	deadline = tsc__deadline(FAIL_MS);
	while (sva__completed(&ps.sva) == c0 && !tsc__expired(deadline))
		cpu_relax();
	if (job_status(a) != SVA_ST_PRI_FAILURE)
		fail("the job did not end PRI_FAILURE");
	sts = sva__pri_status(&ps.sva);
	if (!(sts & PCI_PRI_STATUS_RF))
		fail("PRI status does not show Response Failure");

	/* 2. With RF set the device raises no page request. */
	records = ps.h.st.records;
	if (!run_one(b, false))
		fail("the second job did not end");
	if (job_status(b) != SVA_ST_PRI_FAILURE)
		fail("the second job did not end PRI_FAILURE");
	if (ps.h.st.records != records)
		fail("a page request arrived while PRI was stopped");

	/* 3. A PRI reset clears RF (and keeps PRI enabled). */
	ecam__write16(ps.sva.bdf, ps.sva.pri_cap + PCI_PRI_CTRL,
		      PCI_PRI_CTRL_ENABLE | PCI_PRI_CTRL_RESET);
	if (sva__pri_status(&ps.sva) & PCI_PRI_STATUS_RF)
		fail("PRI reset did not clear Response Failure");

	a->state = b->state = PS_DONE;
	if (failure_ok) {
		ps.jobs_failed += 2;
	} else {
		ps__job_wrong(a, "Response Failure not handled as PCIe says");
		ps.jobs_wrong++;
	}
	printf(PS_PROG ": response failure: PRI status %#x after the answer; "
	       "next job %s without a page request; PRI reset %s RF: %s\n",
	       sts, job_status(b) == SVA_ST_PRI_FAILURE ? "stopped" : "ran",
	       (sva__pri_status(&ps.sva) & PCI_PRI_STATUS_RF) ? "kept" :
	       "cleared", failure_ok ? "ok" : "WRONG");
	return failure_ok ? 0 : -EIO;
}
