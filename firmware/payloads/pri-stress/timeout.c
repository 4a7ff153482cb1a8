// SPDX-License-Identifier: GPL-2.0
/*
 * pri-stress, last round, when the bootargs carry timeout=MS (vsva stress
 * --prq-timeout MS: the SVA device's own page-request timeout policy): the
 * guest holds a few jobs' groups and never answers them in time. vsva must
 * answer them Invalid Request itself, not before MS ms: the jobs end
 * PAGE_FAULT with their records written (the PASID stays bound). The
 * guest's late answers for those tags must then be refused (NOENT).
 */
#include <errno.h>
#include <stdarg.h>

#include "console.h"
#include "cpu.h"
#include "ps.h"
#include "tsc.h"

#define SUBMIT_MS	3000
#define SLACK_MS	2000	/* the wait: 20 * MS plus this */

#define timeout_fail(...)	ps__phase_fail(&ps.timeout_ok, "timeout", __VA_ARGS__)

int ps__timeout_phase(void)
{
	struct prq_space *s = &ps.spaces[0];
	u32 ms = ps.p.timeout, pages = ps.p.pages;
	u32 statuses[VIRTIO_IOMMU_S_NOMEM + 2] = { 0 };
	u32 k, c0, ended = 0, held, late;
	u64 t0, deadline, first_ms = 0, last_ms, w0;
	bool first_seen = false;
	int late_ret;

	ps.timeout_ok = true;
	if (!ms)
		return 0;
	k = MAX(1U, MIN(ps.sva.prq_alloc / pages, (u32)PS_TIMEOUT_JOBS));
	k = MIN(k, ps.sva.slots);
	ps.events_unexpected += ps__drain_events("before the timeout phase");
	for (u32 i = 0; i < k; i++) {
		ps__build_held_fill(&ps.timed[i], 0, pages);
		ps.timed[i].kind = PS_TIMED;
	}
	ps.jobs_total += k;
	c0 = sva__completed(&ps.sva);
	s->hold = true;
	/* vsva's clock for a group starts when it reads it, after this. */
	t0 = rdtsc();
	if (ps__submit_held(ps.timed, k, SUBMIT_MS))
		timeout_fail("could not submit the %u jobs", k);

	/* Serve the queue (the groups get held) until the jobs ended. */
	deadline = tsc__deadline(20 * ms + SLACK_MS);
	for (;;) {
		ended = sva__completed(&ps.sva) - c0;
		if (ended && !first_seen) {
			first_ms = tsc__ms_since(t0);
			first_seen = true;
		}
		if (ended >= k || tsc__expired(deadline))
			break;
		if (prq_handler__poll(&ps.h) <= 0)
			cpu_relax();
	}
	last_ms = tsc__ms_since(t0);
	held = prq_handler__nr_held(&ps.h, s->pasid);
	s->hold = false;
	if (held != k)
		timeout_fail("%u groups held, want %u", held, k);
	if (ended != k)
		timeout_fail("%u of %u jobs ended in %llu ms (timeout %u ms)",
			     ended, k, (unsigned long long)last_ms, ms);
	else if (first_ms < ms)
		timeout_fail("a job ended after %llu ms, before the %u ms "
			     "timeout", (unsigned long long)first_ms, ms);

	late_ret = prq_handler__answer_held(&ps.h, s->pasid,
					    VSVA_PAGE_RESP_SUCCESS, statuses);
	late = late_ret < 0 ? 0 : (u32)late_ret;
	if (statuses[VIRTIO_IOMMU_S_OK])
		timeout_fail("%u late answers accepted, want 0",
			     statuses[VIRTIO_IOMMU_S_OK]);
	if (statuses[VIRTIO_IOMMU_S_NOENT] != late || late != held)
		timeout_fail("%u of %u late answers got NOENT, want %u",
			     statuses[VIRTIO_IOMMU_S_NOENT], late, held);
	if (ended != k) {
		/* Stop the jobs; serve what they raised meanwhile. */
		if (sva__reset(&ps.sva, 2000))
			ps.aborted = true;
		while (prq_handler__poll(&ps.h) > 0)
			;
	}

	/* Each job must have ended PAGE_FAULT on its own record, in time. */
	w0 = ps.jobs_wrong;
	for (u32 i = 0; i < k; i++) {
		struct ps_job *j = &ps.timed[i];

		j->state = PS_DONE;
		if (ended != k)
			ps__job_wrong(j, "did not end by the timeout");
		else if (first_ms < ms)
			ps__job_wrong(j, "ended before the timeout");
		else
			ps__check_job(j);
	}
	if (ps.jobs_wrong != w0)
		timeout_fail("%u jobs did not end as the timeout requires",
			     (u32)(ps.jobs_wrong - w0));
	ps.events_unexpected += ps__drain_events("after the timeout phase");

	printf(PS_PROG ": timeout: %u jobs waiting on %u held groups; %u "
	       "ended ", k, held, ended);
	if (first_seen)
		printf("after %llu..%llu ms", (unsigned long long)first_ms,
		       (unsigned long long)last_ms);
	else
		printf("in %llu ms", (unsigned long long)last_ms);
	printf(" (timeout %u ms); %u late answers: %u NOENT, %u OK: %s\n",
	       ms, late, statuses[VIRTIO_IOMMU_S_NOENT],
	       statuses[VIRTIO_IOMMU_S_OK], ps.timeout_ok ? "ok" : "WRONG");
	return ps.timeout_ok ? 0 : -EIO;
}
