// SPDX-License-Identifier: GPL-2.0
/*
 * The relay end to end over the emul fault queue's real FD: a synthetic
 * storm through both relay designs; every group answered exactly once by
 * the right device and PASID.  Small enough for a unit test.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include <vsva/synth.h>

static void storm(enum relay_mode mode, u32 gmin, u32 gmax, u32 devs,
		  u32 qsize)
{
	struct synth_config c = {
		.requests = 20000, .group_min = gmin, .group_max = gmax,
		.pasids = 3, .devices = devs, .window = 16, .mode = mode,
		.guest_queue = qsize, .seed = 7,
	};
	struct synth_result r;

	cr_assert_eq(synth__run(&c, &r), 0);
	cr_assert_eq(r.requests, 20000);
	cr_assert_eq(r.misrouted, 0);
	cr_assert_eq(r.duplicate, 0);
	cr_assert_eq(r.unanswered, 0, "every group answered");
	cr_assert_eq(r.answered_ok + r.answered_invalid, r.groups);
	cr_assert_eq(r.host_refused, 0, "no answer with a bad cookie");
	cr_assert_eq(r.relay.groups_in, r.groups);
	cr_assert_eq(r.relay.prq.answered_by_guest +
		     r.relay.prq.answered_by_vsva[PRQ_AUTO_QUEUE_FULL],
		     r.groups);
	cr_assert_geq(r.relay.prq.records, r.relay.prq.groups,
		      "every group has a record");
	cr_assert_leq(r.relay.prq.records, r.relay.prq.groups * gmax);
}

Test(relay, uring_storm_single_records)
{
	storm(RELAY_URING, 1, 1, 1, 0);
}

Test(relay, uring_storm_multi_record_groups)
{
	storm(RELAY_URING, 1, 64, 3, 0);
}

Test(relay, poll_storm)
{
	storm(RELAY_POLL, 1, 8, 2, 0);
}

/* A guest queue smaller than the groups: vsva answers Success itself. */
Test(relay, queue_full_auto_answers)
{
	struct synth_config c = {
		.requests = 5000, .group_min = 4, .group_max = 8,
		.pasids = 2, .devices = 2, .window = 8, .mode = RELAY_URING,
		.guest_queue = 6, .seed = 3,
	};
	struct synth_result r;

	cr_assert_eq(synth__run(&c, &r), 0);
	cr_assert_eq(r.unanswered, 0);
	cr_assert_gt(r.relay.prq.answered_by_vsva[PRQ_AUTO_QUEUE_FULL], 0,
		     "groups of 7-8 records never fit a 6-record queue");
	cr_assert_eq(r.relay.prq.answered_by_guest +
		     r.relay.prq.answered_by_vsva[PRQ_AUTO_QUEUE_FULL],
		     r.groups);
}

Test(relay, bad_config_refused)
{
	struct synth_config c = { .requests = 1, .group_min = 2,
				  .group_max = 1, .pasids = 1, .devices = 1,
				  .window = 1 };
	struct synth_result r;

	cr_assert_eq(synth__run(&c, &r), -EINVAL);
	c.group_min = 1;
	c.group_max = 65;
	cr_assert_eq(synth__run(&c, &r), -EINVAL);
}

/* A guest that never answers: the timeout policy answers Invalid. */
Test(relay, timeout_answers_for_a_silent_guest)
{
	struct synth_config c = {
		.requests = 40, .group_min = 1, .group_max = 3, .pasids = 2,
		.devices = 1, .window = 8, .mode = RELAY_URING, .seed = 9,
		.guest_silent = true, .timeout_ns = 20000000,
	};
	struct synth_result r;

	cr_assert_eq(synth__run(&c, &r), 0);
	cr_assert_eq(r.unanswered, 0);
	cr_assert_eq(r.answered_ok, 0);
	cr_assert_eq(r.answered_invalid, r.groups);
	cr_assert_eq(r.relay.prq.answered_by_vsva[PRQ_AUTO_TIMEOUT], r.groups);
	cr_assert_geq(hist__pct(&r.rtt, 50), 20000000, "not before the timeout");
}
