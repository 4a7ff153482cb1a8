// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal MC146818 CMOS RTC on ports 0x70/0x71: the host's UTC time in
 * BCD, 24-hour mode, never "update in progress", and 128 bytes of CMOS RAM.
 */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include <vsva/rtc.h>
#include <vsva/vm.h>

struct rtc {
	pthread_mutex_t lock;
	u8 index;
	u8 cmos[128];
};

static struct rtc rtc;

static u8 rtc__bcd(int v)
{
	return (u8)(((v / 10) << 4) | (v % 10));
}

static u8 rtc__read(struct rtc *r, u8 idx)
{
	struct tm tm;
	time_t now = time(NULL);

	gmtime_r(&now, &tm);
	switch (idx) {
	case 0x00: return rtc__bcd(tm.tm_sec);
	case 0x02: return rtc__bcd(tm.tm_min);
	case 0x04: return rtc__bcd(tm.tm_hour);
	case 0x06: return rtc__bcd(tm.tm_wday + 1);
	case 0x07: return rtc__bcd(tm.tm_mday);
	case 0x08: return rtc__bcd(tm.tm_mon + 1);
	case 0x09: return rtc__bcd(tm.tm_year % 100);
	case 0x32: return rtc__bcd((tm.tm_year + 1900) / 100);
	case 0x0a: return 0x26;		/* 32.768 kHz, 1024 Hz, UIP clear */
	case 0x0b: return 0x02;		/* 24-hour, BCD */
	case 0x0c: return 0x00;
	case 0x0d: return 0x80;		/* valid RAM and time */
	default: return r->cmos[idx & 0x7f];
	}
}

static void rtc__io(struct vcpu *cpu, u64 addr, u8 *data, u32 len,
		    bool is_write, void *opaque)
{
	struct rtc *r = opaque;

	pthread_mutex_lock(&r->lock);
	if (addr == 0x70) {
		if (is_write)
			r->index = data[0] & 0x7f;	/* bit 7: NMI mask */
		else
			data[0] = r->index;
	} else if (is_write) {
		if (r->index >= 0x0e)
			r->cmos[r->index] = data[0];
	} else {
		data[0] = rtc__read(r, r->index);
	}
	pthread_mutex_unlock(&r->lock);
}

int rtc__init(struct vm *vm)
{
	pthread_mutex_init(&rtc.lock, NULL);
	return ioport__register(vm, 0x70, 2, rtc__io, &rtc);
}
