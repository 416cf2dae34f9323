#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# What attaching `kpkeys top` costs a page-table-heavy workload, against an
# ftrace hist trigger doing the same per-caller aggregation of the same
# event, measured side by side in one boot; then the streaming commands'
# drops and the tool's peak resident memory. Run in the guest:
#
#   make vm RUN=bench/tool-overhead.sh          (ROUNDS=N in the environment)
#
# Times are emulated (TCG): they compare the two tracers' software cost,
# not what an ISB costs on hardware.
T=/sys/kernel/tracing
E=$T/events/kpkeys/kpkeys_switch
ROUNDS=${ROUNDS:-5}
SIZE=${SIZE:-64M}

# One sample: mean microseconds of fork (8 iterations) + munmap (4).
sample() {
	f=$(mmwork fork -q -s $SIZE -n 8 | sed -n 's/.* mean_us=\([0-9.]*\).*/\1/p')
	m=$(mmwork munmap -q -s $SIZE -n 4 | sed -n 's/.* mean_us=\([0-9.]*\).*/\1/p')
	echo "$f $m"
}

hist_on() {
	echo 'hist:keys=caller.sym:vals=hitcount:sort=hitcount.descending' > $E/trigger
	echo 1 > $E/enable
}
hist_off() {
	echo 0 > $E/enable
	echo '!hist:keys=caller.sym:vals=hitcount:sort=hitcount.descending' > $E/trigger
}
top_on() {
	kpkeys top -n 10 > /tmp/bench-top.out 2> /tmp/bench-top.err &
	TOP=$!
	while ! grep -q tracing /tmp/bench-top.err 2>/dev/null; do sleep 0.1; done
}
top_off() {
	HWM=$(awk '/^VmHWM/ { print $2 }' /proc/$TOP/status)
	kill -INT $TOP
	wait $TOP
}

echo "bench: fork ($SIZE, 8 per sample) + munmap ($SIZE, 4 per sample), $ROUNDS rounds of: nothing, hist trigger, kpkeys top"
: > /tmp/bench.txt
for r in $(seq $ROUNDS); do
	echo "none $(sample)" >> /tmp/bench.txt
	hist_on; echo "hist $(sample)" >> /tmp/bench.txt; hist_off
	top_on; echo "top $(sample)" >> /tmp/bench.txt; top_off
	echo "round $r: $(tail -n 3 /tmp/bench.txt | tr '\n' ' ')"
done
# medians per configuration, then the ratios
for c in none hist top; do
	for col in 2 3; do
		grep "^$c " /tmp/bench.txt | cut -d' ' -f$col | sort -n |
			awk -v c=$c -v col=$col '{ v[NR] = $1 } END { printf "%s %d %.1f\n", c, col, v[int((NR + 1) / 2)] }'
	done
done > /tmp/bench-med.txt
awk '{ m[$1 "," $2] = $3 }
END {
	for (col = 2; col <= 3; col++) {
		name = col == 2 ? "fork" : "munmap"
		n = m["none," col]; h = m["hist," col]; t = m["top," col]
		printf "bench: %-6s median us: none %.1f, hist trigger %.1f (%+.1f%%), kpkeys top %.1f (%+.1f%%); top/hist time ratio %.3f\n",
			name, n, h, 100 * (h - n) / n, t, 100 * (t - n) / n, t / h
	}
}' /tmp/bench-med.txt
echo "bench: kpkeys top peak RSS (VmHWM) ${HWM} kB"

# Streaming commands at the demo's rates: drops and peak memory.
kpkeys splits --json > /tmp/bench-splits.out 2> /tmp/bench-splits.err &
S=$!
while ! grep -q tracing /tmp/bench-splits.err 2>/dev/null; do sleep 0.1; done
mmwork fork -q -s 256M -n 4 > /dev/null
mmwork munmap -q -s 256M -n 2 > /dev/null
SH=$(awk '/^VmHWM/ { print $2 }' /proc/$S/status)
kill -INT $S; wait $S
summary=
for k in calls pages failed splits dropped; do
	summary="$summary${summary:+, }$k $(jsoncheck -g $k -t splits_summary /tmp/bench-splits.out 2>/dev/null | tail -n 1)"
done
echo "bench: kpkeys splits: $(jsoncheck -g type -t set_memory_pkey /tmp/bench-splits.out 2>/dev/null | wc -l) events streamed, summary: $summary, peak RSS ${SH} kB"
kpkeys faults --json > /tmp/bench-faults.out 2> /tmp/bench-faults.err &
S=$!
while ! grep -q tracing /tmp/bench-faults.err 2>/dev/null; do sleep 0.1; done
mmwork fork -q -s 256M -n 4 > /dev/null
SH=$(awk '/^VmHWM/ { print $2 }' /proc/$S/status)
kill -INT $S; wait $S
echo "bench: kpkeys faults: $(cat /tmp/bench-faults.out), peak RSS ${SH} kB"
for c in audit batch isb; do
	kpkeys $c > /dev/null 2> /tmp/bench-$c.err &
	S=$!
	while ! grep -q tracing /tmp/bench-$c.err 2>/dev/null; do sleep 0.1; done
	mmwork fork -q -s 256M -n 2 > /dev/null
	SH=$(awk '/^VmHWM/ { print $2 }' /proc/$S/status)
	kill -INT $S; wait $S
	echo "bench: kpkeys $c peak RSS ${SH} kB"
done
