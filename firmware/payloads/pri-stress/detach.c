// SPDX-License-Identifier: GPL-2.0
/*
 * pri-stress: the last round detaches the last PASID (DETACH_TABLE) while
 * some of its jobs wait for page requests the guest holds unanswered.
 * vsva answers those groups Invalid Request itself, so the jobs end
 * PAGE_FAULT; their completion records, written through the PASID that
 * no longer has a table, cannot land: the device counts them LOST and
 * the vIOMMU reports PASID_UNBOUND faults for them. The guest's late
 * answers for the held tags must then be refused (NOENT).
 */
#include <errno.h>
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "ps.h"
#include "tsc.h"

#define HOLD_MS		3000	/* for the held groups to arrive */
#define END_MS		3000	/* for the jobs to end after it */
#define EVENT_MS	500

#define detach_fail(...)	ps__phase_fail(&ps.detach_ok, "detach", __VA_ARGS__)

/* Serves the queue until k groups of `pasid` are held. */
static u32 wait_held(u32 pasid, u32 k)
{
	u64 deadline = tsc__deadline(HOLD_MS);
	u32 n;

	while ((n = prq_handler__nr_held(&ps.h, pasid)) < k &&
	       !tsc__expired(deadline))
		if (prq_handler__poll(&ps.h) <= 0)
			cpu_relax();
	return n;
}

static u32 wait_completed(u32 from, u32 k)
{
	u64 deadline = tsc__deadline(END_MS);
	u32 n;

	while ((n = sva__completed(&ps.sva) - from) < k &&
	       !tsc__expired(deadline))
		if (prq_handler__poll(&ps.h) <= 0)
			cpu_relax();
	return n;
}

/* PASID_UNBOUND reports for the jobs' records; others are counted. */
static u32 collect_reports(const struct ps_job *jobs, u32 k, u32 pasid)
{
	u64 deadline = tsc__deadline(EVENT_MS);
	bool seen[PS_DETACH_JOBS] = { false };
	struct virtio_iommu_fault f;
	u32 matched = 0;

	while (matched < k && !tsc__expired(deadline)) {
		int ret = viommu__event_poll(&ps.vi, &f);
		bool ok = false;

		if (!ret) {
			cpu_relax();
			continue;
		}
		for (u32 i = 0; ret > 0 && i < k && !ok; i++) {
			ok = !seen[i] &&
			     f.reason == VSVA_FAULT_R_PASID_UNBOUND &&
			     (f.flags & VSVA_FAULT_F_PASID) &&
			     (f.flags & VIRTIO_IOMMU_FAULT_F_WRITE) &&
			     f.pasid == pasid && f.address == jobs[i].cmpl;
			seen[i] |= ok;
		}
		if (ok) {
			matched++;
			continue;
		}
		ps.events_unexpected++;
		printf("  detach: unexpected fault report: %s flags %#x "
		       "pasid %u address %#llx\n",
		       viommu__fault_reason_str(f.reason), f.flags, f.pasid,
		       (unsigned long long)f.address);
	}
	return matched;
}

static bool records_untouched(struct ps_job *jobs, u32 k)
{
	for (u32 i = 0; i < k; i++)
		if (!ps__resolve(&jobs[i]) || jobs[i].rec->status)
			return false;
	return true;
}

int ps__detach_phase(void)
{
	u32 idx = ps.p.pasids - 1, pasid = ps.spaces[idx].pasid;
	struct prq_space *s = &ps.spaces[idx];
	u32 k = MAX(1U, MIN(ps.sva.prq_alloc / ps.p.pages,
			    (u32)PS_DETACH_JOBS));
	u32 statuses[VIRTIO_IOMMU_S_NOMEM + 2] = { 0 };
	u32 c0, l0, held, ended, lost, reports, late;
	bool jobs_ok = true;
	int st;

	k = MIN(k, ps.sva.slots);
	ps.detach_ok = true;
	ps.events_unexpected += ps__drain_events("before the detach");
	for (u32 i = 0; i < k; i++)
		ps__build_held_fill(&ps.held[i], idx, ps.p.pages);
	ps.jobs_total += k;
	c0 = sva__completed(&ps.sva);
	l0 = sva__lost(&ps.sva);
	s->hold = true;
	if (ps__submit_held(ps.held, k, HOLD_MS))
		return detach_fail("could not submit the %u jobs", k);
	held = wait_held(pasid, k);
	if (held < k)
		detach_fail("%u groups held, want %u", held, k);
	if (sva__completed(&ps.sva) != c0)
		detach_fail("%u jobs ended before the detach, want 0",
			    sva__completed(&ps.sva) - c0);

	st = viommu__detach_table(&ps.vi, ps.sva.ep, pasid);
	s->bound = false;
	s->hold = false;
	if (st != VIRTIO_IOMMU_S_OK)
		detach_fail("DETACH_TABLE: %s, want OK",
			    viommu__status_str(st));
	else if (held)
		ps.detaches++;

	ended = wait_completed(c0, k);
	lost = sva__lost(&ps.sva) - l0;
	if (ended != k)
		jobs_ok = detach_fail("%u jobs ended after the detach, want "
				      "%u", ended, k);
	if (lost != k)
		jobs_ok = detach_fail("%u completion records lost, want %u",
				      lost, k);
	if (!records_untouched(ps.held, k))
		jobs_ok = detach_fail("a completion record in the detached "
				      "PASID was written");
	reports = collect_reports(ps.held, k, pasid);
	if (reports != k)
		detach_fail("%u PASID_UNBOUND reports for the records, want "
			    "%u", reports, k);

	late = prq_handler__answer_held(&ps.h, pasid, VSVA_PAGE_RESP_SUCCESS,
					statuses);
	if (statuses[VIRTIO_IOMMU_S_OK])
		detach_fail("%u late answers accepted, want 0",
			    statuses[VIRTIO_IOMMU_S_OK]);
	if (statuses[VIRTIO_IOMMU_S_NOENT] != late)
		detach_fail("%u late answers got NOENT, want %u",
			    statuses[VIRTIO_IOMMU_S_NOENT], late);

	for (u32 i = 0; i < k; i++) {
		ps.held[i].state = PS_DONE;
		if (jobs_ok)
			ps.jobs_failed++;
		else
			ps__job_wrong(&ps.held[i], "did not end as the detach "
				      "requires");
	}
	printf(PS_PROG ": detach: pasid %u with %u jobs waiting on %u held "
	       "groups; DETACH_TABLE %s; %u jobs ended, %u records lost, %u "
	       "PASID_UNBOUND reports; %u late answers: %u NOENT, %u OK\n",
	       pasid, k, held, viommu__status_str(st), ended, lost, reports,
	       late, statuses[VIRTIO_IOMMU_S_NOENT],
	       statuses[VIRTIO_IOMMU_S_OK]);
	return ps.detach_ok ? 0 : -EIO;
}
