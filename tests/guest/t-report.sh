# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# kpkeys.enforce: what /sys/kernel/kpkeys/enforce and the boot log say
# must follow the command line (on unless it says report; any other
# value is refused with one boot line and the kernel enforces).
#
# Under kpkeys.enforce=report on x86-64 (PKS enforces, so the mode has
# faults to let through; any other mode fails here), writes that would
# oops are reported and let through, one instruction each:
# - LKDTM's KPKEYS_WRITE_PGTABLE and KPKEYS_WRITE_TEST_PAGE write twice
#   from one instruction and survive; LKDTM checks each value landed and
#   the pkey register was at the default level right after each write;
#   each write is one kpkeys_fault with action allowed, in tracefs and in
#   `kpkeys faults --json`; pkey_faults_allowed and pkey_fault_steps grow
#   by two (every permission granted was taken back by its step);
# - the console carries one report, with a stack, per faulting
#   instruction;
# - 1000 provoked writes from one site all go through, the console gets
#   no report for the ones after the first, and `kpkeys faults -S` shows
#   one site with 1000 faults, all allowed, none dropped.

T=/sys/kernel/tracing
E=$T/events/kpkeys
C=/sys/kernel/debug/kpkeys/counters
L=/sys/kernel/debug/provoke-crash/DIRECT
P=/sys/kernel/debug/kpkeys/provoke

# counter NAME, provoked NAME: a value from the counters or provoke file
counter() { awk -v k="$1" '$1 == k { print $2 }' $C; }
provoked() { awk -v k="$1" '$1 == k { print $2 }' $P; }
# now_ms: uptime in ms (10 ms steps; busybox date has no %N)
now_ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

if [ ! -r /sys/kernel/kpkeys/enforce ]; then
	skip report "kernel without /sys/kernel/kpkeys/enforce ($(uname -r))"
	return 0 2>/dev/null || exit 0
fi

# The last kpkeys.enforce= on the command line wins, as early_param does.
asked=$(tr ' ' '\n' < /proc/cmdline | sed -n 's/^kpkeys\.enforce=//p' | tail -n 1)
case "$asked" in
report) want=report ;;
*) want=on ;;
esac

t_report_enforce_file() {
	m=$(cat /sys/kernel/kpkeys/enforce)
	echo "enforce $m, expected $want (kpkeys.enforce=${asked:-unset})"
	[ "$m" = $want ]
}
check report-enforce-file t_report_enforce_file

t_report_boot_line() {
	dmesg | grep 'kpkeys: enforce '
	[ "$(dmesg | grep -cE "kpkeys: enforce $want(:|\$)")" -eq 1 ]
}
check report-boot-line t_report_boot_line

t_report_read_only() {
	! echo report 2>/dev/null > /sys/kernel/kpkeys/enforce
}
check report-read-only t_report_read_only

if [ -n "$asked" ] && [ "$asked" != on ] && [ "$asked" != report ]; then
	t_report_bogus_refused() {
		dmesg | grep 'kpkeys.enforce='
		[ "$(dmesg | grep -c "kpkeys: kpkeys.enforce=$asked is not a mode; use on or report: enforcing")" -eq 1 ]
	}
	check report-bogus-refused t_report_bogus_refused
fi

[ $want = report ] || return 0 2>/dev/null || exit 0

if [ "$(uname -m)" != x86_64 ] || [ "$(cat /sys/kernel/kpkeys/mode)" != pks ]; then
	fail report-enforcing "kpkeys.enforce=report is tested where PKS enforces; mode $(cat /sys/kernel/kpkeys/mode) on $(uname -m)"
	return 0 2>/dev/null || exit 0
fi

# report_lkdtm NAME TEST: TEST under tracefs and `kpkeys faults --json`
# (check sets $name: these use rl_name and rl_test).
report_lkdtm() {
	rl_name=$1
	rl_test=$2
	c0_faults=$(counter pkey_faults)
	c0_allowed=$(counter pkey_faults_allowed)
	c0_steps=$(counter pkey_fault_steps)
	d0=$(dmesg | wc -l)
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 1 > $E/kpkeys_fault/enable
	echo 1 > $T/tracing_on
	check report-$rl_name-tool run_tool report-$rl_name \
		"echo $rl_test > $L && echo lkdtm-survived > /tmp/report-$rl_name.survived" \
		faults --json
	echo 0 > $T/tracing_on
	echo 0 > $E/kpkeys_fault/enable
	dmesg | tail -n +$((d0 + 1)) > /tmp/report-$rl_name.dmesg

	t_report_survived() {
		grep 'lkdtm' /tmp/report-$rl_name.dmesg
		[ -s /tmp/report-$rl_name.survived ] &&
			! grep -q 'FAIL' /tmp/report-$rl_name.dmesg
	}
	check report-$rl_name-survived t_report_survived

	# LKDTM read the values back, and the register right after each write.
	t_report_landed() {
		d=/tmp/report-$rl_name.dmesg
		grep -q 'report-only: write 1 landed (0x[0-9a-f]*), level DEFAULT (reg 0xbffffff8) right after' $d &&
			grep -q 'report-only: write 2 landed (0x[0-9a-f]*), level DEFAULT (reg 0xbffffff8) right after' $d &&
			grep -q 'report-only: both .* landed, the level back at DEFAULT after each' $d
	}
	check report-$rl_name-landed-at-default t_report_landed

	t_report_events() {
		grep 'kpkeys_fault: ' $T/trace | cut -c1-300
		a=$(grep 'kpkeys_fault: ' $T/trace | grep -c ' action=allowed$')
		n=$(grep -c 'kpkeys_fault: ' $T/trace)
		echo "$n kpkeys_fault events, $a with action=allowed"
		[ $n -eq 2 ] && [ $a -eq 2 ]
	}
	check report-$rl_name-two-events-allowed t_report_events

	t_report_documents() {
		o=/tmp/tool-report-$rl_name.out
		n=$(jsoncheck -g addr -t fault -w action=allowed -w access=write -w level=DEFAULT $o 2>/dev/null | wc -l)
		w=$(jsoncheck -g 'stack[]' -t fault $o | grep -c "^lkdtm_$rl_test+")
		echo "$n fault documents with action allowed, $w stacks naming lkdtm_$rl_test"
		[ $n -eq 2 ] && [ $w -eq 2 ] &&
			[ "$(jget $o allowed -t faults_summary)" = 2 ] &&
			[ "$(jget $o dropped -t faults_summary)" = 0 ]
	}
	check report-$rl_name-tool-shows-allowed t_report_documents

	t_report_counters() {
		f=$(($(counter pkey_faults) - c0_faults))
		a=$(($(counter pkey_faults_allowed) - c0_allowed))
		s=$(($(counter pkey_fault_steps) - c0_steps))
		echo "pkey_faults +$f, pkey_faults_allowed +$a, pkey_fault_steps +$s"
		[ $f -eq 2 ] && [ $a -eq 2 ] && [ $s -eq 2 ]
	}
	check report-$rl_name-counters t_report_counters
}

report_lkdtm pgtable KPKEYS_WRITE_PGTABLE
report_lkdtm test-page KPKEYS_WRITE_TEST_PAGE

# Both tests write from one instruction (lkdtm_kpkeys_store): one report,
# the first test's, with the decoded fault and the writer's stack.
t_report_console_once() {
	dmesg | grep 'kpkeys: report: '
	n=$(dmesg | grep -c 'kpkeys: report: pkey fault: write at .* ip lkdtm_kpkeys_store+')
	echo "$n report(s) from lkdtm_kpkeys_store"
	[ $n -eq 1 ] || exit 1
	dmesg | grep -A 40 'kpkeys: report: pkey fault: write at .* ip lkdtm_kpkeys_store+' |
		grep -q 'lkdtm_KPKEYS_WRITE_PGTABLE+'
}
check report-console-once-with-stack t_report_console_once

# 1000 writes from one site: all through, all seen, one report.
s0=$(provoked writes_stopped)
t0=$(provoked writes_through)
r0=$(dmesg | grep -c 'kpkeys: report: ')
check report-loop-tool run_tool report-loop \
	"i=0; while [ \$i -lt 1000 ]; do echo fault > $P; i=\$((i + 1)); done" faults -S --json
t_report_loop_through() {
	cat $P
	[ $(($(provoked writes_through) - t0)) -eq 1000 ] && [ "$(provoked writes_stopped)" = "$s0" ]
}
check report-loop-writes-through t_report_loop_through
t_report_loop_sites() {
	o=/tmp/tool-report-loop.out
	cut -c1-400 $o
	[ "$(jget $o faults -t faults_summary)" = 1000 ] &&
		[ "$(jget $o allowed -t faults_summary)" = 1000 ] &&
		[ "$(jget $o dropped -t faults_summary)" = 0 ] &&
		[ "$(jsoncheck -g 'sites[].faults' $o | wc -l)" = 1 ] &&
		[ "$(jget $o 'sites[].allowed' -w caller=kpkeys_provoke_write)" = 1000 ]
}
check report-loop-one-site t_report_loop_sites
t_report_loop_console_bounded() {
	n=$(($(dmesg | grep -c 'kpkeys: report: ') - r0))
	echo "$n console report(s) for 1000 faults from one site"
	[ $n -le 1 ]
}
check report-loop-console-bounded t_report_loop_console_bounded

# What a reported fault costs, against the same writes refused by the
# provoke file's parser (printed, not asserted: make bench times things).
b=$(now_ms)
i=0; while [ $i -lt 1000 ]; do echo nothing 2>/dev/null > $P; i=$((i + 1)); done
base=$(($(now_ms) - b))
b=$(now_ms)
i=0; while [ $i -lt 1000 ]; do echo fault > $P; i=$((i + 1)); done
rep=$(($(now_ms) - b))
echo "1000 reported faults in $rep ms, 1000 refused writes in $base ms: $((rep - base)) us per reported fault (TCG)" |
	note report-cost
