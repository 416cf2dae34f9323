#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The kpkeys cost benchmark, guest side: run every case of the published
# kpkeys cost table on the booted kernel and print one line per case,
#
#   bench-case {"case":"fork-h0","ops":N,"time_us":[...],"counters":{...},"tool":{...},"batch":{...}}
#
# for bench/bench.py (host) to turn into the table, JSON and chart.
#
#   guest.sh [--smoke] [--rounds N]
#
# Each case runs ROUNDS timed rounds (emulated wall time per operation,
# one value per round; the mmwork cases first run one untimed warm-up
# operation, except with --smoke) and then one counted round: the kernel's kpkeys
# counters (/sys/kernel/debug/kpkeys/counters) over the operations' own
# windows, `kpkeys splits -S --json` over the whole command for the
# set_memory_pkey() calls, splits and ring-buffer drops the tool saw, and
# `kpkeys batch --json` over it for the batching effectiveness.
# On a kernel without kpkeys (vanilla) the counters and tool are absent
# and only times are reported.
set -u
ROUNDS=5
SMOKE=0
while [ $# -gt 0 ]; do
	case "$1" in
	--smoke) SMOKE=1 ;;
	--rounds) ROUNDS=$2; shift ;;
	*) echo "bench: unknown argument '$1'; use --smoke or --rounds N" >&2; exit 2 ;;
	esac
	shift
done

CTR=/sys/kernel/debug/kpkeys/counters
KB_INPUT=$(readlink -f "$0")	# the pipelines' input: this script
MOD=$(find /lib/modules -name 'test_vmalloc.ko*' 2>/dev/null | head -n 1)
HAVE_KPKEYS=0
[ -r $CTR ] && HAVE_KPKEYS=1
HAVE_TOOL=0
[ $HAVE_KPKEYS = 1 ] && command -v kpkeys > /dev/null && HAVE_TOOL=1
[ -n "$MOD" ] || { echo "bench: test_vmalloc.ko not found (CONFIG_TEST_VMALLOC=m)" >&2; exit 1; }

echo "bench: kernel $(uname -r), cmdline: $(cat /proc/cmdline)"
echo "bench: kpkeys $(cat /sys/kernel/kpkeys/mode 2>/dev/null || echo absent), batching $(cat /sys/kernel/kpkeys/batching 2>/dev/null || echo absent), $(nproc) CPUs, $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"

# counters as a JSON object body: "name":value,...
ctr_json() {
	[ $HAVE_KPKEYS = 1 ] || return 0
	awk '{ printf "%s\"%s\":%s", NR > 1 ? "," : "", $1, $2 }' $CTR
}
# ctr_delta BEFORE_FILE AFTER_FILE: JSON body of after - before
ctr_delta() {
	awk 'NR == FNR { b[$1] = $2; next }
	     { printf "%s\"%s\":%d", n++ ? "," : "", $1, $2 - b[$1] }' "$1" "$2"
}
# mmwork's -c line (window-only counters): "... counters a=1 b=2" -> JSON body
mm_ctr_json() {
	sed -n 's/.* counters //p' | tr ' ' '\n' |
		awk -F= 'NF == 2 { printf "%s\"%s\":%s", n++ ? "," : "", $1, $2 }'
}

TOOL_PID= BATCH_PID=
# tool_wait NAME ERRFILE: until the tool says it is tracing
tool_wait() {
	i=0
	while ! grep -q tracing "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "bench: kpkeys $1 did not start: $(cat "$2")" >&2; exit 1; }
		sleep 0.1
	done
}
tool_start() {
	[ $HAVE_TOOL = 1 ] || return 0
	rm -f /tmp/bench-tool.* /tmp/bench-batch.*
	kpkeys splits -S --json > /tmp/bench-tool.out 2> /tmp/bench-tool.err &
	TOOL_PID=$!
	kpkeys batch --json -n 5 > /tmp/bench-batch.out 2> /tmp/bench-batch.err &
	BATCH_PID=$!
	tool_wait splits /tmp/bench-tool.err
	tool_wait batch /tmp/bench-batch.err
}

# splits_counts FILE: the counts of FILE's splits summary (kpkeys splits
# --json) as one JSON object, {} when it has none (jsoncheck -g)
splits_counts() {
	c=
	for k in calls pages failed splits dropped; do
		v=$(jsoncheck -g $k -t splits_summary "$1" 2>/dev/null | tail -n 1)
		[ -n "$v" ] || { echo "{}"; return; }
		c="$c${c:+,}\"$k\":$v"
	done
	echo "{$c}"
}

# Ends the tools (never from a subshell: it must wait for its children)
# and leaves the splits summary's counts in /tmp/bench-tool.json and the
# batch report in /tmp/bench-batch.json, each an object or {}.
tool_stop() {
	echo "{}" > /tmp/bench-tool.json
	echo "{}" > /tmp/bench-batch.json
	[ -n "$TOOL_PID" ] || return 0
	kill -INT $TOOL_PID $BATCH_PID
	wait $TOOL_PID || { echo "bench: kpkeys splits failed: $(cat /tmp/bench-tool.err)" >&2; exit 1; }
	wait $BATCH_PID || { echo "bench: kpkeys batch failed: $(cat /tmp/bench-batch.err)" >&2; exit 1; }
	TOOL_PID= BATCH_PID=
	splits_counts /tmp/bench-tool.out > /tmp/bench-tool.json
	# the whole report, when it is one valid document
	tail -n 1 /tmp/bench-batch.out > /tmp/bench-batch.last
	if jsoncheck -t batch /tmp/bench-batch.last > /dev/null 2>&1; then
		cp /tmp/bench-batch.last /tmp/bench-batch.json
	else
		echo "bench: kpkeys batch wrote no valid report: $(head -c 200 /tmp/bench-batch.last)" >&2
		exit 1
	fi
}

# emit NAME OPS TIMES COUNTERS [EXTRA]: stops the tools, prints the line
emit() {
	tool_stop
	echo "bench-case {\"case\":\"$1\",\"ops\":$2,\"time_us\":[$3]${5:-},\"counters\":{$4},\"tool\":$(cat /tmp/bench-tool.json),\"batch\":$(cat /tmp/bench-batch.json)}"
}

# mmwork OP SIZE N [-H]: time per op from mean_us. With PER_PAGE=1 (the
# fault cases) one operation is one 4 KiB page of the mapping.
PER_PAGE=0
mm_case() {
	name=$1 op=$2 size=$3 n=$4 thp=${5:-}
	pages=1
	if [ $PER_PAGE = 1 ]; then
		pages=$(echo $size | awk '/G$/ { print $0 * 262144; next }
					  /M$/ { print $0 * 256; next }
					  /K$/ { print $0 / 4; next }')
	fi
	# One untimed operation first, so that no timed round starts cold
	# (without it, mremap with batching had one first round of five 6.5%
	# dearer than the others, 150.7 against 141.7 thousand instructions,
	# in one run of two).
	if [ $SMOKE = 0 ]; then
		mmwork $op -q -s $size -n 1 $thp > /dev/null ||
			{ echo "bench: mmwork $op -s $size -n 1 $thp (warm-up) failed" >&2; exit 1; }
	fi
	times=
	for r in $(seq $ROUNDS); do
		t=$(mmwork $op -q -s $size -n $n $thp | sed -n 's/.* mean_us=\([0-9.]*\).*/\1/p')
		[ -n "$t" ] || { echo "bench: mmwork $op -s $size -n $n $thp failed" >&2; exit 1; }
		times="$times${times:+,}$(awk -v t=$t -v p=$pages 'BEGIN { printf "%.4f", t / p }')"
	done
	ctr=
	tool_start
	if [ $HAVE_KPKEYS = 1 ]; then
		ctr=$(mmwork $op -q -s $size -n $n $thp -c | mm_ctr_json)
	else
		mmwork $op -q -s $size -n $n $thp > /dev/null
	fi
	emit "$name" $((n * pages)) "$times" "$ctr"
}
# fault_case NAME OP SIZE N: mm_case with one page as the operation
fault_case() {
	PER_PAGE=1
	mm_case "$@"
	PER_PAGE=0
}

# vm_case NAME LOOPS MASK PARAM...: test_vmalloc, time per loop from the
# module's own average (usec for the whole loop of one test)
vm_case() {
	name=$1 loops=$2 mask=$3
	shift 3
	times=
	for r in $(seq $ROUNDS) counted; do
		[ "$r" = counted ] && { tool_start; cat $CTR > /tmp/c0 2>/dev/null; }
		dmesg -c > /dev/null
		kmodrun -a "$MOD" nr_threads=1 sequential_test_order=1 run_test_mask=$mask \
			test_loop_count=$loops "$@" || exit 1
		[ "$r" = counted ] && { cat $CTR > /tmp/c1 2>/dev/null; break; }
		us=$(dmesg | sed -n 's/.*Summary: [a-z_]* passed: 1 failed: 0 .* avg: \([0-9]*\) usec.*/\1/p' | head -n 1)
		[ -n "$us" ] || { echo "bench: test_vmalloc $name reported no passing summary:" >&2; dmesg | tail -n 5 >&2; exit 1; }
		times="$times${times:+,}$(awk -v u=$us -v n=$loops 'BEGIN { printf "%.4f", u / n }')"
	done
	ctr=
	[ $HAVE_KPKEYS = 1 ] && ctr=$(ctr_delta /tmp/c0 /tmp/c1)
	emit "$name" $loops "$times" "$ctr"
}

# A fork/exec-heavy stand-in for kernbench: ITER iterations of a shell
# pipeline of 4 short-lived processes (each one fork + exec + exit), one
# after the other (two concurrent loops made the emulated times swing with
# the host's scheduling). Wall time per pipeline (CLOCK_MONOTONIC in ns
# from /proc/timer_list; /proc/uptime's 10 ms where that is missing),
# system and user time per pipeline (all CPUs, /proc/stat ticks).
kb_iter() {
	i=0
	while [ $i -lt $1 ]; do
		sh -c 'sed s/a/b/ "$1" | sort | md5sum > /dev/null' kb "$KB_INPUT"
		i=$((i + 1))
	done
}
now_us() {
	if [ -r /proc/timer_list ]; then
		awk '/^now at/ { printf "%.1f\n", $3 / 1000; exit }' /proc/timer_list
	else
		awk '{ printf "%.1f\n", $1 * 1e6 }' /proc/uptime
	fi
}
kb_case() {
	name=$1 iter=$2
	times= sys= usr=
	for r in $(seq $ROUNDS) counted; do
		[ "$r" = counted ] && { tool_start; cat $CTR > /tmp/c0 2>/dev/null; }
		s0=$(awk '/^cpu / { print $2 + $3, $4 }' /proc/stat)
		t0=$(now_us)
		kb_iter $iter
		t1=$(now_us)
		s1=$(awk '/^cpu / { print $2 + $3, $4 }' /proc/stat)
		[ "$r" = counted ] && { cat $CTR > /tmp/c1 2>/dev/null; break; }
		hz=100
		times="$times${times:+,}$(awk -v a=$t0 -v b=$t1 -v n=$iter 'BEGIN { printf "%.1f", (b - a) / n }')"
		usr="$usr${usr:+,}$(echo "$s0 $s1" | awk -v n=$iter -v hz=$hz '{ printf "%.1f", ($3 - $1) * 1e6 / hz / n }')"
		sys="$sys${sys:+,}$(echo "$s0 $s1" | awk -v n=$iter -v hz=$hz '{ printf "%.1f", ($4 - $2) * 1e6 / hz / n }')"
	done
	ctr=
	[ $HAVE_KPKEYS = 1 ] && ctr=$(ctr_delta /tmp/c0 /tmp/c1)
	emit "$name" $iter "$times" "$ctr" ",\"user_us\":[$usr],\"system_us\":[$sys]"
}

# No khugepaged collapses behind the benchmark's back; THP when asked for.
echo madvise > /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
echo madvise > /sys/kernel/mm/transparent_hugepage/defrag 2>/dev/null

if [ $SMOKE = 1 ]; then
	mm_case fork-h0 fork 64M 2
	fault_case fault-anon fault 16M 2
	vm_case fix-p4-h0 2000 1 nr_pages=4
	kb_case kernbench 20
else
	mm_case fork-h0 fork 1G 4
	# h:1's first fork costs about 15% more than the next ones (icount,
	# no batching: 71 ms against 61 ms): 64 forks a round, not 4, keep the
	# rounds within 0.25% of each other instead of 1.3%.
	mm_case fork-h1 fork 1G 64 -H
	mm_case munmap-h0 munmap 1G 2
	mm_case munmap-h1 munmap 1G 2 -H
	vm_case fix-p1-h0 100000 1 nr_pages=1
	vm_case fix-p4-h0 50000 1 nr_pages=4
	vm_case fix-p16-h0 20000 1 nr_pages=16
	vm_case fix-p64-h0 10000 1 nr_pages=64
	vm_case fix-p256-h0 4000 1 nr_pages=256
	vm_case fix-p16-h1 20000 1 nr_pages=16 use_huge=1
	vm_case fix-p64-h1 10000 1 nr_pages=64 use_huge=1
	vm_case fix-p256-h1 4000 1 nr_pages=256 use_huge=1
	vm_case random-p1-h0 10000 8
	vm_case vm_map_ram-p1-h0 100000 1024
	# where real workloads take their page-table writes
	fault_case fault-anon fault 256M 2
	fault_case fault-cow cow 256M 2
	fault_case fault-file filefault 256M 2
	mm_case mprotect-h0 mprotect 256M 4
	mm_case mremap-h0 mremap 256M 16
	kb_case kernbench 200
fi
echo "bench: done"
