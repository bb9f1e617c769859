/* poison.h — tell AddressSanitizer which parts of a pool are handed out.
 *
 * The simulator's pools (shared blobs, message buffers) recycle memory
 * without malloc/free, so on their own they would hide a use after release
 * from ASan. A pool poisons what it takes back and unpoisons what it hands
 * out; outside ASan builds both are no-ops. */
#ifndef SIM_POISON_H
#define SIM_POISON_H

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif

#ifdef SIM_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#endif
