#ifndef RNNSWEEP_CSYSTEMSHIM_H
#define RNNSWEEP_CSYSTEMSHIM_H
#ifdef __linux__
#include <stddef.h>
#include <sys/types.h>
#include <pthread.h>
#include <linux/prctl.h>

// glibc declares these only under _GNU_SOURCE, and Swift's Glibc module is built without it. They
// are ordinary exported libc functions, so a declaration is all Swift needs to call them.
extern pid_t gettid(void);
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pipe2(int fds[2], int flags);

// glibc's cpu_set_t (1024 CPUs) and sched_setaffinity; CPU_ZERO/CPU_SET are macros Swift cannot call.
typedef struct { unsigned long bits[1024 / (8 * sizeof(unsigned long))]; } csys_cpu_set_t;
extern int sched_setaffinity(pid_t pid, size_t size, const csys_cpu_set_t *mask);
extern int sched_getaffinity(pid_t pid, size_t size, csys_cpu_set_t *mask);

static inline int csys_cpu_capacity(void) { return (int)(8 * sizeof(csys_cpu_set_t)); }

/// Non-zero when `cpu` is in the set.
static inline int csys_cpu_isset(int cpu, const csys_cpu_set_t *set) {
    const int per = (int)(8 * sizeof(unsigned long));
    if (cpu < 0 || cpu >= csys_cpu_capacity()) return 0;
    return (set->bits[cpu / per] >> (cpu % per)) & 1UL ? 1 : 0;
}

static inline void csys_cpu_zero(csys_cpu_set_t *set) {
    for (size_t i = 0; i < sizeof(set->bits) / sizeof(set->bits[0]); i++) set->bits[i] = 0;
}

/// Returns 0, or -1 when `cpu` is outside the set.
static inline int csys_cpu_set(int cpu, csys_cpu_set_t *set) {
    const int per = (int)(8 * sizeof(unsigned long));
    if (cpu < 0 || cpu >= per * (int)(sizeof(set->bits) / sizeof(set->bits[0]))) return -1;
    set->bits[cpu / per] |= 1UL << (cpu % per);
    return 0;
}

// prctl is variadic, which Swift cannot call.
extern int prctl(int option, ...);
static inline int csys_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

/// Tells the core a thread is spin-waiting (x86 `pause`): the sibling work and the memory bus run on.
static inline void csys_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// malloc.h is not part of Swift's Glibc module; the layout is glibc's (2.33 and later).
struct mallinfo2 {
    size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
};
extern struct mallinfo2 mallinfo2(void);
#endif
#endif
