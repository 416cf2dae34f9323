/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Log2 histograms as the BPF programs fill them (slot i counts values in
 * [2^i, 2^(i+1)), slot 0 also 0), and what is derived from them.
 */
#ifndef KPKEYS_HIST_H
#define KPKEYS_HIST_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "kpkeys_tool.h"

void hist_add(struct kp_hist *dst, const struct kp_hist *src);
void hist_sub(struct kp_hist *dst, const struct kp_hist *a,
	      const struct kp_hist *b);
double hist_mean(const struct kp_hist *h);
/* Lower and upper bound of slot I's values. */
uint64_t hist_slot_lo(int i);
uint64_t hist_slot_hi(int i);
/*
 * The P-th percentile (0 < P <= 100): the value below which P percent of
 * the samples fall, interpolated linearly inside the slot that holds it
 * and never above the recorded maximum. 0 for an empty histogram.
 */
double hist_percentile(const struct kp_hist *h, double p);
/* bcc-style text rendering, UNIT is the value's name ("ns", "writes"). */
void hist_print(FILE *out, const struct kp_hist *h, const char *unit);

#endif
