// SPDX-License-Identifier: GPL-2.0
/*
 * The relay end to end over the emul fault queue's real FD: a synthetic
 * storm through both relay designs; every group answered exactly once by
 * the right device and PASID.  Small enough for a unit test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* --pin: the relay alone on CPU 1; the caller's CPU mask is back after. */
Test(relay, pinned_storm)
{
	struct synth_config c = {
		.requests = 5000, .group_min = 1, .group_max = 8, .pasids = 2,
		.devices = 2, .window = 8, .mode = RELAY_URING, .seed = 5,
		.pin = true,
	};
	struct synth_result r;
	cpu_set_t before, after;
	bool two;

	cr_assert_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	two = CPU_ISSET(0, &before) && CPU_ISSET(1, &before);
	if (!two) {
		cr_assert_eq(synth__run(&c, &r), -EINVAL,
			     "pinning wants CPUs 0 and 1");
		return;
	}
	cr_assert_eq(synth__run(&c, &r), 0);
	cr_assert_eq(r.unanswered, 0);
	cr_assert_eq(r.misrouted, 0);
	cr_assert_eq(r.relay.prq.answered_by_guest, r.groups);
	cr_assert_eq(sched_getaffinity(0, sizeof(after), &after), 0);
	cr_assert(CPU_EQUAL(&before, &after), "the caller's CPUs restored");
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

/* Per-device policies: device 0 has its own short timeout, device 1 the
 * relay's default; each device's groups wait for their own. */
Test(relay, timeout_per_device)
{
	struct synth_config c = {
		.requests = 40, .group_min = 1, .group_max = 3, .pasids = 2,
		.devices = 2, .window = 16, .mode = RELAY_URING, .seed = 9,
		.guest_silent = true, .timeout_ns = 250000000,
		.dev_timeout_ns = { 20000000 },
	};
	struct synth_result r;

	cr_assert_eq(synth__run(&c, &r), 0);
	cr_assert_eq(r.unanswered, 0);
	cr_assert_eq(r.answered_invalid, r.groups);
	cr_assert_eq(r.relay.prq.answered_by_vsva[PRQ_AUTO_TIMEOUT], r.groups);
	cr_assert_geq(r.dev_rtt_min[0], 20000000, "device 0: its own timeout");
	cr_assert_lt(r.dev_rtt_max[0], 250000000,
		     "device 0: not the default timeout");
	cr_assert_geq(r.dev_rtt_min[1], 250000000,
		      "device 1: the default timeout");
}

/* Control requests pile up before the relay wakes: each kind of work is
 * still done, and the relay keeps running (kicks must never add up to a
 * stop: the eventfd's counter adds writes). */
static volatile int nr_requests;

static int g_room(void *g) { return -1; }
static void g_push(void *g, const struct virtio_iommu_page_req *r, u32 n) { }
static void g_kick(void *g) { }
static void g_requests(void *g)
{
	__atomic_add_fetch(&nr_requests, 1, __ATOMIC_SEQ_CST);
}

static const struct relay_guest_ops counting_guest = {
	.room = g_room, .push = g_push, .kick = g_kick,
	.requests = g_requests,
};

static void count_call(struct relay *r, void *arg)
{
	(*(int *)arg)++;
}

Test(relay, control_kicks_do_not_add_up, .timeout = 10)
{
	int fds[2], calls = 0;
	struct relay *r;
	struct relay_config c = {
		.mode = RELAY_URING, .guest = &counting_guest,
	};

	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0,
				fds), 0);
	c.fd = fds[0];
	cr_assert_eq(relay__create(&r, &c), 0);
	cr_assert_eq(relay__start(r), 0);
	nr_requests = 0;
	for (int i = 0; i < 7; i++)
		relay__kick_requests(r);
	for (int i = 0; i < 200 && !nr_requests; i++)
		usleep(1000);
	cr_assert_geq(nr_requests, 1);
	relay__call(r, count_call, &calls);
	cr_assert_eq(calls, 1, "the relay is still running after 7 kicks");
	nr_requests = 0;
	relay__kick_requests(r);
	for (int i = 0; i < 200 && !nr_requests; i++)
		usleep(1000);
	cr_assert_eq(nr_requests, 1);
	relay__destroy(r);
	close(fds[0]);
	close(fds[1]);
}
