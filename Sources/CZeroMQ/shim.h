#ifndef RNNSWEEP_CZEROMQ_SHIM_H
#define RNNSWEEP_CZEROMQ_SHIM_H
#include <zmq.h>
#include <errno.h>

// Function-like or composite macros Swift cannot import directly.
static inline int czmq_shim_version(void) { return ZMQ_VERSION; }
static inline int czmq_shim_eterm(void) { return ETERM; }
static inline int czmq_shim_efsm(void) { return EFSM; }
static inline int czmq_shim_ehostunreach(void) { return EHOSTUNREACH; }
static inline int czmq_shim_eagain(void) { return EAGAIN; }
static inline int czmq_shim_eintr(void) { return EINTR; }
static inline int czmq_shim_einval(void) { return EINVAL; }
#endif
