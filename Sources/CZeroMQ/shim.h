#ifndef RNNSWEEP_CZEROMQ_SHIM_H
#define RNNSWEEP_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
