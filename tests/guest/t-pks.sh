# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# x86-64 under PKS, which QEMU's TCG enforces: pkey faults and direct-map
# splits, provoked through /sys/kernel/debug/kpkeys/provoke, as the trace
# events, the kpkeys tool and /proc/meminfo show them. Unless the command
# line says kpkeys=off, mode pks is required: a boot without it fails
# here instead of skipping. With kpkeys=off the write must go through
# and nothing may report a fault. Other architectures skip the file.

T=/sys/kernel/tracing
E=$T/events/kpkeys
P=/sys/kernel/debug/kpkeys/provoke

# provoked NAME: a value from the provoke file
provoked() { awk -v k="$1" '$1 == k { print $2 }' $P; }
directmap4k() { awk '/^DirectMap4k:/ { print $2 }' /proc/meminfo; }

if [ "$(uname -m)" != x86_64 ]; then
	skip pks "not x86-64 ($(uname -m))"
elif [ ! -w $P ]; then
	fail pks-provoke "no $P: build with CONFIG_KPKEYS_PROVOKE"
else
	case " $(cat /proc/cmdline) " in
	*" kpkeys=off "*) want=off ;;
	*) want=pks ;;
	esac
	t_pks_mode() {
		m=$(cat /sys/kernel/kpkeys/mode)
		echo "mode $m, expected $want"
		[ "$m" = $want ]
	}
	check pks-mode t_pks_mode
	# kpkeys=off clears the feature, as nopku does for PKU.
	if [ $want = pks ]; then
		check pks-cpu-flag grep -qw pks /proc/cpuinfo
	else
		t_pks_cpu_flag_cleared() {
			! grep -qw pks /proc/cpuinfo
		}
		check pks-cpu-flag-cleared t_pks_cpu_flag_cleared
	fi
fi

if [ "$(uname -m)" = x86_64 ] && [ -w $P ] && [ "$want" = off ]; then
	# Nothing enforces: the write goes through, no fault is reported.
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 1 > $E/kpkeys_fault/enable
	echo 1 > $T/tracing_on
	echo fault > $P
	echo 0 > $T/tracing_on
	echo 0 > $E/kpkeys_fault/enable
	t_pks_off_write_goes_through() {
		cat $P
		[ "$(provoked writes_through)" = 1 ]
	}
	check pks-off-write-goes-through t_pks_off_write_goes_through
	t_pks_off_no_fault_event() {
		! grep 'kpkeys_fault: ' $T/trace
	}
	check pks-off-no-fault-event t_pks_off_no_fault_event
elif [ "$(uname -m)" = x86_64 ] && [ -w $P ]; then
	# Faults: three stopped writes, each traced once, each one document
	# of `kpkeys faults --json` with the address, pkey 15, access write,
	# the decoded error code (P | W | PK) and PKRS, and a stack that names
	# the writer.
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 1 > $E/kpkeys_fault/enable
	echo 1 > $T/tracing_on
	check pks-faults-tool run_tool pks-faults \
		"echo fault > $P; echo fault > $P; echo fault > $P" faults --json
	echo 0 > $T/tracing_on
	echo 0 > $E/kpkeys_fault/enable
	page=$(provoked test_page)
	cat $P | note pks-provoke
	t_pks_writes_stopped() {
		[ "$(provoked writes_stopped)" = 3 ] && [ "$(provoked writes_through)" = 0 ]
	}
	check pks-writes-stopped t_pks_writes_stopped
	t_pks_fault_events() {
		grep 'kpkeys_fault: ' $T/trace | head -n 1
		[ $(grep "kpkeys_fault: addr=$page pkey=15 level=DEFAULT reg=0xbffffff8 access=write syndrome=0x23 pgtable=0 " $T/trace |
			grep -c ' action=oops$') -eq 3 ]
	}
	check pks-fault-events t_pks_fault_events
	check pks-faults-json jsoncheck -t faults_summary /tmp/tool-pks-faults.out
	t_pks_faults_documents() {
		o=/tmp/tool-pks-faults.out
		head -n 1 $o | cut -c1-600
		n=$(jsoncheck -g addr -t fault -w addr=$page -w pkey=15 -w level=DEFAULT \
			-w access=write -w syndrome=0x23 -w reg=0xbffffff8 -w action=oops \
			$o 2>/dev/null | wc -l)
		echo "$n of 3 fault documents with the address, pkey, level, access, syndrome, register and action oops"
		[ $n -eq 3 ] || exit 1
		# every document decodes both, and each names the writer once
		jsoncheck -g syndrome_decoded -t fault $o | grep -qv 'write.*pkey' && exit 1
		jsoncheck -g reg_decoded -t fault $o | grep -qv '^0:rw 1:r- 2:-- ' && exit 1
		w=$(jsoncheck -g 'stack[]' -t fault $o | grep -c '^kpkeys_provoke_write+')
		echo "$w stacks name kpkeys_provoke_write"
		[ $w -eq 3 ] && [ "$(jget $o faults -t faults_summary)" = 3 ] &&
			[ "$(jget $o dropped -t faults_summary)" = 0 ]
	}
	check pks-faults-documents t_pks_faults_documents
	# The line is ratelimited (10 per 5 s): the KUnit suite's stopped
	# writes may have used the burst, so at least one, not three.
	t_pks_fault_log_line() {
		dmesg | grep 'kpkeys: pkey fault: ' | tail -n 1
		[ $(dmesg | grep -c "kpkeys: pkey fault: write at $page (pkey 15) at level DEFAULT (reg 0xbffffff8), syndrome 0x23, ip copy_to_kernel_nofault") -ge 1 ]
	}
	check pks-fault-log-line t_pks_fault_log_line
	check pks-faults-text run_tool pks-faults-text "echo fault > $P" faults
	t_pks_faults_text_content() {
		cat /tmp/tool-pks-faults-text.out
		grep -q "pkey fault: write at $page, pkey 15, level DEFAULT, oops$" /tmp/tool-pks-faults-text.out &&
			grep -q 'register 0xbffffff8: 0:rw 1:r- 2:--' /tmp/tool-pks-faults-text.out &&
			grep -q 'kpkeys_provoke_write' /tmp/tool-pks-faults-text.out &&
			grep -q '1 pkey faults, 0 dropped' /tmp/tool-pks-faults-text.out
	}
	check pks-faults-text-content t_pks_faults_text_content

	# Sites (-S): 1000 stopped writes from one place are one site, the
	# faulting instruction and its caller, with every fault counted and
	# none dropped; no per-fault document.
	check pks-faults-sites-tool run_tool pks-faults-sites \
		"i=0; while [ \$i -lt 1000 ]; do echo fault > $P; i=\$((i + 1)); done" faults -S --json
	t_pks_faults_sites() {
		o=/tmp/tool-pks-faults-sites.out
		cat $o | cut -c1-400
		jsoncheck -t faults_summary $o || exit 1
		jsoncheck -g type -t fault $o > /dev/null 2>&1 &&
			{ echo "-S printed per-fault documents"; exit 1; }
		[ "$(jget $o faults -t faults_summary)" = 1000 ] &&
			[ "$(jget $o dropped -t faults_summary)" = 0 ] &&
			[ "$(jsoncheck -g 'sites[].faults' $o | wc -l)" = 1 ] &&
			[ "$(jget $o 'sites[].faults' -w caller=kpkeys_provoke_write)" = 1000 ] &&
			[ "$(jget $o 'sites[].allowed' -w caller=kpkeys_provoke_write)" = 0 ] &&
			[ "$(jget $o allowed -t faults_summary)" = 0 ] &&
			jget $o 'sites[].ip_sym' | grep -q '^copy_to_kernel_nofault+0x'
	}
	check pks-faults-sites t_pks_faults_sites
	check pks-faults-sites-text run_tool pks-faults-sites-text "echo fault > $P; echo fault > $P" faults -S
	t_pks_faults_sites_text() {
		o=/tmp/tool-pks-faults-sites-text.out
		cat $o
		grep -q '2 pkey faults, 0 dropped, 0 allowed' $o &&
			grep -q '^ *2 *0  copy_to_kernel_nofault+0x[0-9a-f]* *kpkeys_provoke_write$' $o &&
			! grep -q 'pkey fault: write at' $o
	}
	check pks-faults-sites-text-content t_pks_faults_sites_text

	# Splits: keying one page of a free 2 MiB block splits the large
	# entry that maps it, and DirectMap4k grows by at least 2 MiB. Each
	# "split" keys a page in each of up to 8 blocks held at once, so a
	# block split before (and handed out again first) does not hide it.
	before=$(directmap4k)
	check pks-splits-tool run_tool pks-splits "echo split > $P; echo split > $P" splits --json
	after=$(directmap4k)
	t_pks_directmap4k_grows() {
		echo "DirectMap4k: $before kB -> $after kB"
		[ $after -ge $((before + 2048)) ]
	}
	check pks-directmap4k-grows t_pks_directmap4k_grows
	check pks-splits-json jsoncheck -t splits_summary /tmp/tool-pks-splits.out
	t_pks_splits_documents() {
		o=/tmp/tool-pks-splits.out
		grep -m 3 '^{"type":"split"' $o | cut -c1-400
		n=$(jsoncheck -g type -t split -w size_before=2097152 -w size_after=4096 \
			-w level=3 $o 2>/dev/null | wc -l)
		echo "$n 2 MiB -> 4 KiB splits, $(jget $o stack_errors -t splits_summary) without a stack"
		[ $n -ge 1 ] && jsoncheck -g path -t split $o 2>/dev/null | grep -q provoke_split
	}
	check pks-splits-documents t_pks_splits_documents
	t_pks_set_memory_pkey_documents() {
		o=/tmp/tool-pks-splits.out
		k=$(jsoncheck -g type -t set_memory_pkey -w pkey=15 -w ret=0 $o 2>/dev/null | wc -l)
		u=$(jsoncheck -g caller -t set_memory_pkey -w pkey=0 -w ret=0 $o 2>/dev/null |
			grep -c provoke_split)
		echo "$k pages keyed, $u given back"
		[ $k -ge 2 ] && [ $k -eq $u ]
	}
	check pks-set-memory-pkey-documents t_pks_set_memory_pkey_documents

	# isb on x86-64: the cost of the PKRS write, every switch counted.
	check pks-isb-tool run_tool pks-isb "echo switch 2000 > $P" isb --json
	t_pks_isb_json() {
		o=/tmp/tool-pks-isb.out
		jsoncheck -t isb $o && cat $o | cut -c1-400
		n=$(jget $o count -t isb)
		echo "$n switches measured"
		[ ${n:-0} -ge 4000 ] && jsoncheck -g p50_ns -t isb $o 2>/dev/null | grep -q '^[0-9]'
	}
	check pks-isb-json t_pks_isb_json
fi
