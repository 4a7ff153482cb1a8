// SPDX-License-Identifier: GPL-2.0
#include <criterion/criterion.h>

#include <vsva/hist.h>

Test(hist, percentiles_within_bucket_error)
{
	struct hist h;

	hist__init(&h);
	for (u64 v = 1; v <= 10000; v++)
		hist__add(&h, v * 100);
	cr_assert_eq(h.count, 10000);
	cr_assert_eq(h.min, 100);
	cr_assert_eq(h.max, 1000000);
	for (int p = 10; p <= 90; p += 10) {
		double want = p * 100.0 * 100.0, got = (double)hist__pct(&h, p);

		cr_assert(got >= want * 0.999 && got <= want * 1.07,
			  "p%d: %.0f vs %.0f", p, got, want);
	}
	cr_assert_eq(hist__pct(&h, 100), 1000000);
}

Test(hist, small_values_exact_and_merge)
{
	struct hist a, b;

	hist__init(&a);
	hist__init(&b);
	cr_assert_eq(hist__pct(&a, 50), 0, "empty");
	for (u64 v = 0; v < 16; v++)
		hist__add(&a, v);
	cr_assert_eq(hist__pct(&a, 50), 7);
	hist__add(&b, 5000);
	hist__merge(&a, &b);
	cr_assert_eq(a.count, 17);
	cr_assert_eq(a.max, 5000);
	cr_assert_eq(hist__pct(&a, 100), 5000);
	cr_assert_eq(a.min, 0);
}
