# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# The kpkeys tool (tools/, bpf/) against workloads of known shape: each
# subcommand is started, waited for until it has attached, fed a workload,
# stopped with SIGINT (as Ctrl-C) and checked for a clean exit, for content
# and, under --json, for output that parses (jsoncheck, a strict parser).
# The binary is the one built against the kpkeys kernel's BTF; the debug
# kernel's boot runs the same binary (CO-RE).

T=/sys/kernel/tracing
PGT=$(cat /sys/kernel/kpkeys/hardened_pgtables 2>/dev/null)
BATCHING=$(cat /sys/kernel/kpkeys/batching 2>/dev/null)

# ---- the checks, one function each (check runs it in a subshell) ----

t_no_tracepoints() {
	kpkeys top -d 1 > /tmp/o 2> /tmp/e
	rc=$?
	cat /tmp/e
	[ $rc -eq 1 ] && [ ! -s /tmp/o ] &&
		grep -q "no trace event kpkeys:kpkeys_switch" /tmp/e
}

# every command kpkeys help lists answers --help (the host test checks the
# list against tools/cmd_*.c)
t_help() {
	cmds=$(kpkeys help | awk '/^Commands:/ { f = 1; next } f && !NF { exit } f { print $1 }')
	[ -n "$cmds" ] || { echo "kpkeys help lists no commands"; exit 1; }
	for c in $cmds; do
		kpkeys $c --help > /tmp/o 2> /tmp/e && [ ! -s /tmp/e ] &&
			grep -q "^Usage: kpkeys $c " /tmp/o ||
			{ echo "kpkeys $c --help: exit $?, $(head -c 200 /tmp/e)"; exit 1; }
	done
	echo "commands:" $cmds
}

t_usage_errors() {
	for a in "top -x" "top -1" "top abc" "bogus" "top -p 999999" "top -C 4096" "isb -f" "audit -f --json"; do
		kpkeys $a > /tmp/o 2> /tmp/e
		rc=$?
		[ $rc -eq 2 ] && [ ! -s /tmp/o ] && [ $(wc -l < /tmp/e) -eq 1 ] ||
			{ echo "kpkeys $a: exit $rc, stdout $(wc -c < /tmp/o) bytes, $(wc -l < /tmp/e) stderr lines"; exit 1; }
	done
	echo "8 bad command lines: exit 2, one line each"
}

# with hardened page tables the workload raised to PGTABLES and came back:
# both transitions named
t_top_transitions() {
	for t in "set DEFAULT PGTABLES" "restore PGTABLES DEFAULT"; do
		set -- $t
		jsoncheck -g 'transitions[].count' -w op=$1 -w from=$2 -w to=$3 \
			/tmp/tool-top.out > /dev/null 2>&1 ||
			{ echo "no transition $1 $2 -> $3 in kpkeys top --json"; exit 1; }
	done
}

# mmwork's switches as kpkeys top counted them and as tracefs recorded them
t_top_matches_tracefs() {
	traced=$(grep -c 'kpkeys_switch:' $T/trace)
	lost=$(cat $T/per_cpu/cpu*/stats | awk '/^overrun/ { n += $2 } END { print n + 0 }')
	ours=$(jsoncheck -g 'tasks[].count' -w comm=mmwork /tmp/tool-top.out 2>/dev/null |
		awk '{ n += $1 } END { print n + 0 }')
	echo "mmwork switches: kpkeys top $ours, tracefs $traced ($lost overrun)"
	[ $lost -eq 0 ] || exit 1
	# with hardened page tables the workload must have switched
	[ "$PGT" = on ] && [ $traced -eq 0 ] && exit 1
	awk -v a=$ours -v b=$traced 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= b / 100) }'
}

t_isb_json() {
	jsoncheck -t isb /tmp/tool-isb.out || exit 1
	[ "$PGT" = on ] || exit 0
	n=$(jget /tmp/tool-isb.out count)
	echo "$n switches measured"
	[ "${n:-0}" -ge 1000 ] || exit 1
	case $(jget /tmp/tool-isb.out p50_ns) in
	[0-9]*) ;;
	*) echo "no p50_ns"; exit 1 ;;
	esac
}

t_audit_names_fork_path() {
	jsoncheck -g 'stacks[].frames[]' /tmp/tool-audit-fork.out |
		grep '^copy_p[a-z]*_range$' | sort -u | grep .
}

t_audit_names_unmap_path() {
	grep -o '[a-z_]*unmap_page_range;[^ ]*' /tmp/tool-audit-munmap.out | head -n 3 | cut -c1-160
	grep -q 'unmap_page_range' /tmp/tool-audit-munmap.out
}

# folded stacks: every line is "frame;frame;... count"
t_audit_folded() {
	head -n 2 /tmp/tool-audit-munmap.out | cut -c1-160
	grep -qv '^[^ ]* [0-9][0-9]*$' /tmp/tool-audit-munmap.out && exit 1
	[ -s /tmp/tool-audit-munmap.out ]
}

# t_batch_effectiveness CMP BOUND: effectiveness_pct CMP BOUND
t_batch_effectiveness() {
	e=$(jget /tmp/tool-batch.out effectiveness_pct)
	echo "effectiveness $e% with batching $BATCHING"
	awk -v e="$e" "BEGIN { exit !(e != \"\" && e $1 $2) }"
}

t_batch_copy_path() {
	w=$(jget /tmp/tool-batch.out 'callers[].windows' -w caller=copy_page_range)
	echo "copy_page_range: ${w:-no} windows"
	[ "${w:-0}" -gt 0 ]
}

t_faults_none() {
	jsoncheck -t faults_summary /tmp/tool-faults.out && cat /tmp/tool-faults.out || exit 1
	! jsoncheck -g type -t fault /tmp/tool-faults.out > /dev/null 2>&1 &&
		[ "$(jget /tmp/tool-faults.out faults -t faults_summary)" = 0 ] &&
		[ "$(jget /tmp/tool-faults.out dropped -t faults_summary)" = 0 ]
}

t_splits_keyed() {
	o=/tmp/tool-splits.out
	n=$(jsoncheck -g addr -t set_memory_pkey -w pkey=1 -w ret=0 $o 2>/dev/null | wc -l)
	ev=$(jsoncheck -g addr -t set_memory_pkey $o 2>/dev/null | wc -l)
	calls=$(jget $o calls -t splits_summary)
	dropped=$(jget $o dropped -t splits_summary)
	jsoncheck -g path -t set_memory_pkey -w pkey=1 $o 2>/dev/null | sort | uniq -c | head -n 5
	echo "$n page-table pages keyed, $ev events, summary: $calls calls, $dropped dropped"
	[ $n -gt 0 ] && [ "$dropped" = 0 ] && [ $ev -eq "$calls" ] &&
		jsoncheck -g path -t set_memory_pkey -w pkey=1 $o 2>/dev/null |
		grep -q '^\(__p[a-z]*_alloc\|pgd_alloc\) <- '
}

# -d ends a run by itself
t_duration() {
	kpkeys top -d 1 --json > /tmp/o 2>/dev/null && jsoncheck -t top /tmp/o &&
		[ $(wc -l < /tmp/o) -eq 1 ]
}

# a PID filter sees only that process
t_pid_filter() {
	sleep 30 &
	sp=$!
	kpkeys top --json -n 0 -d 2 -p $sp > /tmp/o 2>/dev/null &
	tp=$!
	sleep 0.5
	mmwork fork -q -s 8M > /dev/null
	wait $tp
	rc=$?
	kill $sp
	[ $rc -eq 0 ] && jsoncheck /tmp/o || exit 1
	! jsoncheck -g 'tasks[].comm' -w comm=mmwork /tmp/o > /dev/null 2>&1
}

# ---- the run ----

if [ ! -x /usr/local/bin/kpkeys ]; then
	skip tool "no kpkeys binary in this image"
elif [ ! -d $T/events/kpkeys ]; then
	check tool-no-tracepoints t_no_tracepoints
else
	check tool-help t_help
	check tool-usage-errors t_usage_errors

	# top: its per-process counts against tracefs, same event, same window
	# (tracefs filtered to the workload's command name, which is all that
	# runs as mmwork).
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 4096 > $T/buffer_size_kb
	echo 'comm == "mmwork"' > $T/events/kpkeys/kpkeys_switch/filter
	echo 1 > $T/events/kpkeys/kpkeys_switch/enable
	echo 1 > $T/tracing_on
	check tool-top-runs run_tool top "mmwork fork -q -s 8M; mmwork munmap -q -s 8M" top --json -n 0 60
	echo 0 > $T/tracing_on
	echo 0 > $T/events/kpkeys/kpkeys_switch/enable
	echo 0 > $T/events/kpkeys/kpkeys_switch/filter
	check tool-top-json jsoncheck -t top /tmp/tool-top.out
	if [ "$PGT" = on ]; then
		check tool-top-transitions t_top_transitions
	fi
	check tool-top-matches-tracefs t_top_matches_tracefs
	echo > $T/trace

	check tool-isb run_tool isb "mmwork fork -q -s 8M" isb --json -P
	# A fork of 8 MiB switches thousands of times. Seen twice (1 CI run, 1
	# of 6 repeated t-tool.sh runs, both kpkeys.batching=off): isb reported
	# almost none (0, 162) while the same workload gives ~26500 and `top`
	# counted it exactly. Not root-caused; see the issue 7 note. The check
	# prints both counts and, when that happens, says so and measures
	# once more, so that a repeat is caught and a one-off is visible.
	isb_count=$(jget /tmp/tool-isb.out count)
	if [ "$PGT" = on ] && [ "${isb_count:-0}" -lt 1000 ]; then
		echo "RETRY: isb measured $isb_count switches ($(jget /tmp/tool-isb.out without_sync.count) without sync) for a fork of 8 MiB; measuring once more" |
			note tool-isb
		run_tool isb "mmwork fork -q -s 8M" isb --json -P > /dev/null
	fi
	check tool-isb-json t_isb_json

	# audit: the fork path and the unmap path write page tables
	check tool-audit-fork run_tool audit-fork "mmwork fork -q -s 8M" audit --json -n 0
	check tool-audit-json jsoncheck -t audit /tmp/tool-audit-fork.out
	check tool-audit-munmap run_tool audit-munmap "mmwork munmap -q -s 8M" audit -f
	if [ "$PGT" = on ]; then
		check tool-audit-names-fork-path t_audit_names_fork_path
		check tool-audit-names-unmap-path t_audit_names_unmap_path
		check tool-audit-folded t_audit_folded
	else
		skip tool-audit-content "hardened page tables are off on this boot"
	fi

	# batch: 8 forks of 64 MiB, most writes in the copy and zap sections
	check tool-batch run_tool batch "mmwork fork -q -s 64M -n 8" batch --json -n 0
	check tool-batch-json jsoncheck -t batch /tmp/tool-batch.out
	if [ "$PGT" != on ]; then
		skip tool-batch-effectiveness "hardened page tables are off on this boot"
	elif [ "$BATCHING" = on ]; then
		check tool-batch-effectiveness t_batch_effectiveness '>=' 90
		check tool-batch-copy-path t_batch_copy_path
	else
		check tool-batch-effectiveness-off t_batch_effectiveness '<=' 1
	fi

	# faults: none under normal load (nothing writes keyed memory from the
	# default level; t-pks.sh provokes them under PKS), clean exit
	check tool-faults run_tool faults "mmwork fork -q -s 8M" faults --json
	check tool-faults-none t_faults_none
	check tool-faults-text run_tool faults-text "true" faults
	check tool-faults-text-summary grep -q '0 pkey faults, 0 dropped' /tmp/tool-faults-text.out

	# splits: a fork keys its new page-table pages, no drops. The cache of
	# keyed table pages is emptied (through its shrinker) while the tool
	# traces, right before the fork: otherwise the fork is served from it.
	# 64 MiB needs about 64 PTE tables (parent and child), more than the
	# tables the exec and exits in between give back to the cache.
	check tool-splits run_tool splits "echo 2 > /proc/sys/vm/drop_caches; mmwork fork -q -s 64M" splits --json
	check tool-splits-json jsoncheck -t splits_summary /tmp/tool-splits.out
	if [ "$PGT" = on ]; then
		check tool-splits-keyed t_splits_keyed
	else
		skip tool-splits-keyed "hardened page tables are off on this boot"
	fi

	check tool-duration t_duration
	check tool-pid-filter t_pid_filter
fi
