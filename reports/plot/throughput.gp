# Study 3: committed throughput and median latency against offered load.
# Usage: gnuplot -e "out='reports/out'" reports/plot/throughput.gp
set datafile separator ","
csv = out."/throughput.csv"
sel(b, w, col) = (strcol(1) eq b && column(2) == w) ? column(col) : NaN
set key top left font ",9"
set grid
set logscale xy
set xlabel "offered load (writes/s)"

do for [fmt in "png svg"] {
    if (fmt eq "png") { set terminal pngcairo size 1100,480 font ",10" } \
    else { set terminal svg size 1100,480 font ",10" }
    set output out."/throughput.".fmt
    set multiplot layout 1,2 title "3 nodes, RTT 1-3 ms, fsync 1 ms, one open-loop writer"
    set ylabel "committed writes/s"
    plot for [b in "off on"] for [w in "1 4 16"] \
         csv using 3:(sel(b, w+0, 4)) with linespoints title "batching ".b.", window ".w, \
         x with lines dashtype 2 lc rgb "grey" title "offered = committed"
    set ylabel "median commit latency (ms)"
    plot for [b in "off on"] for [w in "1 4 16"] \
         csv using 3:(sel(b, w+0, 5)/1000.0) with linespoints title "batching ".b.", window ".w
    unset multiplot
    set output
}
