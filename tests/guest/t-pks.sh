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
	check pks-mode sh -c "m=\$(cat /sys/kernel/kpkeys/mode); echo \"mode \$m, expected $want\"; [ \"\$m\" = $want ]"
	# kpkeys=off clears the feature, as nopku does for PKU.
	if [ $want = pks ]; then
		check pks-cpu-flag grep -qw pks /proc/cpuinfo
	else
		check pks-cpu-flag-cleared sh -c '! grep -qw pks /proc/cpuinfo'
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
	check pks-off-write-goes-through sh -c "cat $P; [ \"\$(awk '\$1 == \"writes_through\" { print \$2 }' $P)\" = 1 ]"
	check pks-off-no-fault-event sh -c "! grep 'kpkeys_fault: ' $T/trace"
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
	cat $P | sed 's/^/  [pks-provoke] /'
	check pks-writes-stopped sh -c "[ \"$(provoked writes_stopped)\" = 3 ] && [ \"$(provoked writes_through)\" = 0 ]"
	check pks-fault-events sh -c "
		grep 'kpkeys_fault: ' $T/trace | head -n 1
		[ \$(grep -c 'kpkeys_fault: addr=$page pkey=15 level=DEFAULT reg=0xbffffff8 access=write syndrome=0x23 pgtable=0 ' $T/trace) -eq 3 ]"
	check pks-faults-json jsoncheck -t faults_summary /tmp/tool-pks-faults.out
	check pks-faults-documents sh -c "
		grep '\"type\":\"fault\"' /tmp/tool-pks-faults.out | head -n 1 | cut -c1-600
		n=\$(grep '\"type\":\"fault\"' /tmp/tool-pks-faults.out |
			grep '\"addr\":\"$page\"' | grep '\"pkey\":15,' | grep '\"level\":\"DEFAULT\"' |
			grep '\"access\":\"write\"' | grep '\"syndrome\":\"0x23\"' |
			grep '\"syndrome_decoded\":\"[^\"]*write[^\"]*pkey' |
			grep '\"reg\":\"0xbffffff8\"' | grep '\"reg_decoded\":\"0:rw 1:r- 2:-- ' |
			grep -c '\"stack\":\[.*\"kpkeys_provoke_write+')
		echo \"\$n of 3 fault documents complete\"
		[ \$n -eq 3 ] && grep -q '\"faults\":3,\"dropped\":0' /tmp/tool-pks-faults.out"
	# The line is ratelimited (10 per 5 s): the KUnit suite's stopped
	# writes may have used the burst, so at least one, not three.
	check pks-fault-log-line sh -c "
		dmesg | grep 'kpkeys: pkey fault: ' | tail -n 1
		[ \$(dmesg | grep -c 'kpkeys: pkey fault: write at $page (pkey 15) at level DEFAULT (reg 0xbffffff8), syndrome 0x23, ip copy_to_kernel_nofault') -ge 1 ]"
	check pks-faults-text run_tool pks-faults-text "echo fault > $P" faults
	check pks-faults-text-content sh -c "cat /tmp/tool-pks-faults-text.out
		grep -q 'pkey fault: write at $page, pkey 15, level DEFAULT' /tmp/tool-pks-faults-text.out &&
		grep -q 'register 0xbffffff8: 0:rw 1:r- 2:--' /tmp/tool-pks-faults-text.out &&
		grep -q 'kpkeys_provoke_write' /tmp/tool-pks-faults-text.out &&
		grep -q '1 pkey faults, 0 dropped' /tmp/tool-pks-faults-text.out"

	# Splits: keying one page of a free 2 MiB block splits the large
	# entry that maps it, and DirectMap4k grows by at least 2 MiB. Each
	# "split" keys a page in each of up to 8 blocks held at once, so a
	# block split before (and handed out again first) does not hide it.
	before=$(directmap4k)
	check pks-splits-tool run_tool pks-splits "echo split > $P; echo split > $P" splits --json
	after=$(directmap4k)
	check pks-directmap4k-grows sh -c "echo \"DirectMap4k: $before kB -> $after kB\"; [ $after -ge $((before + 2048)) ]"
	check pks-splits-json jsoncheck -t splits_summary /tmp/tool-pks-splits.out
	check pks-splits-documents sh -c "
		grep '\"type\":\"split\"' /tmp/tool-pks-splits.out | head -n 3 | cut -c1-400
		n=\$(grep '\"type\":\"split\"' /tmp/tool-pks-splits.out | grep -c '\"size_before\":2097152,\"size_after\":4096,\"level\":3')
		echo \"\$n 2 MiB -> 4 KiB splits\"
		[ \$n -ge 1 ] && grep '\"type\":\"split\"' /tmp/tool-pks-splits.out | grep -q '\"path\":\"[^\"]*provoke_split'"
	check pks-set-memory-pkey-documents sh -c "
		k=\$(grep '\"type\":\"set_memory_pkey\"' /tmp/tool-pks-splits.out | grep -c '\"pkey\":15,\"ret\":0')
		u=\$(grep '\"type\":\"set_memory_pkey\"' /tmp/tool-pks-splits.out | grep '\"pkey\":0,\"ret\":0' | grep -c provoke_split)
		echo \"\$k pages keyed, \$u given back\"; [ \$k -ge 2 ] && [ \$k -eq \$u ]"

	# isb on x86-64: the cost of the PKRS write, every switch counted.
	check pks-isb-tool run_tool pks-isb "echo switch 2000 > $P" isb --json
	check pks-isb-json sh -c "jsoncheck -t isb /tmp/tool-pks-isb.out && cat /tmp/tool-pks-isb.out | cut -c1-400
		n=\$(grep -o '\"count\":[0-9]*' /tmp/tool-pks-isb.out | head -n 1 | cut -d: -f2)
		echo \"\$n switches measured\"; [ \${n:-0} -ge 4000 ] && grep -q '\"p50_ns\":[0-9]' /tmp/tool-pks-isb.out"
fi
