# Study 4: committed writes per 100 ms through faults, with fault times and
# the leader's id. Usage: gnuplot -e "out='reports/out'" reports/plot/availability.gp
set datafile separator ","
csv = out."/availability.csv"
ev = out."/availability_events.csv"
set key outside bottom center horizontal font ",9"
set grid
set xlabel "virtual time (s)"
set ylabel "writes committed per 100 ms"
set y2label "leader (node id, 0 = none)"
set y2range [0:6]
set y2tics 1
set ytics nomirror
set yrange [0:*]
fault(c) = (strcol(2) ne "leader" && strcol(2) ne "no-leader") ? c : NaN

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1100,520 font ",10" } \
    else { set terminal svg size 1100,520 font ",10" }
    set output out."/availability.".fmt
    plot csv using ($1/1000.0+0.05):2 with boxes fill solid 0.5 lc rgb "#1f78b4" \
            title "committed writes", \
         csv using ($1/1000.0):3 axes x1y2 with steps lw 2 lc rgb "#33a02c" title "leader", \
         ev using (fault($1/1e6)):(0):(0):(6) axes x1y2 with vectors nohead dt 2 lc rgb "red" \
            title "fault", \
         ev using (fault($1/1e6)):(5.7):2 axes x1y2 with labels rotate by 0 left offset 0.3,0 \
            font ",8" tc rgb "red" notitle
    set output
}
