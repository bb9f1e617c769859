# Study 5: catch-up time and bytes sent for a follower down for T seconds,
# with and without snapshots. Usage: gnuplot -e "out='reports/out'" compaction.gp
set datafile separator ","
csv = out."/compaction.csv"
sel(s, col) = strcol(1) eq s ? column(col) : NaN
set key top left font ",9"
set grid
set xlabel "time the follower was down (s)"

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1100,460 font ",10" } \
    else { set terminal svg size 1100,460 font ",10" }
    set output out."/compaction.".fmt
    set multiplot layout 1,2 title "3 nodes, 1,000 writes/s of 256 B, links at 10 MB/s"
    set ylabel "catch-up time (ms)"
    plot for [s in "off on"] csv using 2:(sel(s, 3)/1000.0) with linespoints lw 2 \
         title "snapshots ".s
    set ylabel "bytes sent during catch-up (MB)"
    plot for [s in "off on"] csv using 2:(sel(s, 5)/1e6) with linespoints lw 2 \
         title "snapshots ".s
    unset multiplot
    set output
}
