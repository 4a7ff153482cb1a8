// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <vsva/io.h>

static u64 last_addr;
static int calls;

static void handler(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
		    bool is_write, void *opaque)
{
	last_addr = addr;
	calls++;
	if (!is_write)
		memset(data, (int)(long)opaque, len);
}

Test(io, dispatch_overlap_move)
{
	struct io_table *t = io_table__new("test");
	u8 d[4];

	calls = 0;
	cr_assert_eq(io_table__add(t, 0x100, 8, handler, (void *)0x11), 0);
	cr_assert_eq(io_table__add(t, 0x200, 4, handler, (void *)0x22), 0);
	cr_assert_eq(io_table__add(t, 0x104, 8, handler, NULL), -EBUSY);
	cr_assert_eq(io_table__add(t, 0xfc, 8, handler, NULL), -EBUSY);
	cr_assert_eq(io_table__add(t, 0x1000, 0, handler, NULL), -EINVAL);
	cr_assert(io_table__dispatch(t, NULL, 0x107, d, 1, false));
	cr_assert_eq(d[0], 0x11);
	cr_assert_eq(last_addr, 0x107);
	cr_assert_not(io_table__dispatch(t, NULL, 0x108, d, 4, false));
	cr_assert_eq(d[0], 0xff, "unhandled reads are all ones");
	cr_assert_eq(io_table__move(t, 0x100, 0x1fe), -EBUSY, "would overlap");
	cr_assert(io_table__dispatch(t, NULL, 0x100, d, 1, false),
		  "a failed move leaves the range where it was");
	cr_assert_eq(io_table__move(t, 0x100, 0x300), 0);
	cr_assert_not(io_table__dispatch(t, NULL, 0x100, d, 1, false));
	cr_assert(io_table__dispatch(t, NULL, 0x307, d, 1, true));
	cr_assert_eq(io_table__del(t, 0x300), 0);
	cr_assert_eq(io_table__del(t, 0x300), -ENOENT);
	cr_assert_eq(io_table__move(t, 0x300, 0x400), -ENOENT);
	io_table__free(t);
}
