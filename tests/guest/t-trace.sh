# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# kpkeys trace events (tracepoints/): every event has its format file with
# the documented fields; with hardened page tables on, a fork makes each of
# kpkeys_switch, kpkeys_batch and kpkeys_set_memory_pkey fire with plausible
# fields (tracefs), a hist trigger aggregates switches per caller, and a
# tp_btf BPF program attaches to every event (kp-tptrace). kpkeys_fault
# cannot fire under the mock backend, which never faults, and kpkeys_split
# not on arm64, whose set_memory_pkey() never splits: t-pks.sh provokes
# both under PKS on x86-64.

T=/sys/kernel/tracing
E=$T/events/kpkeys

fields() { # EVENT FIELD...: the format file names every FIELD
	ev=$1
	shift
	for f in "$@"; do
		grep -q "field:[^;]* $f;" $E/$ev/format || { echo "$ev: no field $f"; return 1; }
	done
	echo "$ev: $# fields present"
}

if [ ! -d $E ]; then
	skip trace "kernel without kpkeys trace events ($(uname -r))"
else
	check trace-format-switch fields kpkeys_switch restore sync from_level to_level from_reg to_reg cycles cost_ns caller
	check trace-format-batch fields kpkeys_batch writes switches switches_avoided syncs_elided duration_ns caller
	check trace-format-fault fields kpkeys_fault addr ip reg syndrome pkey level access pgtable pgtable_level action
	check trace-format-set-memory-pkey fields kpkeys_set_memory_pkey addr nr_pages pkey ret caller
	check trace-format-split fields kpkeys_split addr size_before size_after level
	# enum kpkeys_level reaches the format as numbers (TRACE_DEFINE_ENUM),
	# which is what trace-cmd and perf can evaluate
	t_trace_format_levels_numeric() {
		grep '^print fmt' $E/kpkeys_switch/format | cut -c1-400
		grep -q '{ 2, "PGTABLES" }' $E/kpkeys_switch/format &&
			grep -q '{ -1, "?" }' $E/kpkeys_switch/format &&
			! grep -q KPKEYS_LVL $E/kpkeys_switch/format
	}
	check trace-format-levels-numeric t_trace_format_levels_numeric

	if [ "$(cat /sys/kernel/kpkeys/hardened_pgtables 2>/dev/null)" != on ]; then
		skip trace-events-fire "hardened page tables are off on this boot"
	else
		echo 0 > $T/tracing_on
		echo > $T/trace
		for ev in kpkeys_switch kpkeys_batch kpkeys_set_memory_pkey kpkeys_fault kpkeys_split; do
			echo 1 > $E/$ev/enable
		done
		echo 1 > $T/tracing_on
		# Empty the cache of keyed page-table pages (its shrinker), so
		# that the fork's tables are keyed, not taken from the cache.
		echo 2 > /proc/sys/vm/drop_caches
		mmwork fork -q -s 8M > /dev/null
		echo 0 > $T/tracing_on
		echo 0 > $E/enable
		cat $T/trace > /tmp/kp-trace

		# Raises go DEFAULT->PGTABLES, restores come back, in pairs.
		t_trace_switch_pairs() {
			up=$(grep -c 'kpkeys_switch: set DEFAULT->PGTABLES ' /tmp/kp-trace)
			down=$(grep -c 'kpkeys_switch: restore PGTABLES->DEFAULT ' /tmp/kp-trace)
			other=$(grep 'kpkeys_switch: ' /tmp/kp-trace | grep -vc -e 'set DEFAULT->PGTABLES ' -e 'restore PGTABLES->DEFAULT ')
			echo "$up raises, $down restores, $other other switches"
			# sections open on other CPUs when tracing stopped may differ
			[ $up -gt 0 ] && [ $((up - down)) -le 4 ] && [ $((down - up)) -le 4 ] && [ $other -eq 0 ]
		}
		check trace-switch-pairs t_trace_switch_pairs
		t_trace_switch_cost() {
			grep 'kpkeys_switch: ' /tmp/kp-trace | head -n 3
			grep 'kpkeys_switch: set ' /tmp/kp-trace | grep -v ' cycles=0 ' | grep -q ' caller=[a-z_]'
		}
		check trace-switch-cost t_trace_switch_cost
		if [ "$(cat /sys/kernel/kpkeys/batching)" = on ]; then
			# Fork copies 2048 PTEs in 4 sections at least, each with writes.
			t_trace_batch_windows() {
				grep 'kpkeys_batch: ' /tmp/kp-trace | head -n 3
				grep 'kpkeys_batch: ' /tmp/kp-trace | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^writes=/) { split($i, kv, "="); w += kv[2]; n++ } }
					END { printf "%d windows, %d writes\n", n, w; exit !(n >= 4 && w >= 2048) }'
			}
			check trace-batch-windows t_trace_batch_windows
			check trace-batch-copy-path grep -q 'kpkeys_batch: .* caller=copy_p[a-z]*_range' /tmp/kp-trace
		else
			t_trace_batch_none_unbatched() {
				! grep 'kpkeys_batch: ' /tmp/kp-trace
			}
			check trace-batch-none-unbatched t_trace_batch_none_unbatched
		fi
		t_trace_set_memory_pkey() {
			grep 'kpkeys_set_memory_pkey: ' /tmp/kp-trace | head -n 2
			grep -q 'kpkeys_set_memory_pkey: addr=0x[0-9a-f]* nr_pages=[1-9][0-9]* pkey=1 ret=0 ' /tmp/kp-trace
		}
		check trace-set-memory-pkey t_trace_set_memory_pkey
		t_trace_no_fault() {
			! grep 'kpkeys_fault: ' /tmp/kp-trace
		}
		check trace-no-fault t_trace_no_fault

		# A hist trigger aggregates switches per caller in the kernel.
		echo 'hist:keys=caller.sym:vals=hitcount:sort=hitcount.descending' > $E/kpkeys_switch/trigger
		echo 1 > $E/kpkeys_switch/enable
		mmwork fork -q -s 8M > /dev/null
		echo 0 > $E/kpkeys_switch/enable
		t_trace_hist_trigger() {
			grep -m 3 'caller:' $E/kpkeys_switch/hist
			grep -q '^{ caller: .*} hitcount: *[1-9]' $E/kpkeys_switch/hist
		}
		check trace-hist-trigger t_trace_hist_trigger
		echo '!hist:keys=caller.sym:vals=hitcount:sort=hitcount.descending' > $E/kpkeys_switch/trigger
		echo > $T/trace

		check trace-tp_btf-every-event kp-tptrace 8
	fi
fi
