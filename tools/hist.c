// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#include <string.h>
#include "hist.h"

void hist_add(struct kp_hist *dst, const struct kp_hist *src)
{
	for (int i = 0; i < KP_HIST_SLOTS; i++)
		dst->slots[i] += src->slots[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* a - b (an interval's share); the maximum is a's (not separable). */
void hist_sub(struct kp_hist *dst, const struct kp_hist *a,
	      const struct kp_hist *b)
{
	struct kp_hist r;

	for (int i = 0; i < KP_HIST_SLOTS; i++)
		r.slots[i] = a->slots[i] - b->slots[i];
	r.count = a->count - b->count;
	r.sum = a->sum - b->sum;
	r.max = r.count ? a->max : 0;
	*dst = r;
}

double hist_mean(const struct kp_hist *h)
{
	return h->count ? (double)h->sum / h->count : 0.0;
}

uint64_t hist_slot_lo(int i)
{
	return i ? 1ULL << i : 0;
}

uint64_t hist_slot_hi(int i)
{
	return i >= 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
}

double hist_percentile(const struct kp_hist *h, double p)
{
	uint64_t total = 0, seen = 0;
	double rank, lo, hi, v;

	for (int i = 0; i < KP_HIST_SLOTS; i++)
		total += h->slots[i];
	if (!total || p <= 0)
		return 0.0;
	if (p > 100)
		p = 100;
	rank = p / 100.0 * total;	/* samples at or below the answer */
	for (int i = 0; i < KP_HIST_SLOTS; i++) {
		uint64_t n = h->slots[i];

		if (!n || seen + n < rank) {
			seen += n;
			continue;
		}
		lo = (double)hist_slot_lo(i);
		hi = (double)hist_slot_hi(i) + 1.0;
		v = lo + (hi - lo) * ((rank - seen) / n);
		/* with samples, max is recorded (0 when they were all 0) */
		if (h->count && v > (double)h->max)
			v = (double)h->max;
		if (v < lo)
			v = lo;
		return v;
	}
	return h->max;
}

void hist_print(FILE *out, const struct kp_hist *h, const char *unit)
{
	int first = -1, last = -1;
	uint64_t peak = 0;
	char range[64];

	for (int i = 0; i < KP_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > peak)
			peak = h->slots[i];
	}
	if (first < 0) {
		fprintf(out, "     (no samples)\n");
		return;
	}
	snprintf(range, sizeof(range), "%s", unit);
	fprintf(out, "%24s : %-10s |%-40s|\n", range, "count", "distribution");
	for (int i = first; i <= last; i++) {
		int stars = (int)(h->slots[i] * 40 / peak);
		char bar[41];

		memset(bar, '*', stars);
		bar[stars] = 0;
		snprintf(range, sizeof(range), "%llu -> %llu",
			 (unsigned long long)hist_slot_lo(i),
			 (unsigned long long)hist_slot_hi(i));
		fprintf(out, "%24s : %-10llu |%-40s|\n", range,
			(unsigned long long)h->slots[i], bar);
	}
}
