/* hostmem.h — tune the host process's allocator for simulation runs.
 *
 * A simulation touches tens of MB of fresh heap (standard 60-s workload: ~90
 * MB peak), and on a VM every first touch of a 4 KiB page is a fault costing
 * microseconds: about a fifth of a run's time went to faults. hostmem_setup()
 * keeps memory on one growing heap that is never handed back (so a sweep
 * worker running seed after seed reuses warm pages) and asks the kernel for
 * transparent huge pages on it (one fault per 2 MiB). The price is resident
 * memory: freed blocks and partly used 2-MiB pages stay resident (standard
 * 60-s run: peak RSS 91 -> 106 MB).
 *
 * Call it first thing in main() of a host program (raftsim, bench_sim). It
 * changes only where memory comes from, never what the program computes or
 * prints, and does nothing where it cannot (another C library, a sanitizer or
 * valgrind replacing malloc, no THP in the kernel). Never from core/.
 */
#ifndef SIM_HOSTMEM_H
#define SIM_HOSTMEM_H

void hostmem_setup(void);

#endif
