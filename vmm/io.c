// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO dispatch by registration.  Each table is a sorted array
 * of non-overlapping ranges; lookups take a read lock and copy the entry, so
 * a handler may itself move ranges (a PCI BAR write) without deadlock.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <vsva/io.h>
#include <vsva/log.h>
#include <vsva/vm.h>

struct io_range {
	u64 start;
	u64 len;
	io_handler_fn fn;
	void *opaque;
};

struct io_table {
	pthread_rwlock_t lock;
	struct io_range *ranges;
	int nr, cap;
	const char *name;
	u64 unhandled;
};

struct io_table *io_table__new(const char *name)
{
	struct io_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_rwlock_init(&t->lock, NULL);
	t->name = name;
	return t;
}

void io_table__free(struct io_table *t)
{
	if (!t)
		return;
	pthread_rwlock_destroy(&t->lock);
	free(t->ranges);
	free(t);
}

/* Index of the first range whose end is above @addr. */
static int io_table__search(const struct io_table *t, u64 addr)
{
	int lo = 0, hi = t->nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (t->ranges[mid].start + t->ranges[mid].len <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int io_table__insert_locked(struct io_table *t, struct io_range *r)
{
	int i;

	if (!r->len || r->start + r->len - 1 < r->start)
		return -EINVAL;
	i = io_table__search(t, r->start);
	if (i < t->nr && t->ranges[i].start < r->start + r->len)
		return -EBUSY;
	if (t->nr == t->cap) {
		int cap = t->cap ? t->cap * 2 : 16;
		struct io_range *n = realloc(t->ranges, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->ranges = n;
		t->cap = cap;
	}
	memmove(&t->ranges[i + 1], &t->ranges[i], (t->nr - i) * sizeof(*r));
	t->ranges[i] = *r;
	t->nr++;
	return 0;
}

int io_table__add(struct io_table *t, u64 start, u64 len, io_handler_fn fn,
		  void *opaque)
{
	struct io_range r = { start, len, fn, opaque };
	int ret;

	pthread_rwlock_wrlock(&t->lock);
	ret = io_table__insert_locked(t, &r);
	pthread_rwlock_unlock(&t->lock);
	return ret;
}

static int io_table__find_exact(struct io_table *t, u64 start)
{
	int i = io_table__search(t, start);

	if (i < t->nr && t->ranges[i].start == start)
		return i;
	return -1;
}

static void io_table__remove_at(struct io_table *t, int i)
{
	memmove(&t->ranges[i], &t->ranges[i + 1],
		(t->nr - i - 1) * sizeof(t->ranges[0]));
	t->nr--;
}

int io_table__del(struct io_table *t, u64 start)
{
	int i, ret = -ENOENT;

	pthread_rwlock_wrlock(&t->lock);
	i = io_table__find_exact(t, start);
	if (i >= 0) {
		io_table__remove_at(t, i);
		ret = 0;
	}
	pthread_rwlock_unlock(&t->lock);
	return ret;
}

int io_table__move(struct io_table *t, u64 old_start, u64 new_start)
{
	struct io_range r;
	int i, ret;

	pthread_rwlock_wrlock(&t->lock);
	i = io_table__find_exact(t, old_start);
	if (i < 0) {
		pthread_rwlock_unlock(&t->lock);
		return -ENOENT;
	}
	r = t->ranges[i];
	io_table__remove_at(t, i);
	r.start = new_start;
	ret = io_table__insert_locked(t, &r);
	if (ret) {
		/* Put it back where it was; that slot is free again. */
		r.start = old_start;
		io_table__insert_locked(t, &r);
	}
	pthread_rwlock_unlock(&t->lock);
	return ret;
}

bool io_table__dispatch(struct io_table *t, struct vcpu *cpu, u64 addr,
			u8 *data, u32 len, bool is_write)
{
	struct io_range r;
	bool found = false;
	int i;

	pthread_rwlock_rdlock(&t->lock);
	i = io_table__search(t, addr);
	if (i < t->nr && t->ranges[i].start <= addr) {
		r = t->ranges[i];
		found = true;
	}
	pthread_rwlock_unlock(&t->lock);

	if (!found) {
		__atomic_add_fetch(&t->unhandled, 1, __ATOMIC_RELAXED);
		pr_debug("%s: unhandled %s at 0x%llx len %u", t->name,
			 is_write ? "write" : "read", (unsigned long long)addr,
			 len);
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	r.fn(cpu, addr, data, len, is_write, r.opaque);
	return true;
}

int ioport__register(struct vm *vm, u16 port, u16 len, io_handler_fn fn,
		     void *opaque)
{
	return io_table__add(vm->pio, port, len, fn, opaque);
}

int mmio__register(struct vm *vm, u64 gpa, u64 len, io_handler_fn fn,
		   void *opaque)
{
	return io_table__add(vm->mmio, gpa, len, fn, opaque);
}

int mmio__move(struct vm *vm, u64 old_gpa, u64 new_gpa)
{
	return io_table__move(vm->mmio, old_gpa, new_gpa);
}

int ioport__move(struct vm *vm, u16 old_port, u16 new_port)
{
	return io_table__move(vm->pio, old_port, new_port);
}

void mmio__unregister(struct vm *vm, u64 gpa)
{
	io_table__del(vm->mmio, gpa);
}

void ioport__unregister(struct vm *vm, u16 port)
{
	io_table__del(vm->pio, port);
}
